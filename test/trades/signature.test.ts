import { createHmac } from 'node:crypto';
import { gameSecretRow } from '../../lib/crypto/codes';
import { httpRequest } from '../fakes/http-fake';
import { startTradeEnv, type TradeEnv } from './helpers';

/**
 * The signed game-server API (/roblox/v1): the harness's client signs on its own (not with
 * lib/roblox/game-signature), so these prove the server checks exactly the documented scheme. Every
 * refusal is a 401 with a reason code, and nothing changed (the heartbeat's row, the nonce table).
 */
let env: TradeEnv;
const FIXED = new Date('2026-11-25T01:00:00Z');
const at = (seconds: number) => () => new Date(FIXED.getTime() + seconds * 1000);

beforeAll(async () => {
  env = await startTradeEnv();
});
afterAll(async () => {
  await env?.close();
});
beforeEach(() => {
  env.serverNow.value = FIXED;
});

const heartbeatAt = async () => (await env.prisma.robloxGame.findUniqueOrThrow({ where: { id: env.game.id } })).lastHeartbeatAt;
const nonces = () => env.prisma.robloxGameNonce.count({ where: { gameId: env.game.id } });
const code = (json: unknown) => (json as { error?: { code?: string } }).error?.code;

async function refusedWithoutChange(send: () => Promise<{ status: number; json: unknown }>, reason: string): Promise<void> {
  const before = { beat: await heartbeatAt(), nonces: await nonces() };
  const res = await send();
  expect({ status: res.status, code: code(res.json) }).toEqual({ status: 401, code: reason });
  expect({ beat: await heartbeatAt(), nonces: await nonces() }).toEqual(before);
}

it.each([
  ['299 s behind', -299],
  ['299 s ahead', 299],
  ['on time', 0],
])('accepts a request whose timestamp is %s the server clock', async (_, offset) => {
  const res = await env.client({ clock: at(offset) }).request('POST', '/roblox/v1/heartbeat', { serverId: `srv-${offset}`, players: [1, 2] });
  expect(res.status).toBe(200);
  expect(res.json).toEqual({ ok: true, serverTime: Math.floor(FIXED.getTime() / 1000) });
  const game = await env.prisma.robloxGame.findUniqueOrThrow({ where: { id: env.game.id } });
  expect(game.lastServerId).toBe(`srv-${offset}`);
  expect(game.lastPlayerCount).toBe(2);
});

it.each([
  ['301 s behind', -301],
  ['301 s ahead', 301],
])('refuses a timestamp %s: 401 stale_timestamp, nothing changed', async (_, offset) => {
  await refusedWithoutChange(() => env.client({ clock: at(offset) }).request('POST', '/roblox/v1/heartbeat', { serverId: 'late' }), 'stale_timestamp');
});

it('refuses a reused nonce within the window, also in a second API process on the same database', async () => {
  const client = env.client({ clock: at(0) });
  expect((await client.request('POST', '/roblox/v1/heartbeat', { serverId: 'first' })).status).toBe(200);
  await refusedWithoutChange(() => client.request('POST', '/roblox/v1/heartbeat', { serverId: 'first' }, { tamper: 'reuse-nonce' }), 'nonce_reused');
  // The same signed request replayed against another API process: the database decides.
  const other = await env.game2Url();
  const nonce = 'replayed-nonce-0123456789';
  const ts = String(Math.floor(FIXED.getTime() / 1000));
  const body = JSON.stringify({ serverId: 'replay' });
  const sig = createHmac('sha256', env.game.secret).update(`${ts}\n${nonce}\nPOST\n/roblox/v1/heartbeat\n${body}`).digest('hex');
  const headers = { 'Content-Type': 'application/json', 'X-Guildflow-Game': env.game.id, 'X-Guildflow-Timestamp': ts, 'X-Guildflow-Nonce': nonce, 'X-Guildflow-Signature': sig };
  expect((await httpRequest(`${env.baseUrl}/roblox/v1/heartbeat`, { method: 'POST', headers, body })).status).toBe(200);
  const replay = await httpRequest(`${other}/roblox/v1/heartbeat`, { method: 'POST', headers, body });
  expect({ status: replay.status, code: code(replay.json) }).toEqual({ status: 401, code: 'nonce_reused' });
});

