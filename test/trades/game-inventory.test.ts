import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../api/app';
import { registerGame } from '../../activities/trades';
import { cancelWithdrawalUpdate, withdrawStatusQuery } from '../../lib/flows/trades';
import { createLogger } from '../../lib/logger';
import { createGameServerClient } from '../fakes/game-server-client';
import { createGuild } from '../helpers/ledger';
import { member, newRobloxId, startTradeEnv, waitFor, type TradeEnv } from './helpers';

/**
 * The game's read of a linked player's inventory (GET /roblox/v1/players/:id/inventory) and the per-game
 * request budget on /roblox/v1, through the real app and the harness's own signing client.
 */
let env: TradeEnv;

beforeAll(async () => {
  env = await startTradeEnv();
  await env.startWorker();
});
afterAll(async () => {
  await env?.close();
});

const code = (json: unknown) => (json as { error?: { code?: string } }).error?.code;
const inventoryPath = (robloxId: bigint | string) => `/roblox/v1/players/${robloxId}/inventory`;

describe('GET /roblox/v1/players/:robloxUserId/inventory', () => {
  it('returns the exact gems (held by a pending withdrawal included) and pet stacks, deleted species left out', async () => {
    const user = member(env, 'inv');
    const robloxId = await env.link(user);
    const tag = Date.now().toString(36);
    const alpha = await env.species(`alpha${tag}`, 50n);
    const beta = await env.species(`beta${tag}`, 80n, 'epic');
    const gone = await env.species(`gone${tag}`, 10n, 'common');
    await env.giveGems(user, 500n);
    await env.givePets(user, alpha.id, 2);
    await env.givePets(user, alpha.id, 1, 'shiny');
    await env.givePets(user, beta.id, 4, 'rainbow');
    await env.givePets(user, gone.id, 5);
    await env.prisma.petSpecies.update({ where: { id: gone.id }, data: { deletedAt: new Date() } });

    const handle = await env.startWithdraw({ userId: user, gems: '120', pets: [{ speciesId: beta.id, variant: 'rainbow', quantity: 1 }] });
    await waitFor(() => handle.query(withdrawStatusQuery).catch(() => null), (s) => s?.status === 'waiting');

    const game = env.client();
    const res = await game.request('GET', inventoryPath(robloxId));
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      robloxUserId: String(robloxId),
      discordUserId: user,
      gems: { balance: '500', held: '120', available: '380' },
      pets: [
        { species: alpha.key, name: alpha.name, variant: 'normal', quantity: 2 },
        { species: alpha.key, name: alpha.name, variant: 'shiny', quantity: 1 },
        // The rainbow beta in escrow is the pending withdrawal's (GET /withdrawals lists it), not here.
        { species: beta.key, name: beta.name, variant: 'rainbow', quantity: 3 },
      ],
    });

    // Cancelled: the hold is released and the pet comes back, and the read says so.
    await handle.executeUpdate(cancelWithdrawalUpdate, { args: [{ by: user }] });
    expect((await handle.result()).status).toBe('cancelled');
    const after = await game.request('GET', inventoryPath(robloxId));
    expect(after.json).toMatchObject({ gems: { balance: '500', held: '0', available: '500' }, pets: [{ quantity: 2 }, { quantity: 1 }, { species: beta.key, variant: 'rainbow', quantity: 4 }] });
  });

  it('answers a linked player without anything with zeros and no pets', async () => {
    const robloxId = await env.link(member(env, 'empty'));
    const res = await env.client().request('GET', inventoryPath(robloxId));
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ gems: { balance: '0', held: '0', available: '0' }, pets: [] });
  });

  it("is 404 not_linked for a player linked nowhere and for one linked only in another guild's server", async () => {
    const nowhere = await env.client().request('GET', inventoryPath(newRobloxId()));
    expect({ status: nowhere.status, code: code(nowhere.json) }).toEqual({ status: 404, code: 'not_linked' });

    const otherGuild = await createGuild(env.prisma);
    const elsewhere = newRobloxId();
    await env.prisma.robloxLink.create({
      data: { guildId: otherGuild, userId: '300000000000000001', robloxId: elsewhere, robloxName: 'elsewhere', robloxDisplayName: 'Elsewhere', method: 'admin', linkedBy: 'discord:test-admin', verifiedAt: new Date(), workflowId: 'test-link:elsewhere', runId: 'run-elsewhere' },
    });
    const res = await env.client().request('GET', inventoryPath(elsewhere));
    expect({ status: res.status, code: code(res.json) }).toEqual({ status: 404, code: 'not_linked' });
    expect(JSON.stringify(res.json)).not.toContain('300000000000000001');
  });

  it('is 400 for a robloxUserId that is not a positive whole number', async () => {
    for (const bad of ['abc', '0', '-5', '1.5', '12345678901234567890']) {
      const res = await env.client().request('GET', inventoryPath(bad));
      expect({ bad, status: res.status, code: code(res.json) }).toEqual({ bad, status: 400, code: 'invalid_input' });
    }
  });

  it('is 401 unsigned or with a bad signature, like every game route', async () => {
    const robloxId = await env.link(member(env, 'unsigned'));
    const unsigned = await fetch(`${env.baseUrl}${inventoryPath(robloxId)}`);
    expect({ status: unsigned.status, code: code(await unsigned.json()) }).toEqual({ status: 401, code: 'missing_headers' });
    const forged = await env.client().request('GET', inventoryPath(robloxId), undefined, { tamper: 'signature' });
    expect({ status: forged.status, code: code(forged.json) }).toEqual({ status: 401, code: 'bad_signature' });
    const wrongSecret = await env.client({ secret: 'not-the-secret-but-long-enough-0123456789' }).request('GET', inventoryPath(robloxId));
    expect({ status: wrongSecret.status, code: code(wrongSecret.json) }).toEqual({ status: 401, code: 'bad_signature' });
  });
});

