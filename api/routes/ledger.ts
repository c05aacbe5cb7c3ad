import type Router from '@koa/router';
import { z } from 'zod';
import {
  archiveEntries,
  archivedEntry,
  createLedger,
  entriesCsv,
  ENTRY_TYPES,
  ledgerStats,
  listAccounts,
  SYSTEM_ACCOUNTS,
  systemAccount,
  toJsonSafe,
  userAccount,
  type AccountRef,
  type EntriesQuery,
  type SystemAccountName,
} from '../../activities/ledger';
import { domainMismatches } from '../../activities/ledger/consistency';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { PermissionLevel } from '../../lib/permissions';
import { poolOf } from '../../prisma/transactions';
import { tokenOrSessionActor } from '../auth';
import type { RouteDeps } from '../deps';
import { decodeKeyCursor, encodeKeyCursor } from '../pagination';
import { route, routerOf, type RouteState } from '../openapi/route';
import { decimalString, isoDate, nextCursor } from '../openapi/schemas';

/** Who may use the ledger API, in one place: reading needs a mod token, validate and archive an admin's. */
const LEDGER_LEVELS = {
  read: 'mod',
  validate: 'admin',
  archive: 'admin',
} as const satisfies Record<string, PermissionLevel>;

const asset = z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'must be an asset code such as currency or gems');
const userId = z.string().regex(/^\d{1,20}$/, 'must be a Discord user id (digits)');
const systemName = z.enum(SYSTEM_ACCOUNTS);
const account = z
  .string()
  .regex(
    new RegExp(`^(user:\\d{1,20}|system:(${SYSTEM_ACCOUNTS.join('|')}))$`),
    `must be user:<Discord id> or system:<${SYSTEM_ACCOUNTS.join('|')}>`,
  )
  .transform((s): AccountRef => {
    const [ownerType, ownerId] = s.split(':') as [string, string];
    return ownerType === 'user' ? userAccount(ownerId) : systemAccount(ownerId as SystemAccountName);
  });
/** A comma-separated list of values, e.g. type=give,daily. */
const list = <T extends readonly [string, ...string[]]>(values: T) =>
  z
    .string()
    .transform((s) => s.split(','))
    .pipe(z.array(z.enum(values)).min(1));
/** An ISO 8601 time with offset (2026-11-25T10:00:00Z) or a UTC day (2026-11-25). */
const time = z.union([z.iso.datetime({ offset: true }), z.iso.date()]).transform((s) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s));
const cursor = z.string().regex(/^\d{1,19}$/, 'must be the nextCursor of the previous page');
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const entryFilters = z
  .object({
    account: account.optional(),
    asset: asset.optional(),
    type: list(ENTRY_TYPES).optional(),
    status: list(['posted', 'pending', 'voided'] as const).optional(),
    since: time.optional(),
    until: time.optional(),
  })
  .strict();
const entriesQuery = entryFilters.extend({ cursor: cursor.optional(), limit: int(1, 100).default(25) }).strict();
const holdersQuery = z
  .object({
    asset: asset.default('currency'),
    limit: int(1, 100).default(25),
    cursor: z.string().max(200).optional(),
    /** Deprecated: use `cursor` (kept for one release). */
    offset: int(0, 1_000_000).optional(),
  })
  .strict();
const accountsQuery = z
  .object({ asset: asset.optional(), ownerType: z.enum(['user', 'system']).optional(), cursor: cursor.optional(), limit: int(1, 500).default(100) })
  .strict();
const statsQuery = z.object({ since: time.optional(), until: time.optional(), asset: asset.optional(), top: int(1, 100).default(10) }).strict();
const archiveBody = z.object({ olderThanDays: z.number().int().min(0).max(36_500), batchSize: z.number().int().min(1).max(10_000).optional() }).strict();

function filtersOf(guildId: string, f: z.infer<typeof entryFilters>): Omit<EntriesQuery, 'cursor' | 'limit'> {
  return { guildId, account: f.account, asset: f.asset, type: f.type, status: f.status, since: f.since, until: f.until };
}

