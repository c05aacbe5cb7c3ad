import type Router from '@koa/router';
import type { Middleware } from 'koa';
import { z } from 'zod';
import { createCardCatalog, pricesOf } from '../../activities/cards/catalog';
import { importList } from '../../activities/cards/import';
import { addHave, addToCollection, addWant, CONDITIONS, listCollection, listHaves, listWants, removeCollectionItem, removeHave, removeWant, setListsPublic, updateCollectionItem } from '../../activities/cards/lists';
import { matchTermsInGuild, type TermLine } from '../../activities/cards/match-terms';
import { alertPairsForHaves, findMatches } from '../../activities/cards/matching';
import { snowflake } from '../../lib/discord/snowflake';
import { ForbiddenError, ValidationError } from '../../lib/errors';
import { signalCardAlerts } from '../../lib/flows/card-alerts.client';
import type { Logger } from '../../lib/logger';
import { atLeast } from '../../lib/permissions';
import type { CardPrinting } from '../../prisma/client';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteContext, type RouteState } from '../openapi/route';
import { pageById } from '../pagination';
import { isoDate, nextCursor } from '../openapi/schemas';

const cardRef = z.object({ name: z.string().trim().min(1).max(150).optional(), set: z.string().trim().min(2).max(6).optional(), number: z.string().trim().min(1).max(10).optional() });
const cents = z.number().int().min(0).max(100_000_000).nullable().optional();
const haveBody = cardRef.extend({
  quantity: z.number().int().min(1).max(9999).default(1),
  condition: z.string().max(3).optional(),
  finish: z.enum(['nonfoil', 'foil', 'etched']).optional(),
  minValueCents: cents,
  notes: z.string().max(200).nullable().optional(),
});
const wantBody = cardRef.extend({
  quantity: z.number().int().min(1).max(9999).default(1),
  anyPrinting: z.boolean().optional(),
  minCondition: z.string().max(3).optional(),
  foilRequired: z.boolean().optional(),
  maxPriceCents: cents,
  priority: z.number().int().min(1).max(5).optional(),
  alert: z.boolean().optional(),
});
const collectionBody = cardRef.extend({
  quantity: z.number().int().min(1).max(9999).default(1),
  condition: z.enum(CONDITIONS).optional(),
  finish: z.enum(['nonfoil', 'foil', 'etched']).optional(),
  language: z.string().regex(/^[a-z]{2,3}$/).optional(),
});
const collectionChange = z
  .object({ quantity: z.number().int().min(0).max(9999).optional(), condition: z.enum(CONDITIONS).optional() })
  .refine((c) => c.quantity !== undefined || c.condition !== undefined, 'Give quantity, condition or both.');
