import Router from '@koa/router';
import type { Context } from 'koa';
import { z } from 'zod';
import { createCardCatalog, pricesOf } from '../../activities/cards/catalog';
import { importList } from '../../activities/cards/import';
import { addHave, addWant, listHaves, listWants, removeHave, removeWant, setListsPublic } from '../../activities/cards/lists';
import { alertPairsForHaves, findMatches } from '../../activities/cards/matching';
import { snowflake } from '../../lib/discord/snowflake';
import { ForbiddenError, ValidationError } from '../../lib/errors';
import { signalCardAlerts } from '../../lib/flows/card-alerts.client';
import type { Logger } from '../../lib/logger';
import { atLeast } from '../../lib/permissions';
import type { CardPrinting } from '../../prisma/client';
import { requireGuildToken, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import type { RouteDeps } from '../deps';

type State = AuthState & { log: Logger };

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
const importBody = z.object({ list: z.enum(['haves', 'wants']), text: z.string().min(1).max(100_000), condition: z.string().max(3).optional() });
const pageQuery = z.object({ cursor: z.coerce.bigint().positive().optional(), limit: z.coerce.number().int().min(1).max(100).default(25) });
const matchesQuery = z.object({ scope: z.enum(['guild', 'all']).default('all'), offset: z.coerce.number().int().min(0).max(10_000).default(0), limit: z.coerce.number().int().min(1).max(50).default(10) });

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  return parsed.data;
}

/**
 * Card trading for the dashboard and scripts: price look-ups (the catalog, cached), a member's have and
 * want lists (read, add, remove), bulk import, matches and list visibility. A person's token acts on its
 * own person's lists; another member's lists need a mod token to read and an admin token to change.
 */
export function cardRoutes(deps: RouteDeps): Router<State> {
  const { prisma } = deps;
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/cards' });
  const catalog = () => createCardCatalog({ prisma, scryfall: deps.scryfall });
  const guildOf = (ctx: Context) => (ctx as Context & { params: Record<string, string> }).params.guildId!;

  /** The member whose lists the path names; the token's own person, or a mod (read) / admin (write) token. */
  const memberOf = (ctx: Context & { state: State }, write: boolean): string => {
    const userId = parse(snowflake, (ctx as Context & { params: Record<string, string> }).params.userId);
    const { auth } = ctx.state;
    if (auth.ownerUserId === userId) return userId;
    const needed = write ? 'admin' : 'mod';
    if (!atLeast(auth.level, needed)) throw new ForbiddenError(`Another member's card lists need a ${needed} token; this token is ${auth.level}.`);
    return userId;
  };

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

  router.get('/price', requireGuildToken(prisma, 'user'), async (ctx) => {
    const ref = parse(cardRef, ctx.query);
    ctx.body = printingJson(await catalog().fresh((await resolve(ref)).id));
  });

  router.get('/autocomplete', requireGuildToken(prisma, 'user'), async (ctx) => {
    const { q } = parse(z.object({ q: z.string().max(150).default('') }), ctx.query);
    ctx.body = { names: await catalog().autocomplete(q) };
  });

  router.get('/members/:userId/haves', requireGuildToken(prisma, 'user'), async (ctx) => {
    const userId = memberOf(ctx, false);
    const { cursor, limit } = parse(pageQuery, ctx.query);
    const rows = await listHaves(prisma, userId, { cursor, limit: limit + 1 });
    ctx.body = {
      items: rows.slice(0, limit).map((h) => ({
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
      })),
      nextCursor: rows.length > limit ? String(rows[limit - 1]!.id) : null,
    };
  });

  router.get('/members/:userId/wants', requireGuildToken(prisma, 'user'), async (ctx) => {
    const userId = memberOf(ctx, false);
    const { cursor, limit } = parse(pageQuery, ctx.query);
    const rows = await listWants(prisma, userId, { cursor, limit: limit + 1 });
    ctx.body = {
      items: rows.slice(0, limit).map((w) => ({
        id: String(w.id),
        quantity: w.quantity,
        anyPrinting: w.anyPrinting,
        minCondition: w.minCondition,
        foilRequired: w.foilRequired,
        maxPriceCents: w.maxPriceCents,
        priority: w.priority,
        alert: w.alert,
        card: printingJson(w.printing),
      })),
      nextCursor: rows.length > limit ? String(rows[limit - 1]!.id) : null,
    };
  });

  router.post('/members/:userId/haves', requireGuildToken(prisma, 'user'), async (ctx) => {
    const userId = memberOf(ctx, true);
    const body = parse(haveBody, await readJsonBody(ctx));
    const printing = await resolve(body);
    const { haveId } = await addHave(prisma, userId, { ...body, printing });
    await alert(guildOf(ctx), [haveId], ctx.state.log);
    ctx.status = 201;
    ctx.body = { id: String(haveId), card: printingJson(printing) };
  });

  router.post('/members/:userId/wants', requireGuildToken(prisma, 'user'), async (ctx) => {
    const userId = memberOf(ctx, true);
    const body = parse(wantBody, await readJsonBody(ctx));
    const printing = await resolve(body);
    const { wantId } = await addWant(prisma, userId, { ...body, printing, anyPrinting: body.anyPrinting ?? !body.set });
    ctx.status = 201;
    ctx.body = { id: String(wantId), card: printingJson(printing) };
  });

  router.delete('/members/:userId/haves/:id', requireGuildToken(prisma, 'user'), async (ctx) => {
    const userId = memberOf(ctx, true);
    const { id } = parse(z.object({ id: z.coerce.bigint().positive() }), ctx.params);
    const { quantity } = parse(z.object({ quantity: z.coerce.number().int().min(1).max(9999).optional() }), ctx.query);
    ctx.body = await removeHave(prisma, userId, id, quantity);
  });

  router.delete('/members/:userId/wants/:id', requireGuildToken(prisma, 'user'), async (ctx) => {
    const userId = memberOf(ctx, true);
    const { id } = parse(z.object({ id: z.coerce.bigint().positive() }), ctx.params);
    await removeWant(prisma, userId, id);
    ctx.status = 204;
  });

  router.post('/members/:userId/import', requireGuildToken(prisma, 'user'), async (ctx) => {
    const userId = memberOf(ctx, true);
    const body = parse(importBody, await readJsonBody(ctx));
    const report = await importList({ prisma, catalog: catalog() }, userId, body.list, body.text, { condition: body.condition });
    await alert(guildOf(ctx), report.haveIds, ctx.state.log);
    ctx.body = { applied: report.applied, failed: report.failed };
  });

  router.get('/members/:userId/matches', requireGuildToken(prisma, 'user'), async (ctx) => {
    const userId = memberOf(ctx, false);
    const { scope, offset, limit } = parse(matchesQuery, ctx.query);
    const page = await findMatches(prisma, { userId, guildId: guildOf(ctx), scope, offset, limit });
    ctx.body = { items: page.matches, nextOffset: page.next };
  });

  router.put('/members/:userId/visibility', requireGuildToken(prisma, 'user'), async (ctx) => {
    const userId = memberOf(ctx, true);
    const { listsPublic } = parse(z.object({ listsPublic: z.boolean() }), await readJsonBody(ctx));
    await setListsPublic(prisma, userId, listsPublic);
    ctx.body = { listsPublic };
  });

  return router;
}