// Responses as JSON carries them: amounts and ids are decimal strings (toJsonSafe).
const accountRef = z.object({ ownerType: z.enum(['user', 'system']), ownerId: z.string() });
const balanceJson = { balance: decimalString, held: decimalString, available: decimalString };
const postingJson = z.object({ accountId: decimalString, account: accountRef, asset: z.string(), amount: decimalString, balanceAfter: decimalString });
const entryJson = z
  .object({
    id: decimalString,
    key: z.string(),
    guildId: z.string(),
    type: z.enum(ENTRY_TYPES),
    status: z.enum(['posted', 'pending', 'voided']),
    actor: z.object({ type: z.enum(['user', 'api_token', 'system']), id: z.string() }),
    reason: z.string().nullable(),
    refs: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
    createdAt: isoDate,
    postedAt: isoDate.nullable(),
    voidedAt: isoDate.nullable(),
    postings: z.array(postingJson),
    hold: z.object({ from: accountRef, to: accountRef, asset: z.string(), amount: decimalString, postedAmount: decimalString.nullable() }).nullable(),
  })
  .meta({ id: 'LedgerEntry' });
const balancesJson = z.object({ account: accountRef, balances: z.array(z.object({ asset: z.string(), ...balanceJson })) });
const problem = z.looseObject({ accountId: decimalString, guildId: z.string(), account: accountRef, asset: z.string(), balance: decimalString, held: decimalString });
const TAG = 'ledger';

