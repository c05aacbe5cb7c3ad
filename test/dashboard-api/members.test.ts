import { saveMembers, markMemberLeft, type MemberRecord } from '../../lib/member-directory';
import { fund, SYSTEM } from '../helpers/ledger';
import { systemAccount, userAccount } from '../../activities/ledger';
import { startDashEnv, type DashEnv, type Json } from './helpers';

/**
 * GET …/members and …/members/:userId: the member directory with the ledger's balances and Roblox links,
 * in name order, searched, paged by cursor without duplicates or gaps while members join; mod level.
 */
jest.setTimeout(60_000);

let env: DashEnv;
let next = 0;
const userId = () => String(400000000000000000n + BigInt(process.pid) * 10_000n + BigInt((next += 1)));
const member = (displayName: string, extra: Partial<MemberRecord> = {}): MemberRecord => ({
  userId: userId(),
  username: displayName.toLowerCase().replace(/\W/g, '_'),
  displayName,
  avatarUrl: `https://cdn.example/${displayName}.png`,
  isBot: false,
  joinedAt: new Date('2026-11-01T00:00:00Z'),
  ...extra,
});

let ana: MemberRecord;
let bob: MemberRecord;
beforeAll(async () => {
  env = await startDashEnv();
  ana = member('Ana', { username: 'ana_the_great' });
  bob = member('bob');
  await saveMembers(env.prisma, env.guildId, [ana, bob, member('Carla'), member('Dmitri_%'), member('Évora')]);
  await fund(env.ledger, env.guildId, ana.userId, 150n);
  await env.ledger.transfer({ guildId: env.guildId, key: `gems:${ana.userId}`, type: 'daily', actor: SYSTEM, asset: 'gems', from: systemAccount('issuance'), to: userAccount(ana.userId), amount: 7n });
  await env.ledger.hold({ guildId: env.guildId, key: `hold:${ana.userId}`, type: 'purchase', actor: SYSTEM, asset: 'currency', from: userAccount(ana.userId), to: systemAccount('sink'), amount: 50n });
  await env.prisma.robloxLink.create({
    data: { guildId: env.guildId, userId: ana.userId, robloxId: 12345n, robloxName: 'AnaRbx', robloxDisplayName: 'Ana R', method: 'profile_phrase', verifiedAt: new Date('2026-11-02T00:00:00Z'), workflowId: 'w', runId: 'r' },
  });
});
afterAll(async () => {
  await env?.close();
});

const list = async (query: string, token = env.tokens.mod) => env.api('GET', `/members${query}`, { token });

it('lists members in name order with balances (every asset) and the Roblox link', async () => {
  const res = await list('');
  expect(res.status).toBe(200);
  expect(res.body.members.map((m: Json) => m.displayName)).toEqual(['Ana', 'bob', 'Carla', 'Dmitri_%', 'Évora']);
  expect(res.body.nextCursor).toBeNull();
  expect(res.body.members[0]).toEqual({
    userId: ana.userId,
    username: 'ana_the_great',
    displayName: 'Ana',
    avatarUrl: 'https://cdn.example/Ana.png',
    isBot: false,
    joinedAt: '2026-11-01T00:00:00.000Z',
    balances: [
      { asset: 'currency', balance: '150', held: '50', available: '100' },
      { asset: 'gems', balance: '7', held: '0', available: '7' },
    ],
    roblox: { id: '12345', name: 'AnaRbx', displayName: 'Ana R', verifiedAt: '2026-11-02T00:00:00.000Z' },
  });
  expect(res.body.members[1]).toMatchObject({ balances: [{ asset: 'currency', balance: '0' }, { asset: 'gems', balance: '0' }], roblox: null });
});