describe('per-game rate limit on /roblox/v1', () => {
  const BURST = 3;
  let server: Server;
  let baseUrl: string;

  beforeAll(async () => {
    // Its own app, with a budget so small nothing refills during the test (one token per 1000 s).
    const app = createApp({ prisma: env.prisma, log: createLogger({ level: 'silent', pretty: false }), readiness: [], codes: env.keyring, gameRateLimit: { perSecond: 0.001, burst: BURST } });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
  });

  const lastServer = async (id: string) => (await env.prisma.robloxGame.findUniqueOrThrow({ where: { id } })).lastServerId;

  it('answers 429 with Retry-After beyond the burst, changes nothing, and leaves other games their budget', async () => {
    const noisy = await registerGame(env.prisma, env.keyring, { guildId: env.demo.guild.id, name: 'Noisy game' }, { actorType: 'user', actorId: 'discord:test-admin' });
    const quiet = await registerGame(env.prisma, env.keyring, { guildId: env.demo.guild.id, name: 'Quiet game' }, { actorType: 'user', actorId: 'discord:test-admin' });
    const noisyClient = createGameServerClient({ baseUrl, gameId: noisy.id, secret: noisy.secret });
    const quietClient = createGameServerClient({ baseUrl, gameId: quiet.id, secret: quiet.secret });

    for (let i = 0; i < BURST; i++) expect((await noisyClient.request('POST', '/roblox/v1/heartbeat', { serverId: `noisy-${i}` })).status).toBe(200);
    expect(await lastServer(noisy.id)).toBe(`noisy-${BURST - 1}`);

    const refused = await noisyClient.request('POST', '/roblox/v1/heartbeat', { serverId: 'over-the-limit' });
    expect(refused.status).toBe(429);
    expect(code(refused.json)).toBe('rate_limited');
    const retryAfter = Number(refused.headers['retry-after']);
    expect(Number.isInteger(retryAfter) && retryAfter >= 1 && retryAfter <= 1000).toBe(true);
    expect((refused.json as { error: { details: unknown } }).error.details).toEqual({ retryAfterSeconds: retryAfter });
    expect(await lastServer(noisy.id)).toBe(`noisy-${BURST - 1}`);
    // Every route of the game is behind the same budget.
    expect((await noisyClient.request('GET', inventoryPath(newRobloxId()))).status).toBe(429);

    // Another game of the same guild still has its whole burst.
    for (let i = 0; i < BURST; i++) expect((await quietClient.request('POST', '/roblox/v1/heartbeat', { serverId: `quiet-${i}` })).status).toBe(200);
    expect(await lastServer(quiet.id)).toBe(`quiet-${BURST - 1}`);
  });

  it("spends no game's tokens on requests that fail the signature (a forged game id cannot drain it)", async () => {
    const target = await registerGame(env.prisma, env.keyring, { guildId: env.demo.guild.id, name: 'Target game' }, { actorType: 'user', actorId: 'discord:test-admin' });
    const forger = createGameServerClient({ baseUrl, gameId: target.id, secret: 'not-the-secret-but-long-enough-0123456789' });
    for (let i = 0; i < BURST * 3; i++) expect((await forger.request('POST', '/roblox/v1/heartbeat', { serverId: 'forged' })).status).toBe(401);
    const real = createGameServerClient({ baseUrl, gameId: target.id, secret: target.secret });
    for (let i = 0; i < BURST; i++) expect((await real.request('POST', '/roblox/v1/heartbeat', { serverId: `real-${i}` })).status).toBe(200);
    expect((await real.request('POST', '/roblox/v1/heartbeat', { serverId: 'one-more' })).status).toBe(429);
  });
});