it('refuses a body changed by one byte after signing: 401 bad_signature', async () => {
  await refusedWithoutChange(() => env.client({ clock: at(0) }).request('POST', '/roblox/v1/heartbeat', { serverId: 'tampered' }, { tamper: 'body' }), 'bad_signature');
});

it('refuses a wrong secret and a flipped signature: 401 bad_signature', async () => {
  await refusedWithoutChange(() => env.client({ clock: at(0), secret: 'not-the-secret-but-long-enough-0123456789' }).request('POST', '/roblox/v1/heartbeat', { serverId: 'x' }), 'bad_signature');
  await refusedWithoutChange(() => env.client({ clock: at(0) }).request('POST', '/roblox/v1/heartbeat', { serverId: 'x' }, { tamper: 'signature' }), 'bad_signature');
});

it('refuses the signature of another path or method (the path with its query is signed)', async () => {
  const ts = String(Math.floor(FIXED.getTime() / 1000));
  const nonce = 'path-nonce-0123456789abc';
  const sig = createHmac('sha256', env.game.secret).update(`${ts}\n${nonce}\nGET\n/roblox/v1/withdrawals?players=1\n`).digest('hex');
  const res = await httpRequest(`${env.baseUrl}/roblox/v1/withdrawals?players=2`, {
    method: 'GET',
    headers: { 'X-Guildflow-Game': env.game.id, 'X-Guildflow-Timestamp': ts, 'X-Guildflow-Nonce': nonce, 'X-Guildflow-Signature': sig },
  });
  expect({ status: res.status, code: code(res.json) }).toEqual({ status: 401, code: 'bad_signature' });
});

it.each(['X-Guildflow-Game', 'X-Guildflow-Timestamp', 'X-Guildflow-Nonce', 'X-Guildflow-Signature'])('refuses a request without %s: 401 missing_headers', async (name) => {
  await refusedWithoutChange(() => env.client({ clock: at(0) }).request('POST', '/roblox/v1/heartbeat', { serverId: 'x' }, { headers: { [name]: '' } }), 'missing_headers');
});

it('refuses an unknown game and a malformed nonce', async () => {
  await refusedWithoutChange(() => env.client({ clock: at(0), gameId: 'g_unknown_game' }).request('POST', '/roblox/v1/heartbeat', {}), 'unknown_game');
  await refusedWithoutChange(() => env.client({ clock: at(0) }).request('POST', '/roblox/v1/heartbeat', {}, { headers: { 'X-Guildflow-Nonce': 'short' } }), 'bad_nonce');
});

it('stores the game secret encrypted, never in clear', async () => {
  const row = await env.prisma.robloxGame.findUniqueOrThrow({ where: { id: env.game.id } });
  expect(Buffer.from(row.secretCiphertext).toString('utf8')).not.toContain(env.game.secret);
  expect(env.keyring.decrypt({ ciphertext: Buffer.from(row.secretCiphertext), iv: Buffer.from(row.secretIv), authTag: Buffer.from(row.secretAuthTag), keyId: row.secretKeyId }, gameSecretRow(row.guildId, row.id))).toBe(env.game.secret);
});

it('resolves a linked Roblox player to the Discord member, and says when one is not linked', async () => {
  const robloxId = await env.link(env.demo.member.id);
  const ok = await env.client({ clock: at(0) }).request('GET', `/roblox/v1/links/${robloxId}`);
  expect(ok.status).toBe(200);
  expect(ok.json).toMatchObject({ linked: true, discordUserId: env.demo.member.id, robloxUserId: String(robloxId) });
  const missing = await env.client({ clock: at(0) }).request('GET', '/roblox/v1/links/123456');
  expect({ status: missing.status, code: code(missing.json) }).toEqual({ status: 404, code: 'not_linked' });
});
