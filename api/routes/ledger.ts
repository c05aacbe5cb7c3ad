import Router from '@koa/router';
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
import type { Logger } from '../../lib/logger';
import type { PermissionLevel } from '../../lib/permissions';
import { poolOf } from '../../prisma/transactions';
import { requireGuildToken, tokenOrSessionActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import type { RouteDeps } from '../deps';
import { decodeKeyCursor, encodeKeyCursor } from '../pagination';

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

type GuildParams = { guildId: string; key?: string; userId?: string; name?: string };
type State = AuthState & { log: Logger };

function filtersOf(guildId: string, f: z.infer<typeof entryFilters>): Omit<EntriesQuery, 'cursor' | 'limit'> {
  return { guildId, account: f.account, asset: f.asset, type: f.type, status: f.status, since: f.since, until: f.until };
}

/** The guild's ledger for the dashboard and admins. Amounts are decimal strings. */
export function ledgerRoutes({ prisma }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/ledger' });
  const ledger = createLedger(prisma);
  const read = requireGuildToken(prisma, LEDGER_LEVELS.read);

  router.get('/assets', read, async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    ctx.body = { assets: toJsonSafe(await ledger.assets(guildId)) };
  });

  /**
   * Top holders of an asset: user accounts with a positive balance, highest first, paged by `cursor`
   * (which also carries the rank it stops at, for the deprecated `offset`/`nextOffset`).
   */
  router.get('/holders', read, async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const q = holdersQuery.parse(ctx.query);
    const key = q.cursor ? decodeKeyCursor(q.cursor, 3) : null;
    if (key && !key.every((part) => /^\d{1,19}$/.test(part))) throw new ValidationError('cursor: not a cursor this API returned (use nextCursor as it is).');
    const after = key ? { balance: BigInt(key[0]!), accountId: BigInt(key[1]!) } : undefined;
    const offset = key ? Number(key[2]) : (q.offset ?? 0);
    const page = await ledger.leaderboard({ guildId, asset: q.asset, limit: q.limit, offset: after ? 0 : offset, after });
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
  });

  router.get('/members/:userId/balances', read, async (ctx) => {
    const { guildId, userId: id } = ctx.params as GuildParams;
    const account: AccountRef = { ownerType: 'user', ownerId: userId.parse(id) };
    ctx.body = { account, balances: (await ledger.balances(guildId, account)).map((b) => toJsonSafe({ ...b, asset: b.asset.code })) };
  });

  router.get('/system/:name/balances', read, async (ctx) => {
    const { guildId, name } = ctx.params as GuildParams;
    const account: AccountRef = { ownerType: 'system', ownerId: systemName.parse(name) };
    ctx.body = { account, balances: (await ledger.balances(guildId, account)).map((b) => toJsonSafe({ ...b, asset: b.asset.code })) };
  });

  router.get('/accounts', read, async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const q = accountsQuery.parse(ctx.query);
    const page = await listAccounts(prisma, { guildId, ...q });
    ctx.body = { accounts: toJsonSafe(page.items), nextCursor: page.nextCursor };
  });

  /** Live entries only: archived ones are behind their checkpoint entry (and answer by key below). */
  router.get('/entries', read, async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const q = entriesQuery.parse(ctx.query);
    const page = await ledger.entries({ ...filtersOf(guildId, q), cursor: q.cursor, limit: q.limit });
    ctx.body = { entries: toJsonSafe(page.items), nextCursor: page.nextCursor };
  });

  /** Every matching entry as CSV, streamed batch by batch (see entriesCsv). */
  router.get('/entries.csv', read, async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const filters = filtersOf(guildId, entryFilters.parse(ctx.query));
    ctx.type = 'text/csv; charset=utf-8';
    ctx.set('Content-Disposition', `attachment; filename="ledger-${guildId}-${new Date().toISOString().slice(0, 10)}.csv"`);
    ctx.set('Cache-Control', 'no-store');
    const stream = entriesCsv(prisma, filters);
    stream.on('error', (err) => ctx.state.log.error({ err }, 'ledger CSV export failed mid-stream'));
    ctx.body = stream;
  });

  /** One entry by its idempotency key, live or archived. */
  router.get('/entries/:key', read, async (ctx) => {
    const { guildId, key } = ctx.params as GuildParams;
    const k = z.string().min(1).max(200).parse(key);
    const archived = await archivedEntry(prisma, k);
    const entry = archived?.entry ?? (await ledger.entry(k));
    if (!entry || entry.guildId !== guildId) throw new NotFoundError(`No ledger entry of this guild has the key "${k}".`);
    ctx.body = toJsonSafe({ entry, archived: archived ? { archivedAt: archived.archivedAt, checkpointEntryId: archived.checkpointEntryId } : null });
  });

  router.get('/stats', read, async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const q = statsQuery.parse(ctx.query);
    ctx.body = toJsonSafe(await ledgerStats(prisma, { guildId, ...q }));
  });

  /**
   * The validate() report for this guild, with the finished purchases, orders and withdrawals whose holds
   * disagree with them (`domainMismatches`): 200 whatever it finds; `ok` says whether both are clean.
   */
  router.post('/validate', requireGuildToken(prisma, LEDGER_LEVELS.validate), async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const [report, domain] = await Promise.all([ledger.validate(guildId), domainMismatches(poolOf(prisma), guildId)]);
    ctx.body = toJsonSafe({ ...report, ok: report.ok && domain.length === 0, domainMismatches: domain });
  });

  /** Archives posted and voided entries older than `olderThanDays` behind one checkpoint (archive.ts). */
  router.post('/archive', requireGuildToken(prisma, LEDGER_LEVELS.archive), async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const body = archiveBody.parse(await readJsonBody(ctx));
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
  });

  return router;
}
