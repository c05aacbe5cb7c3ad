import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { createGuildDirectory } from '../../lib/discord/guild-directory';
import { closeDiscordRest, createDiscordRest } from '../../lib/discord/rest';
import { createLogger } from '../../lib/logger';
import { itemOf, newMember, ownCard, startTradeEnv, type TradeEnv } from './helpers';

/**
 * The card trade routes in-process against the worker-level env: members act with their own tokens (the
 * acting member is the token's owner), the same validated updates as the buttons, ratings once, messages
 * for the two parties only, public profiles.
 */
describe('card trade API', () => {
  let env: TradeEnv;
  let server: Server;
  let base: string;
  let rest: ReturnType<typeof createDiscordRest>;

  beforeAll(async () => {
    env = await startTradeEnv();
    await env.startWorker();
    rest = createDiscordRest({ DISCORD_TOKEN: env.discord.token, DISCORD_API_URL: env.discord.restUrl });
    const app = createApp({ prisma: env.prisma, log: createLogger({ level: 'silent' }), readiness: [], guildDirectory: createGuildDirectory(rest!), temporal: env.temporal.client, taskQueue: env.taskQueue });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${env.demo.guild.id}`;
    // A database, a workflow bundle and a worker on a loaded machine.
  }, 180_000);
  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    closeDiscordRest(rest);
    await env?.close();
  });

  const tokenOf = async (userId: string) =>
    (await createApiToken(env.prisma, { guildId: env.demo.guild.id, name: `member ${userId}`, level: 'user', createdBy: `discord:${userId}`, creatorLevel: 'owner' })).token;

  async function call(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
    return { status: res.status, body: (await res.json()) as any };
  }

  it('propose → accept → confirm both → completed, rated once; messages and reads only for the parties', async () => {
    const alice = newMember(env, 'alice');
    const bob = newMember(env, 'bob');
    const eve = newMember(env, 'eve');
    const [ta, tb, te] = [await tokenOf(alice), await tokenOf(bob), await tokenOf(eve)];
    const card = await ownCard(env, alice, 2, 'Counterspell');

    const proposed = await call(ta, 'POST', '/card-trades', { recipientId: bob, offered: [{ collectionItemId: card, quantity: 1 }], requestId: 'r1' });
    expect(proposed.status).toBe(201);
    const id = proposed.body.proposalId as string;
    // The same request again finds the same proposal: nothing reserved twice.
    expect((await call(ta, 'POST', '/card-trades', { recipientId: bob, offered: [{ collectionItemId: card, quantity: 1 }], requestId: 'r1' })).body.proposalId).toBe(id);
    expect((await itemOf(env, card)).reserved).toBe(1);
    const tooMany = await call(ta, 'POST', '/card-trades', { recipientId: bob, offered: [{ collectionItemId: card, quantity: 2 }] });
    expect(tooMany).toMatchObject({ status: 409, body: { error: { code: 'trade_refused' } } });
    const cash = await call(ta, 'POST', '/card-trades', { recipientId: bob, offered: [{ collectionItemId: card, quantity: 1 }], cashCents: 500, cashPayer: 'them' });
    expect(cash.status).toBe(409);
    expect(cash.body.error.message).toMatch(/Cash trades are not available yet/);

    const read = await call(tb, 'GET', `/card-trades/${id}`);
    expect(read).toMatchObject({ status: 200, body: { status: 'proposed', turnUserId: bob, flow: { status: 'RUNNING', state: { status: 'proposed' } } } });
    expect(read.body.lines).toEqual([{ fromUserId: alice, collectionItemId: card, quantity: 1, name: 'Counterspell' }]);
    expect((await call(te, 'GET', `/card-trades/${id}`)).status).toBe(404);
    expect((await call(tb, 'GET', '/card-trades')).body.items.map((p: { id: string }) => p.id)).toContain(id);

    expect((await call(ta, 'POST', `/card-trades/${id}/respond`, { action: 'accept' })).status).toBe(409);
    expect(await call(tb, 'POST', `/card-trades/${id}/respond`, { action: 'accept' })).toMatchObject({ status: 200, body: { ok: true, status: 'accepted' } });
    expect((await call(ta, 'POST', `/card-trades/${id}/confirm`)).body.ok).toBe(true);
    expect((await call(ta, 'POST', `/card-trades/${id}/rate`, { stars: 5 })).status).toBe(409);
    expect((await call(tb, 'POST', `/card-trades/${id}/confirm`)).body.ok).toBe(true);
    await env.temporal.client.workflow.getHandle(`card-trade:${id}`).result();

    expect((await call(ta, 'POST', `/card-trades/${id}/rate`, { stars: 5, comment: 'fast shipping' })).status).toBe(201);
    expect(await call(ta, 'POST', `/card-trades/${id}/rate`, { stars: 4 })).toMatchObject({ status: 409, body: { error: { code: 'already_rated' } } });
    expect((await call(te, 'POST', `/card-trades/${id}/rate`, { stars: 1 })).status).toBe(404);

    expect((await call(ta, 'POST', `/card-trades/${id}/messages`, { body: 'thanks!' })).status).toBe(201);
    expect((await call(tb, 'GET', `/card-trades/${id}/messages`)).body.items).toMatchObject([{ authorId: alice, body: 'thanks!' }]);
    expect((await call(te, 'GET', `/card-trades/${id}/messages`)).status).toBe(404);

    const profile = await call(te, 'GET', `/card-profiles/${bob}`);
    expect(profile.body).toMatchObject({ userId: bob, tier: 'Bronze', completedTrades: 1, averageRating: 5, ratings: 1, disputesLost: 0, lists: { collection: 1 } });
  });
});