it('searches a part of the name or username, case-insensitively; % and _ are literal; an id prefix finds its member', async () => {
  expect((await list('?search=AN')).body.members.map((m: Json) => m.displayName)).toEqual(['Ana']);
  expect((await list('?search=the_gr')).body.members.map((m: Json) => m.displayName)).toEqual(['Ana']);
  expect((await list('?search=arl')).body.members.map((m: Json) => m.displayName)).toEqual(['Carla']);
  expect((await list('?search=_%25')).body.members.map((m: Json) => m.displayName)).toEqual(['Dmitri_%']);
  expect((await list('?search=%25')).body.members.map((m: Json) => m.displayName)).toEqual(['Dmitri_%']);
  expect((await list(`?search=${bob.userId}`)).body.members.map((m: Json) => m.displayName)).toEqual(['bob']);
  expect((await list('?search=zzz')).body).toEqual({ members: [], nextCursor: null });
});

it('members who left are not listed; the detail still answers with leftAt', async () => {
  const gone = member('Aaron Gone');
  await saveMembers(env.prisma, env.guildId, [gone]);
  expect((await list('?search=gone')).body.members).toHaveLength(1);
  await markMemberLeft(env.prisma, env.guildId, gone.userId);
  expect((await list('?search=gone')).body.members).toHaveLength(0);
  const detail = await env.api('GET', `/members/${gone.userId}`, { token: env.tokens.mod });
  expect(detail.status).toBe(200);
  expect(detail.body.leftAt).toEqual(expect.any(String));
});

it('pages by cursor without duplicates or gaps while members join between pages', async () => {
  const many = Array.from({ length: 60 }, (_, i) => member(`Pager ${String(i).padStart(3, '0')}`));
  await saveMembers(env.prisma, env.guildId, many);
  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const res: { status: number; body: Json } = await list(`?search=pager&limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
    expect(res.status).toBe(200);
    seen.push(...res.body.members.map((m: Json) => m.displayName));
    cursor = res.body.nextCursor;
    // Joins before and after the reader's position: the ones after appear once, the ones before never shift a page.
    pages += 1;
    await saveMembers(env.prisma, env.guildId, [member(`Pager ${String(pages * 10 - 5).padStart(3, '0')}a`), member(`Pager 000${pages}`)]);
  } while (cursor);
  expect(new Set(seen).size).toBe(seen.length);
  // Every original member, in order; joiners only where they sort after the page that was being read.
  const originals = seen.filter((n) => /^Pager \d{3}$/.test(n));
  expect(originals).toEqual(many.map((m) => m.displayName));
  expect(seen).toEqual([...seen].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()) || 0));
});

it('the detail: balances, Roblox link, inventory and statement links', async () => {
  const res = await env.api('GET', `/members/${ana.userId}`, { token: env.tokens.mod });
  expect(res.status).toBe(200);
  expect(res.body).toMatchObject({
    userId: ana.userId,
    displayName: 'Ana',
    leftAt: null,
    balances: [{ asset: 'currency', available: '100' }, { asset: 'gems', balance: '7' }],
    roblox: { name: 'AnaRbx' },
    inventory: [],
    links: { statement: `/api/guilds/${env.guildId}/ledger/entries?account=user:${ana.userId}`, statementCsv: `/api/guilds/${env.guildId}/ledger/entries.csv?account=user:${ana.userId}` },
  });
  const statement = await env.api('GET', res.body.links.statement.replace(`/api/guilds/${env.guildId}`, ''), { token: env.tokens.mod });
  expect(statement.status).toBe(200);
  expect(statement.body.entries.length).toBeGreaterThan(0);
});

it('clear errors: unknown member 404, bad id and bad cursor 400, member token 403', async () => {
  const unknown = await env.api('GET', '/members/123456789012345678', { token: env.tokens.mod });
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.message).toContain('123456789012345678');
  expect((await env.api('GET', '/members/not-an-id', { token: env.tokens.mod })).status).toBe(400);
  const badCursor = await list('?cursor=garbage');
  expect(badCursor.status).toBe(400);
  expect(badCursor.body.error.message).toContain('cursor');
  expect((await list('?limit=1000')).status).toBe(400);
  expect((await list('?sort=balance')).status).toBe(400);
  expect((await list('', env.tokens.user)).status).toBe(403);
  expect((await env.api('GET', `/members/${ana.userId}`, { token: env.tokens.user })).status).toBe(403);
});
