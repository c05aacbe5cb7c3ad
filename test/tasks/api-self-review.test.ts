import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { createGuildDirectory } from '../../lib/discord/guild-directory';
import { closeDiscordRest, createDiscordRest } from '../../lib/discord/rest';
import { createLogger } from '../../lib/logger';
import { answer, balanceOf, claimRow, clickClaim, postedTask, reviewPost, startTasksEnv, waitForClaim, type TasksEnv } from './helpers';

/**
 * A token acts for the member who minted it: their review through the API is theirs, so nobody reviews
 * (or revokes) their own claim through a token, and the decision records the person, not the token.
 */
describe('task review through a person’s API token', () => {
  let env: TasksEnv;
  let rest: ReturnType<typeof createDiscordRest>;
  let server: Server;
  let base: string;
  let claimant: string;
  const tokens = { claimant: '', reviewer: '' };

  beforeAll(async () => {
    env = await startTasksEnv();
    await env.startWorker();
    // An admin who also does tasks, with a token minted in Discord; and another admin's token.
    const user = env.discord.createUser({ username: 'admin-who-claims' });
    env.discord.addMember(env.guildId, user.id, { roles: [env.demo.roles.admin.id] });
    claimant = user.id;
    const mint = async (userId: string) =>
      (await createApiToken(env.prisma, { guildId: env.guildId, name: `token of ${userId}`, level: 'admin', createdBy: `discord:${userId}`, creatorLevel: 'admin' })).token;
    tokens.claimant = await mint(claimant);
    tokens.reviewer = await mint(env.demo.admin.id);
    rest = createDiscordRest({ DISCORD_TOKEN: env.discord.token, DISCORD_API_URL: env.discord.restUrl });
    const app = createApp({
      prisma: env.prisma,
      log: createLogger({ level: 'silent' }),
      readiness: [],
      temporal: env.temporal.client,
      taskQueue: env.taskQueue,
      guildDirectory: createGuildDirectory(rest!),
    });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${env.guildId}/tasks`;
  });
  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    closeDiscordRest(rest);
    await env?.close();
  });

  async function call(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  }

  it('the claimant’s own token cannot accept their proof (403, nothing paid); another admin’s can, recorded as that admin', async () => {
    const created = await call(tokens.reviewer, 'POST', '', { name: 'Self-review bait', reward: '90' });
    expect(created.status).toBe(201);
    const task = await postedTask(env, created.body!.id as number);

    expect(await answer(clickClaim(env, task, claimant))).toContain('You claimed');
    await answer(env.discord.slash(env.guildId, claimant, 'task', { task: `#${task.id}`, proof: 'did it myself' }, { subcommand: 'submit' }));
    await reviewPost(env, task.id, claimant);

    const own = await call(tokens.claimant, 'POST', `/${task.id}/claims/${claimant}/review`, { decision: 'accept' });
    expect(own.status).toBe(403);
    expect(own.body?.error.message).toBe(`You cannot review your own proof: this token acts for member ${claimant}, whose claim it is.`);
    expect((await claimRow(env, task.id, claimant))?.status).toBe('submitted');
    expect(await balanceOf(env, claimant)).toBe(0n);

    const accepted = await call(tokens.reviewer, 'POST', `/${task.id}/claims/${claimant}/review`, { decision: 'accept' });
    expect(accepted).toMatchObject({ status: 200, body: { ok: true, status: 'completed' } });
    const claim = await waitForClaim(env, task.id, claimant, 'completed');
    expect(claim.decidedBy).toBe(env.demo.admin.id);
    expect((await env.ledger.entry(claim.awardKey!))?.actor).toEqual({ type: 'user', id: env.demo.admin.id });
    expect(await balanceOf(env, claimant)).toBe(90n);
    // What the token created is the person's too.
    expect(task.createdBy).toBe(`discord:${env.demo.admin.id}`);
    expect(await env.prisma.auditEvent.count({ where: { action: 'task.created', targetId: String(task.id), actorType: 'user', actorId: `discord:${env.demo.admin.id}` } })).toBe(1);
  });

  it('the claimant’s own token cannot revoke their award either', async () => {
    await env.prisma.taskSettings.update({ where: { guildId: env.guildId }, data: { revokeWindowSeconds: 600 } });
    try {
      const created = await call(tokens.reviewer, 'POST', '', { name: 'Revoke bait', reward: '20' });
      const task = await postedTask(env, created.body!.id as number);
      await answer(clickClaim(env, task, claimant));
      await answer(env.discord.slash(env.guildId, claimant, 'task', { task: `#${task.id}`, proof: 'done' }, { subcommand: 'submit' }));
      await reviewPost(env, task.id, claimant);
      expect((await call(tokens.reviewer, 'POST', `/${task.id}/claims/${claimant}/review`, { decision: 'accept' })).status).toBe(200);
      const before = await balanceOf(env, claimant);

      // An award can be revoked by a reviewer; one's own, through one's token, cannot.
      const own = await call(tokens.claimant, 'POST', `/${task.id}/claims/${claimant}/revoke`, { reason: 'hiding my tracks' });
      expect(own.status).toBe(403);
      expect(own.body?.error.message).toBe(`You cannot revoke your own award: this token acts for member ${claimant}, whose claim it is.`);
      expect((await claimRow(env, task.id, claimant))?.status).toBe('completed');
      expect(await balanceOf(env, claimant)).toBe(before);
    } finally {
      await env.prisma.taskSettings.update({ where: { guildId: env.guildId }, data: { revokeWindowSeconds: 0 } });
    }
  });
});
