import { seededUser } from './dashboard-seed';
import { ascending, percentile } from './stats';
import type { BenchRow } from './types';

/**
 * The dashboard's lists through the API over HTTP: each asked `requests` times, one request at a time (a
 * dashboard's pace), after 10 that warm the plans and the pool; p50/p99 of each, target p99 < 100 ms.
 * Pages deep in a list are reached by their cursor, as the dashboard does.
 */

const TARGET_P99_MS = 100;

async function timeList(base: string, token: string, path: string, requests: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < requests + 10; i++) {
    const t0 = performance.now();
    const res = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.text();
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 300)}`);
    if (i >= 10) times.push(performance.now() - t0);
  }
  return times;
}

/** `base` is the guild's API root (…/api/guilds/<id>); `token` an admin API token of that guild. */
export async function benchLists(base: string, token: string, members: number, requests: number): Promise<BenchRow[]> {
  const get = async (path: string) => (await fetch(base + path, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<Record<string, unknown>>;
  /** The cursor `pages` pages into a list (the dashboard's "next" clicked that often). */
  const deepCursor = async (path: string, pages: number) => {
    let cursor: string | null = null;
    for (let i = 0; i < pages; i++) {
      const sep = path.includes('?') ? '&' : '?';
      const next = (await get(`${path}${cursor ? `${sep}cursor=${encodeURIComponent(cursor)}` : ''}`)).nextCursor as string | null;
      if (!next) break; // a smaller seed (BENCH_DASHBOARD_*): the last page there is
      cursor = next;
    }
    if (!cursor) throw new Error(`${path}: a single page`);
    return encodeURIComponent(cursor);
  };
  const someUser = seededUser(Math.floor(members / 2));
  const lists: [string, string][] = [
    ['members: first page', '/members?limit=50'],
    ['members: search "kar"', '/members?search=kar&limit=50'],
    ['members: search, no match', '/members?search=nobody-has-this&limit=50'],
    ['members: page 100 (cursor)', `/members?limit=50&cursor=${await deepCursor('/members?limit=50', 100)}`],
    ['member detail', `/members/${someUser}`],
    ['ledger entries: first page', '/ledger/entries?limit=50'],
    ['ledger entries: page 200 (cursor)', `/ledger/entries?limit=50&cursor=${await deepCursor('/ledger/entries?limit=50', 200)}`],
    ['ledger entries: type filter', '/ledger/entries?type=purchase&limit=50'],
    ['member statement', `/ledger/entries?account=user:${someUser}&limit=50`],
    ['ledger holders', '/ledger/holders?limit=50'],
    ['ledger holders: page 50 (cursor)', `/ledger/holders?limit=50&cursor=${await deepCursor('/ledger/holders?limit=50', 50)}`],
    ['ledger accounts', '/ledger/accounts?limit=100'],
    ['shop items', '/shop/items?limit=50'],
    ['task claims', '/tasks/claims?limit=50'],
    ['task claims: submitted', '/tasks/claims?status=submitted&limit=50'],
    ['task claims: page 100 (cursor)', `/tasks/claims?limit=50&cursor=${await deepCursor('/tasks/claims?limit=50', 100)}`],
    ['orders', '/orders?limit=50'],
    ['orders: page 100 (cursor)', `/orders?limit=50&cursor=${await deepCursor('/orders?limit=50', 100)}`],
    ['announcements', '/announcements?limit=50'],
    ['sync messages', '/sync?limit=50'],
    ['api tokens', '/api-tokens'],
    ['audit events', '/audit-events?limit=50'],
    ['audit events: page 100 (cursor)', `/audit-events?limit=50&cursor=${await deepCursor('/audit-events?limit=50', 100)}`],
  ];
  const rows: BenchRow[] = [];
  const misses: string[] = [];
  for (const [name, path] of lists) {
    const sorted = ascending(await timeList(base, token, path, requests));
    const [p50, p99] = [percentile(sorted, 0.5), percentile(sorted, 0.99)];
    rows.push({ metric: `${name} p50`, unit: 'ms', ours: p50, baseline: TARGET_P99_MS, baselineLabel: 'target p99' });
    rows.push({ metric: `${name} p99`, unit: 'ms', ours: p99, baseline: TARGET_P99_MS, baselineLabel: 'target p99' });
    if (p99 >= TARGET_P99_MS) misses.push(`${name} (p99 ${p99.toFixed(1)} ms)`);
  }
  console.log(misses.length ? `lists over the target: ${misses.join('; ')}` : `every list p99 < ${TARGET_P99_MS} ms`);
  return rows;
}
