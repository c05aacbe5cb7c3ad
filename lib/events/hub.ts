import pg from 'pg';
import type { Logger } from '../logger';
import { createSqlPool } from '../../prisma/client';

/**
 * The live-events hub of one API process: reads the `events` table (written by triggers in the same
 * transaction as each change: prisma/migrations/*_sync_announcements_events) and hands new rows to the
 * SSE streams of this process (api/routes/events.ts). It works across any number of API processes
 * because the database is the only thing they share:
 *
 * - `LISTEN gf_events`: shop items, purchases and sync states notify at commit → read at once;
 * - a tail poll every `pollMs` (an index-only `max(id)`): ledger entries record their event without
 *   NOTIFY, because a NOTIFY serialises the commits of every notifying transaction (measured: 8-client
 *   transfers/s ÷3.5), and balances are the hot path.
 *
 * One reader per process follows the global id order with one cursor. Ids are taken before commit, so
 * a slow transaction can commit a lower id after a higher one was read: ids skipped over are re-checked
 * for `lateMs` and delivered when they appear (rolled-back ones never do).
 */

export interface LiveEvent {
  id: string;
  guildId: string;
  kind: string;
  data: unknown;
  createdAt: string;
}

export interface EventHubOptions {
  /** A connection string for the hub's own LISTEN connection and reads (not the app's pool). */
  databaseUrl: string;
  log: Logger;
  pollMs?: number;
  /** How long a skipped id is waited for. */
  lateMs?: number;
}

export interface Subscriber {
  /** '*' for every guild's events (the leaderboard relay). */
  guildId: string;
  deliver(events: LiveEvent[]): void;
  close(): void;
}

interface Row {
  id: string;
  guild_id: string;
  kind: string;
  data: unknown;
  created_at: Date;
}

const BATCH = 1000;

export class EventHub {
  private readonly listener: pg.Client;
  private readonly pool: pg.Pool;
  private readonly log: Logger;
  private readonly pollMs: number;
  private readonly lateMs: number;
  private readonly subscribers = new Set<Subscriber>();
  /** Every event with an id ≤ cursor was delivered (or is in `missing`). */
  private cursor = 0n;
  private readonly missing = new Map<bigint, number>();
  private timer: NodeJS.Timeout | null = null;
  private reading: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(opts: EventHubOptions) {
    this.listener = new pg.Client({ connectionString: opts.databaseUrl });
    this.pool = createSqlPool({ connectionString: opts.databaseUrl, max: 2 }, opts.log);
    this.log = opts.log.child({ component: 'events' });
    this.pollMs = opts.pollMs ?? 250;
    this.lateMs = opts.lateMs ?? 10_000;
  }

  async start(): Promise<void> {
    const { rows } = await this.pool.query<{ max: string | null }>('SELECT max(id)::text AS max FROM events');
    this.cursor = BigInt(rows[0]?.max ?? '0');
    this.listener.on('notification', () => this.wake());
    this.listener.on('error', (err) => this.log.error({ err }, 'event listener connection failed; polling only'));
    await this.listener.connect();
    await this.listener.query('LISTEN gf_events');
    this.timer = setInterval(() => void this.poll(), this.pollMs);
    this.timer.unref();
    this.log.debug({ cursor: this.cursor.toString() }, 'event hub started');
  }

  subscribe(sub: Subscriber): () => void {
    if (this.stopped) {
      // A stream that arrives while the API stops ends at once (server.close would wait for it).
      queueMicrotask(() => sub.close());
      return () => undefined;
    }
    this.subscribers.add(sub);
    return () => this.subscribers.delete(sub);
  }

  /**
   * A guild's events after `afterId` (a resuming stream), oldest first, with their details, in batches;
   * only those of `kinds` when given (null: every kind).
   */
  async replay(guildId: string, afterId: bigint, kinds: ReadonlySet<string> | null = null): Promise<{ events: LiveEvent[]; truncated: boolean }> {
    const { rows } = await this.pool.query<Row>(
      'SELECT id::text, guild_id, kind, data, created_at FROM events WHERE guild_id = $1 AND id > $2 AND ($4::text[] IS NULL OR kind = ANY($4)) ORDER BY events.id LIMIT $3',
      [guildId, afterId.toString(), BATCH, kinds ? [...kinds] : null],
    );
    return { events: await this.enrich(rows), truncated: rows.length === BATCH };
  }