const importBody = z.object({ list: z.enum(['haves', 'wants']), text: z.string().min(1).max(100_000), condition: z.string().max(3).optional() });
const pageQuery = z.object({ cursor: z.coerce.bigint().positive().optional(), limit: z.coerce.number().int().min(1).max(100).default(25) });
const priceQuery = cardRef;
const autocompleteQuery = z.object({ q: z.string().max(150).default('') });
const memberParams = z.object({ userId: snowflake });
const itemParams = memberParams.extend({ id: z.coerce.bigint().positive() });
const removeHaveQuery = z.object({ quantity: z.coerce.number().int().min(1).max(9999).optional() });
const visibilityBody = z.object({ listsPublic: z.boolean() });
const termsParams = memberParams.extend({ otherUserId: snowflake });
const matchesQuery = z.object({ scope: z.enum(['guild', 'all']).default('all'), offset: z.coerce.number().int().min(0).max(10_000).default(0), limit: z.coerce.number().int().min(1).max(50).default(10) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}

const cardJson = z.object({
  id: z.string(),
  oracleId: z.string().nullable(),
  name: z.string(),
  set: z.string(),
  setName: z.string(),
  number: z.string(),
  rarity: z.string(),
  finishes: z.array(z.string()),
  pricesCents: z.object({ nonfoil: z.number().int().nullable(), foil: z.number().int().nullable(), etched: z.number().int().nullable() }),
  pricesAt: isoDate,
});
const haveJson = z.object({
  id: z.string(),
  quantity: z.number().int(),
  heldQuantity: z.number().int(),
  reserved: z.number().int(),
  condition: z.string(),
  finish: z.string(),
  language: z.string(),
  minValueCents: z.number().int().nullable(),
  notes: z.string().nullable(),
  card: cardJson,
});
const wantJson = z.object({
  id: z.string(),
  quantity: z.number().int(),
  anyPrinting: z.boolean(),
  minCondition: z.string(),
  foilRequired: z.boolean(),
  maxPriceCents: z.number().int().nullable(),
  priority: z.number().int(),
  alert: z.boolean(),
  card: cardJson,
});
const collectionJson = z.object({
  id: z.string(),
  quantity: z.number().int(),
  reserved: z.number().int(),
  offered: z.number().int(),
  condition: z.string(),
  finish: z.string(),
  language: z.string(),
  card: cardJson,
});
const matchSide = z.object({ wants: z.number().int(), valueCents: z.number().int(), cards: z.array(z.string()) });
const matchJson = z.object({ userId: z.string(), score: z.number(), theyGive: matchSide, iGive: matchSide });
const termLine = z.object({
  collectionItemId: z.string(),
  quantity: z.number().int(),
  name: z.string(),
  set: z.string(),
  number: z.string(),
  condition: z.string(),
  finish: z.string(),
  unitPriceCents: z.number().int(),
});
const termLineJson = ({ setCode, collectorNumber, ...l }: TermLine) => ({ ...l, set: setCode, number: collectorNumber });
const termsJson = z.object({
  recipientId: z.string(),
  offered: z.array(termLine),
  asked: z.array(termLine),
  offeredValueCents: z.number().int(),
  askedValueCents: z.number().int(),
  cashCents: z.number().int(),
  /** Who pays the cash, as POST /card-trades takes it (`me`: the path's member); absent when even. */
  cashPayer: z.enum(['me', 'them']).optional(),
});
const importedLine = z.object({ line: z.number().int(), quantity: z.number().int(), name: z.string(), setCode: z.string(), collectorNumber: z.string(), finish: z.string(), id: z.string() });
const importFailure = z.object({ line: z.number().int(), text: z.string(), reason: z.string() });
const addedJson = z.object({ id: z.string(), card: cardJson });

/**
 * Card trading for the dashboard and scripts: price look-ups (the catalog, cached), a member's have and
 * want lists (read, add, remove), bulk import, matches and list visibility. A person's token acts on its
 * own person's lists; another member's lists need a mod token to read and an admin token to change.
 */
export function cardRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma } = deps;
  const catalog = () => createCardCatalog({ prisma, scryfall: deps.scryfall });
  const guildOf = (ctx: RouteContext) => ctx.params.guildId!;
  const access = { kind: 'guild', level: 'user' } as const;
  const tag = 'cards';

  /**
   * The path's member must be the token's own person, or the token a mod (read) / admin (write) one —
   * checked before the rest of the input is read, so a refused member is refused whatever the body.
   */
  const memberCheck =
    (write: boolean): Middleware =>
    async (ctx, next) => {
      const userId = parse(snowflake, (ctx as RouteContext).params.userId);
      const { auth } = (ctx as RouteContext).state;
      if (auth.ownerUserId !== userId) {
        const needed = write ? 'admin' : 'mod';
        if (!atLeast(auth.level, needed)) throw new ForbiddenError(`Another member's card lists need a ${needed} token; this token is ${auth.level}.`);
      }
      await next();
    };
  const reads = [memberCheck(false)];
  const writes = [memberCheck(true)];

  const resolve = async (ref: z.infer<typeof cardRef>): Promise<CardPrinting> => {
    if ((ref.set === undefined) !== (ref.number === undefined)) throw new ValidationError('Give both set and number, or neither.');
    if (ref.set && ref.number) return catalog().printing(ref.set, ref.number);
    if (!ref.name) throw new ValidationError('Name the card (name), or give set and number.');
    return catalog().named(ref.name);
  };

  const printingJson = (p: CardPrinting) => ({
    id: p.id,
    oracleId: p.oracleId,
    name: p.name,
    set: p.setCode,
    setName: p.setName,
    number: p.collectorNumber,
    rarity: p.rarity,
    finishes: p.finishes,
    pricesCents: pricesOf(p),
    pricesAt: p.fetchedAt.toISOString(),
  });

  const alert = async (guildId: string, haveIds: bigint[], log: Logger) => {
    if (!deps.temporal || !deps.taskQueue) return log.warn('no Temporal in this API process: want alerts for new haves not sent');
    const pairs = await alertPairsForHaves(prisma, haveIds);
    if (pairs.size) await signalCardAlerts({ temporal: deps.temporal, taskQueue: deps.taskQueue }, guildId, pairs, deps.cardAlertCollectSeconds);
  };

  return routerOf('/api/guilds/:guildId/cards', deps, [
    route({
      method: 'get',
      path: '/price',
      summary: "A card's current prices (by name, or by set and number).",
      tag,
      access,
      query: priceQuery,
      responses: { 200: { description: 'The printing and its prices.', schema: cardJson } },
      handler: async (ctx, { query }) => {
        ctx.body = printingJson(await catalog().fresh((await resolve(query)).id));
      },
    }),
    route({
      method: 'get',
      path: '/autocomplete',
      summary: 'Card names starting with what was typed.',
      tag,
      access,
      query: autocompleteQuery,
      responses: { 200: { description: 'Matching card names.', schema: z.object({ names: z.array(z.string()) }) } },
      handler: async (ctx, { query }) => {
        ctx.body = { names: await catalog().autocomplete(query.q) };
      },
    }),
    route({
      method: 'get',
      path: '/members/:userId/haves',
      summary: "A member's have list, a page at a time.",
      description: "The token's own person's, or any member's with a mod token.",
      tag,
      access,
      before: reads,
      params: memberParams,
      query: pageQuery,
      responses: { 200: { description: 'A page of haves.', schema: z.object({ items: z.array(haveJson), nextCursor }) } },
      handler: async (ctx, { params, query: { cursor, limit } }) => {
        ctx.body = pageById(await listHaves(prisma, params.userId, { cursor, limit: limit + 1 }), limit, (h) => ({
          id: String(h.id),
          quantity: h.quantity,
          heldQuantity: h.item.quantity,
          reserved: h.item.reserved,
          condition: h.item.condition,
          finish: h.item.finish,
          language: h.item.language,
          minValueCents: h.minValueCents,
          notes: h.notes,
          card: printingJson(h.item.printing),
        }));
      },
    }),
    route({
      method: 'get',
      path: '/members/:userId/wants',
      summary: "A member's want list, a page at a time.",
      description: "The token's own person's, or any member's with a mod token.",
      tag,
      access,
      before: reads,
      params: memberParams,
      query: pageQuery,
      responses: { 200: { description: 'A page of wants.', schema: z.object({ items: z.array(wantJson), nextCursor }) } },
      handler: async (ctx, { params, query: { cursor, limit } }) => {
        ctx.body = pageById(await listWants(prisma, params.userId, { cursor, limit: limit + 1 }), limit, (w) => ({
          id: String(w.id),
          quantity: w.quantity,
          anyPrinting: w.anyPrinting,
          minCondition: w.minCondition,
          foilRequired: w.foilRequired,
          maxPriceCents: w.maxPriceCents,
          priority: w.priority,
          alert: w.alert,
          card: printingJson(w.printing),
        }));
      },
    }),
    route({
      method: 'get',
      path: '/members/:userId/collection',
      summary: "A member's collection (cards owned), a page at a time.",
      description: "The token's own person's, or any member's with a mod token. `reserved`: promised in live trade proposals; `offered`: on the have list.",
      tag,
      access,
      before: reads,
      params: memberParams,
      query: pageQuery,
      responses: { 200: { description: 'A page of collection items.', schema: z.object({ items: z.array(collectionJson), nextCursor }) } },
      handler: async (ctx, { params, query: { cursor, limit } }) => {
        ctx.body = pageById(await listCollection(prisma, params.userId, { cursor, limit: limit + 1 }), limit, (i) => ({
          id: String(i.id),
          quantity: i.quantity,
          reserved: i.reserved,
          offered: i.have?.quantity ?? 0,
          condition: i.condition,
          finish: i.finish,
          language: i.language,
          card: printingJson(i.printing),
        }));
      },
    }),
    route({
      method: 'post',
      path: '/members/:userId/collection',
      summary: "Adds copies to a member's collection (not offered for trade).",
      description: "The token's own person's, or any member's with an admin token. Copies of the same card, condition, finish and language join one item.",
      tag,
      access,
      before: writes,
      params: memberParams,
      body: collectionBody,
      responses: { 201: { description: 'The collection item and its card.', schema: addedJson } },
      handler: async (ctx, { params, body }) => {
        const printing = await resolve(body);
        const { itemId } = await addToCollection(prisma, params.userId, { ...body, printing });
        ctx.status = 201;
        ctx.body = { id: String(itemId), card: printingJson(printing) };
      },
    }),
    route({
      method: 'patch',
      path: '/members/:userId/collection/:id',
      summary: "Changes a collection item's quantity and/or condition.",
      description:
        "The token's own person's, or any member's with an admin token. 409 `collection_in_use` when the change would take copies reserved in live trade proposals or offered as haves.",
      tag,
      access,
      before: writes,
      params: itemParams,
      body: collectionChange,
      responses: { 204: { description: 'Changed.' } },
      handler: async (ctx, { params, body }) => {
        await updateCollectionItem(prisma, params.userId, params.id, body);
        ctx.status = 204;
      },
    }),
    route({
      method: 'delete',
      path: '/members/:userId/collection/:id',
      summary: 'Removes a collection item.',
      description: "The token's own person's, or any member's with an admin token. 409 `collection_in_use` while copies are reserved in live trade proposals or offered as haves.",
      tag,
      access,
      before: writes,
      params: itemParams,
      responses: { 204: { description: 'Removed.' } },
      handler: async (ctx, { params }) => {
        await removeCollectionItem(prisma, params.userId, params.id);
        ctx.status = 204;
      },
    }),
    route({
      method: 'post',
      path: '/members/:userId/haves',
      summary: "Adds copies to a member's have list (and alerts members who want them).",
      description: "The token's own person's, or any member's with an admin token.",
      tag,
      access,
      before: writes,
      params: memberParams,
      body: haveBody,
      responses: { 201: { description: 'The have and its card.', schema: addedJson } },
      handler: async (ctx, { params, body }) => {
        const printing = await resolve(body);
        const { haveId } = await addHave(prisma, params.userId, { ...body, printing });
        await alert(guildOf(ctx), [haveId], ctx.state.log);
        ctx.status = 201;
        ctx.body = { id: String(haveId), card: printingJson(printing) };
      },
    }),
    route({
      method: 'post',
      path: '/members/:userId/wants',
      summary: "Adds a card to a member's want list.",
      description: "The token's own person's, or any member's with an admin token.",
      tag,
      access,
      before: writes,
      params: memberParams,
      body: wantBody,
      responses: { 201: { description: 'The want and its card.', schema: addedJson } },
      handler: async (ctx, { params, body }) => {
        const printing = await resolve(body);
        const { wantId } = await addWant(prisma, params.userId, { ...body, printing, anyPrinting: body.anyPrinting ?? !body.set });
        ctx.status = 201;
        ctx.body = { id: String(wantId), card: printingJson(printing) };
      },
    }),
    route({
      method: 'delete',
      path: '/members/:userId/haves/:id',
      summary: 'Removes a have (or some of its copies).',
      description: "The token's own person's, or any member's with an admin token.",
      tag,
      access,
      before: writes,
      params: itemParams,
      query: removeHaveQuery,
      responses: { 200: { description: 'Copies left on the list.', schema: z.object({ left: z.number().int() }) } },
      handler: async (ctx, { params, query }) => {
        ctx.body = await removeHave(prisma, params.userId, params.id, query.quantity);
      },
    }),
    route({
      method: 'delete',
      path: '/members/:userId/wants/:id',
      summary: 'Removes a want.',
      description: "The token's own person's, or any member's with an admin token.",
      tag,
      access,
      before: writes,
      params: itemParams,
      responses: { 204: { description: 'Removed.' } },
      handler: async (ctx, { params }) => {
        await removeWant(prisma, params.userId, params.id);
        ctx.status = 204;
      },
    }),
    route({
      method: 'post',
      path: '/members/:userId/import',
      summary: 'Imports a have or want list from text (one card a line).',
      description: "The token's own person's, or any member's with an admin token.",
      tag,
      access,
      before: writes,
      params: memberParams,
      body: importBody,
      responses: { 200: { description: 'How many lines were applied, and the lines that failed.', schema: z.object({ applied: z.array(importedLine), failed: z.array(importFailure) }) } },
      handler: async (ctx, { params, body }) => {
        const report = await importList({ prisma, catalog: catalog() }, params.userId, body.list, body.text, { condition: body.condition });
        await alert(guildOf(ctx), report.haveIds, ctx.state.log);
        ctx.body = { applied: report.applied, failed: report.failed };
      },
    }),
    route({
      method: 'get',
      path: '/members/:userId/matches',
      summary: 'Two-way matches: members who have what this member wants and want what they have.',
      description: "The token's own person's, or any member's with a mod token.",
      tag,
      access,
      before: reads,
      params: memberParams,
      query: matchesQuery,
      responses: { 200: { description: 'A page of matches, best first.', schema: z.object({ items: z.array(matchJson), nextOffset: z.number().int().nullable() }) } },
      handler: async (ctx, { params, query: { scope, offset, limit } }) => {
        const page = await findMatches(prisma, { userId: params.userId, guildId: guildOf(ctx), scope, offset, limit });
        ctx.body = { items: page.matches, nextOffset: page.next };
      },
    }),
    route({
      method: 'get',
      path: '/members/:userId/matches/:otherUserId/terms',
      summary: 'The trade terms a two-way match suggests: the copies each side gives and the cash that balances them.',
      description:
        "The token's own person's, or any member's with a mod token. Both members must be in this server (404 `not_found`), and still match both ways (404 `no_match`). With the member's own token the answer is a POST /card-trades body as it stands (add a message or requestId).",
      tag,
      access,
      before: reads,
      params: termsParams,
      responses: { 200: { description: 'The suggested terms, their priorities first.', schema: termsJson } },
      handler: async (ctx, { params }) => {
        const t = await matchTermsInGuild(prisma, { guildId: guildOf(ctx), userId: params.userId, otherUserId: params.otherUserId });
        ctx.body = {
          recipientId: params.otherUserId,
          offered: t.offered.map(termLineJson),
          asked: t.asked.map(termLineJson),
          offeredValueCents: t.offeredValueCents,
          askedValueCents: t.askedValueCents,
          cashCents: t.cashCents,
          ...(t.cashPayerId ? { cashPayer: t.cashPayerId === params.userId ? ('me' as const) : ('them' as const) } : {}),
        };
      },
    }),
    route({
      method: 'put',
      path: '/members/:userId/visibility',
      summary: "Whether a member's lists are matched in servers other than the one searched from.",
      description: "The token's own person's, or any member's with an admin token.",
      tag,
      access,
      before: writes,
      params: memberParams,
      body: visibilityBody,
      responses: { 200: { description: 'The visibility now.', schema: visibilityBody } },
      handler: async (ctx, { params, body: { listsPublic } }) => {
        await setListsPublic(prisma, params.userId, listsPublic);
        ctx.body = { listsPublic };
      },
    }),
  ]);
}