/** The guild's ledger for the dashboard and admins. Amounts are decimal strings. */
export function ledgerRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma } = deps;
  const ledger = createLedger(prisma);
  const read = { kind: 'guild', level: LEDGER_LEVELS.read } as const;
  const guildOf = (ctx: { params: Record<string, string> }) => ctx.params.guildId!;

  return routerOf('/api/guilds/:guildId/ledger', deps, [
    route({
      method: 'get',
      path: '/assets',
      summary: "The guild's assets (currency, gems…).",
      tag: TAG,
      access: read,
      responses: { 200: { description: 'Every asset.', schema: z.object({ assets: z.array(z.object({ id: z.number().int(), guildId: z.string(), code: z.string(), name: z.string(), emoji: z.string(), createdAt: isoDate })) }) } },
      handler: async (ctx) => {
        ctx.body = { assets: toJsonSafe(await ledger.assets(guildOf(ctx))) };
      },
    }),
    /**
     * Top holders of an asset: user accounts with a positive balance, highest first, paged by `cursor`
     * (which also carries the rank it stops at, for the deprecated `offset`/`nextOffset`).
     */
    route({
      method: 'get',
      path: '/holders',
      summary: 'Top holders of an asset, highest balance first.',
      tag: TAG,
      access: read,
      query: holdersQuery,
      responses: {
        200: {
          description: 'A page of holders.',
          schema: z.object({
            asset: z.string(),
            total: z.number().int(),
            holders: z.array(z.object({ userId: z.string(), accountId: decimalString, ...balanceJson })),
            nextCursor,
            nextOffset: z.number().int().nullable().meta({ deprecated: true }),
          }),
        },
      },
      handler: async (ctx, { query: q }) => {
        const key = q.cursor ? decodeKeyCursor(q.cursor, 3) : null;
        if (key && !key.every((part) => /^\d{1,19}$/.test(part))) throw new ValidationError('cursor: not a cursor this API returned (use nextCursor as it is).');
        const after = key ? { balance: BigInt(key[0]!), accountId: BigInt(key[1]!) } : undefined;
        const offset = key ? Number(key[2]) : (q.offset ?? 0);
        const page = await ledger.leaderboard({ guildId: guildOf(ctx), asset: q.asset, limit: q.limit, offset: after ? 0 : offset, after });
        const next = offset + page.items.length;
        const last = page.items[page.items.length - 1];
        const more = last !== undefined && next < page.total;
        ctx.body = {
          asset: q.asset,
          total: page.total,
          holders: page.items.map((h) => toJsonSafe({ userId: h.account.ownerId, accountId: h.accountId, balance: h.balance, held: h.held, available: h.available })),
          nextCursor: more ? encodeKeyCursor([last.balance, last.accountId, next]) : null,
          nextOffset: more ? next : null,
        };
      },
    }),
    route({
      method: 'get',
      path: '/members/:userId/balances',
      summary: "A member's balances, per asset.",
      tag: TAG,
      access: read,
      params: z.object({ userId }),
      responses: { 200: { description: 'Balances.', schema: balancesJson } },
      handler: async (ctx, { params }) => {
        const account: AccountRef = { ownerType: 'user', ownerId: params.userId };
        ctx.body = { account, balances: (await ledger.balances(guildOf(ctx), account)).map((b) => toJsonSafe({ ...b, asset: b.asset.code })) };
      },
    }),
    route({
      method: 'get',
      path: '/system/:name/balances',
      summary: "A system account's balances, per asset.",
      tag: TAG,
      access: read,
      params: z.object({ name: systemName }),
      responses: { 200: { description: 'Balances.', schema: balancesJson } },
      handler: async (ctx, { params }) => {
        const account: AccountRef = { ownerType: 'system', ownerId: params.name };
        ctx.body = { account, balances: (await ledger.balances(guildOf(ctx), account)).map((b) => toJsonSafe({ ...b, asset: b.asset.code })) };
      },
    }),
    route({
      method: 'get',
      path: '/accounts',
      summary: "The guild's accounts with their balances.",
      tag: TAG,
      access: read,
      query: accountsQuery,
      responses: { 200: { description: 'A page of accounts.', schema: z.object({ accounts: z.array(z.object({ accountId: decimalString, account: accountRef, asset: z.string(), ...balanceJson })), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const page = await listAccounts(prisma, { guildId: guildOf(ctx), ...q });
        ctx.body = { accounts: toJsonSafe(page.items), nextCursor: page.nextCursor };
      },
    }),
    /** Live entries only: archived ones are behind their checkpoint entry (and answer by key below). */
    route({
      method: 'get',
      path: '/entries',
      summary: 'Ledger entries, newest first, with filters.',
      tag: TAG,
      access: read,
      query: entriesQuery,
      responses: { 200: { description: 'A page of entries.', schema: z.object({ entries: z.array(entryJson), nextCursor }) } },
      handler: async (ctx, { query: q }) => {
        const page = await ledger.entries({ ...filtersOf(guildOf(ctx), q), cursor: q.cursor, limit: q.limit });
        ctx.body = { entries: toJsonSafe(page.items), nextCursor: page.nextCursor };
      },
    }),
    /** Every matching entry as CSV, streamed batch by batch (see entriesCsv). */
    route({
      method: 'get',
      path: '/entries.csv',
      summary: 'Every matching entry as CSV (streamed).',
      tag: TAG,
      access: read,
      query: entryFilters,
      responses: { 200: { description: 'CSV, one posting a line.', contentType: 'text/csv', schema: z.string() } },
      handler: (ctx, { query }) => {
        const guildId = guildOf(ctx);
        const filters = filtersOf(guildId, query);
        ctx.type = 'text/csv; charset=utf-8';
        ctx.set('Content-Disposition', `attachment; filename="ledger-${guildId}-${new Date().toISOString().slice(0, 10)}.csv"`);
        ctx.set('Cache-Control', 'no-store');
        const stream = entriesCsv(prisma, filters);
        stream.on('error', (err) => ctx.state.log.error({ err }, 'ledger CSV export failed mid-stream'));
        ctx.body = stream;
      },
    }),
    /** One entry by its idempotency key, live or archived. */
    route({
      method: 'get',
      path: '/entries/:key',
      summary: 'One entry by its idempotency key, live or archived.',
      tag: TAG,
      access: read,
      params: z.object({ key: z.string().min(1).max(200) }),
      responses: { 200: { description: 'The entry.', schema: z.object({ entry: entryJson, archived: z.object({ archivedAt: isoDate, checkpointEntryId: decimalString }).nullable() }) } },
      handler: async (ctx, { params: { key: k } }) => {
        const archived = await archivedEntry(prisma, k);
        const entry = archived?.entry ?? (await ledger.entry(k));
        if (!entry || entry.guildId !== guildOf(ctx)) throw new NotFoundError(`No ledger entry of this guild has the key "${k}".`);
        ctx.body = toJsonSafe({ entry, archived: archived ? { archivedAt: archived.archivedAt, checkpointEntryId: archived.checkpointEntryId } : null });
      },
    }),
    route({
      method: 'get',
      path: '/stats',
      summary: 'Volume per day, type and asset, and the top holders.',
      tag: TAG,
      access: read,
      query: statsQuery,
      responses: {
        200: {
          description: 'The stats.',
          schema: z.object({
            guildId: z.string(),
            since: isoDate,
            until: isoDate,
            volume: z.array(z.object({ day: z.string(), type: z.string(), asset: z.string(), entries: z.number().int(), volume: decimalString })),
            totals: z.array(z.object({ type: z.string(), asset: z.string(), entries: z.number().int(), volume: decimalString })),
            topHolders: z.array(z.object({ asset: z.string(), holders: z.array(z.object({ userId: z.string(), ...balanceJson })) })),
          }),
        },
      },
      handler: async (ctx, { query: q }) => {
        ctx.body = toJsonSafe(await ledgerStats(prisma, { guildId: guildOf(ctx), ...q }));
      },
    }),
    /**
     * The validate() report for this guild, with the finished purchases, orders and withdrawals whose holds
     * disagree with them (`domainMismatches`): 200 whatever it finds; `ok` says whether both are clean.
     */
    route({
      method: 'post',
      path: '/validate',
      summary: "Checks the guild's ledger and the domain rows against it.",
      tag: TAG,
      access: { kind: 'guild', level: LEDGER_LEVELS.validate },
      responses: {
        200: {
          description: 'The report, whatever it finds (`ok` says whether it is clean).',
          schema: z.object({
            ok: z.boolean(),
            guildId: z.string().nullable(),
            checkedAt: isoDate,
            assets: z.array(z.object({ guildId: z.string(), asset: z.string(), accounts: z.number().int(), sumOfBalances: decimalString, sumOfPostings: decimalString, ok: z.boolean() })),
            negativeUserAccounts: z.array(problem),
            balanceMismatches: z.array(problem.extend({ postingsSum: decimalString, pendingHolds: decimalString })),
            duplicateKeys: z.array(z.object({ key: z.string(), entries: z.number().int() })),
            unbalancedEntries: z.array(z.looseObject({ entryId: decimalString, key: z.string() })),
            inconsistentEntries: z.array(z.looseObject({ entryId: decimalString, key: z.string(), problem: z.string() })),
            checkpointMismatches: z.array(z.looseObject({ checkpointEntryId: decimalString, key: z.string().nullable() })),
            domainMismatches: z.array(z.looseObject({ kind: z.string(), id: z.string(), guildId: z.string(), status: z.string(), key: z.string(), problem: z.string() })),
          }),
        },
      },
      handler: async (ctx) => {
        const guildId = guildOf(ctx);
        const [report, domain] = await Promise.all([ledger.validate(guildId), domainMismatches(poolOf(prisma), guildId)]);
        ctx.body = toJsonSafe({ ...report, ok: report.ok && domain.length === 0, domainMismatches: domain });
      },
    }),
    /** Archives posted and voided entries older than `olderThanDays` behind one checkpoint (archive.ts). */
    route({
      method: 'post',
      path: '/archive',
      summary: 'Archives old posted and voided entries behind one checkpoint entry.',
      tag: TAG,
      access: { kind: 'guild', level: LEDGER_LEVELS.archive },
      body: archiveBody,
      responses: {
        200: {
          description: 'What was archived.',
          schema: z.object({ guildId: z.string(), before: isoDate, checkpointKey: z.string(), checkpointEntryId: decimalString.nullable(), archived: z.number().int(), batches: z.number().int() }),
        },
      },
      handler: async (ctx, { body }) => {
        const guildId = guildOf(ctx);
        const { actor, audit } = tokenOrSessionActor(ctx.state.auth);
        const result = await archiveEntries(prisma, { guildId, olderThanDays: body.olderThanDays, batchSize: body.batchSize, actor });
        if (result.archived > 0) {
          await prisma.auditEvent.create({
            data: {
              guildId,
              ...audit,
              action: 'ledger.archived',
              targetType: 'ledger_entry',
              targetId: String(result.checkpointEntryId),
              data: toJsonSafe(result),
            },
          });
        }
        ctx.body = toJsonSafe(result);
      },
    }),
  ]);
}
