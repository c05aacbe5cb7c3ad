import pg from 'pg';

/**
 * Where the time of one operation goes, statement by statement: the operation runs `ops` times, one at a
 * time, on a pool of one connection with auto_explain loaded for the session (EXPLAIN ANALYZE, BUFFERS
 * and WAL of every statement, nested ones too — those inside PL/pgSQL functions, triggers and foreign-key
 * checks — sent back as NOTICEs, so no server log or preloaded library is needed; the role must be a
 * superuser, as the bench's is). Per-node timing is off (it would inflate small statements); each
 * statement's duration is still measured. Beside the server's figures, each statement the client sends
 * is timed from the client: its round trip, commit included.
 */
export interface StatementStat {
  /** 'client' (a round trip the client made), 'server' (a statement the server executed), 'trigger'. */
  side: 'client' | 'server' | 'trigger';
  statement: string;
  callsPerOp: number;
  meanMs: number;
  /** Shared buffers hit + read per call, and WAL bytes per call (server statements). */
  buffersPerCall?: number;
  walBytesPerCall?: number;
}

const AUTO_EXPLAIN = {
  session_preload_libraries: 'auto_explain',
  'auto_explain.log_min_duration': '0',
  'auto_explain.log_analyze': 'on',
  'auto_explain.log_timing': 'off',
  'auto_explain.log_buffers': 'on',
  'auto_explain.log_wal': 'on',
  'auto_explain.log_triggers': 'on',
  'auto_explain.log_nested_statements': 'on',
  'auto_explain.log_format': 'json',
  'auto_explain.log_level': 'notice',
};

interface Acc {
  side: StatementStat['side'];
  statement: string;
  calls: number;
  ms: number;
  buffers: number;
  wal: number;
}

interface PlanNode {
  'Shared Hit Blocks'?: number;
  'Shared Read Blocks'?: number;
  'WAL Bytes'?: number;
  Plans?: PlanNode[];
}

/** Whitespace collapsed, the catalog qualifiers of foreign-key checks dropped, at most 90 characters. */
function shortStatement(text: string): string {
  const s = text
    .replace(/\s+/g, ' ')
    .replace(/OPERATOR\(pg_catalog\.(.)\)/g, '$1')
    .replace(/"public"\./g, '')
    .trim();
  return s.length > 90 ? `${s.slice(0, 87)}...` : s;
}

export async function statementBreakdown(url: string, ops: number, op: (pool: pg.Pool) => Promise<unknown>): Promise<StatementStat[]> {
  const options = Object.entries(AUTO_EXPLAIN)
    .map(([k, v]) => `-c ${k}=${v}`)
    .join(' ');
  const pool = new pg.Pool({ connectionString: url, max: 1, options });
  const acc = new Map<string, Acc>();
  const add = (side: Acc['side'], statement: string, ms: number, buffers = 0, wal = 0) => {
    const key = `${side} ${statement}`;
    const a = acc.get(key) ?? { side, statement, calls: 0, ms: 0, buffers: 0, wal: 0 };
    a.calls += 1;
    a.ms += ms;
    a.buffers += buffers;
    a.wal += wal;
    acc.set(key, a);
  };
  let counting = false;
  pool.on('connect', (client) => {
    client.on('notice', (notice) => {
      const m = /^duration: ([0-9.]+) ms {2}plan:\n([\s\S]*)$/.exec(notice.message ?? '');
      if (!m || !counting) return;
      const explained = JSON.parse(m[2]!) as { 'Query Text': string; Plan: PlanNode; Triggers?: { 'Trigger Name': string; Relation?: string; Calls: number }[] };
      const plan = explained.Plan;
      add('server', shortStatement(explained['Query Text']), Number(m[1]), (plan['Shared Hit Blocks'] ?? 0) + (plan['Shared Read Blocks'] ?? 0), plan['WAL Bytes'] ?? 0);
      for (const t of explained.Triggers ?? []) {
        for (let i = 0; i < t.Calls; i++) add('trigger', `${t['Trigger Name']}${t.Relation ? ` on ${t.Relation}` : ''}`, 0);
      }
    });
    // Each statement the client sends, timed from here (pg queues them per connection: one in flight),
    // in both of pg's forms: a promise, or a callback (pg.Pool#query calls its client that way).
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const first = args[0] as string | { text: string };
      const t0 = performance.now();
      const done = () => {
        if (counting) add('client', shortStatement(typeof first === 'string' ? first : first.text), performance.now() - t0);
      };
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        return query(...args.slice(0, -1), (...results: unknown[]) => {
          done();
          (last as (...r: unknown[]) => void)(...results);
        });
      }
      return (query(...args) as Promise<unknown>).finally(done);
    };
  });
  try {
    await pool.connect().then(
      (client) => client.release(),
      (err: Error & { code?: string }) => {
        if (err.code !== '42501') throw err;
        throw new Error(`The statement breakdown loads auto_explain for its session, which takes a superuser role (TEST_DATABASE_ADMIN_URL): ${err.message}`);
      },
    );
    for (let i = 0; i < 20; i++) await op(pool); // plans cached
    counting = true;
    for (let i = 0; i < ops; i++) await op(pool);
    counting = false;
  } finally {
    await pool.end();
  }
  return [...acc.values()].map((a) => ({
    side: a.side,
    statement: a.statement,
    callsPerOp: a.calls / ops,
    meanMs: a.ms / a.calls,
    ...(a.side === 'server' ? { buffersPerCall: a.buffers / a.calls, walBytesPerCall: a.wal / a.calls } : {}),
  }));
}

/** The breakdown as a table: client round trips first, then server statements by time per operation. */
export function breakdownTable(title: string, stats: StatementStat[]): string {
  const order = { client: 0, server: 1, trigger: 2 };
  const sorted = [...stats].sort((a, b) => order[a.side] - order[b.side] || b.callsPerOp * b.meanMs - a.callsPerOp * a.meanMs);
  const lines = [
    ['side', 'statement', 'calls/op', 'mean ms', 'ms/op', 'buffers', 'WAL B'],
    ...sorted.map((s) => [
      s.side,
      s.statement,
      s.callsPerOp.toFixed(2),
      s.side === 'trigger' ? '' : s.meanMs.toFixed(3),
      s.side === 'trigger' ? '' : (s.meanMs * s.callsPerOp).toFixed(3),
      s.buffersPerCall === undefined ? '' : s.buffersPerCall.toFixed(1),
      s.walBytesPerCall === undefined ? '' : s.walBytesPerCall.toFixed(0),
    ]),
  ];
  const widths = lines[0]!.map((_, i) => Math.max(...lines.map((l) => l[i]!.length)));
  return [title, ...lines.map((l) => l.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd())].join('\n');
}

/** WAL written per operation by the statements the client sent (nested ones are inside theirs). */
export function walPerOp(stats: StatementStat[]): number {
  const sent = new Set(stats.filter((s) => s.side === 'client').map((s) => s.statement));
  return stats.filter((s) => s.side === 'server' && sent.has(s.statement)).reduce((n, s) => n + s.callsPerOp * (s.walBytesPerCall ?? 0), 0);
}