  /** The oldest event still kept (older ones were trimmed: a client behind it must reload). */
  async oldestId(): Promise<bigint | null> {
    const { rows } = await this.pool.query<{ min: string | null }>('SELECT min(id)::text AS min FROM events');
    return rows[0]?.min ? BigInt(rows[0].min) : null;
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    for (const sub of [...this.subscribers]) sub.close();
    this.subscribers.clear();
    await this.reading?.catch(() => undefined);
    await this.listener.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
  }

  private async poll(): Promise<void> {
    if (this.stopped || this.reading) return;
    try {
      const { rows } = await this.pool.query<{ max: string | null }>('SELECT max(id)::text AS max FROM events');
      if (BigInt(rows[0]?.max ?? '0') > this.cursor || this.missing.size) this.wake();
    } catch (err) {
      this.log.warn({ err }, 'event poll failed');
    }
  }

  private wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = this.read()
      .catch((err: unknown) => this.log.warn({ err }, 'reading events failed'))
      .finally(() => {
        this.reading = null;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  private async read(): Promise<void> {
    for (;;) {
      const late = [...this.missing.keys()];
      const { rows } = await this.pool.query<Row>(
        'SELECT id::text, guild_id, kind, data, created_at FROM events WHERE id > $1 OR id = ANY($2::bigint[]) ORDER BY events.id LIMIT $3',
        [this.cursor.toString(), late.map(String), BATCH],
      );
      // Enrich first: the cursor only moves past rows that were handed out.
      const events = rows.length && this.subscribers.size ? await this.enrich(rows) : [];
      const now = Date.now();
      let expected = this.cursor + 1n;
      for (const r of rows) {
        const id = BigInt(r.id);
        if (id <= this.cursor) {
          this.missing.delete(id);
          continue;
        }
        for (; expected < id; expected += 1n) this.missing.set(expected, now);
        expected = id + 1n;
        this.cursor = id;
      }
      for (const [id, since] of this.missing) if (now - since > this.lateMs) this.missing.delete(id);
      if (events.length) this.dispatch(events);
      if (rows.length < BATCH) return;
    }
  }

  private dispatch(events: LiveEvent[]): void {
    const byGuild = new Map<string, LiveEvent[]>();
    for (const e of events) byGuild.set(e.guildId, [...(byGuild.get(e.guildId) ?? []), e]);
    for (const sub of this.subscribers) {
      const mine = sub.guildId === '*' ? events : byGuild.get(sub.guildId);
      if (mine) sub.deliver(mine);
    }
  }

  /** Adds to balance events the movements they made (postings are immutable: a replay shows the same). */
  private async enrich(rows: Row[]): Promise<LiveEvent[]> {
    const entryIds = rows.filter((r) => r.kind === 'balance').map((r) => (r.data as { entryId: string }).entryId);
    const moves = new Map<string, unknown[]>();
    if (entryIds.length) {
      const { rows: postings } = await this.pool.query<{ entry_id: string; moves: unknown[] }>(
        `SELECT e.id::text AS entry_id, jsonb_agg(jsonb_build_object(
             'ownerType', a.owner_type, 'ownerId', a.owner_id, 'asset', s.code,
             'amount', COALESCE(p.amount, CASE WHEN a.id = h.debit_account_id THEN -h.amount ELSE h.amount END)::text,
             'balanceAfter', p.balance_after::text, 'held', (p.amount IS NULL))) AS moves
           FROM ledger_entries e
           LEFT JOIN ledger_holds h ON h.entry_id = e.id
           JOIN ledger_accounts a ON a.id IN (SELECT account_id FROM ledger_postings WHERE entry_id = e.id)
                                  OR (e.status = 'pending' AND a.id IN (h.debit_account_id, h.credit_account_id))
           JOIN ledger_assets s ON s.id = a.asset_id
           LEFT JOIN ledger_postings p ON p.entry_id = e.id AND p.account_id = a.id
          WHERE e.id = ANY($1::bigint[])
          GROUP BY e.id`,
        [entryIds],
      );
      for (const p of postings) moves.set(p.entry_id, p.moves);
    }
    return rows.map((r) => {
      const data = r.kind === 'balance' ? { ...(r.data as object), moves: moves.get((r.data as { entryId: string }).entryId) ?? [] } : r.data;
      return { id: r.id, guildId: r.guild_id, kind: r.kind, data, createdAt: r.created_at.toISOString() };
    });
  }
}
