import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { createLogger } from '../../lib/logger';
import { answer, balanceOf, claimRow, clickClaim, createTaskRow, embedOf, field, newMember, postedTask, reviewPost, startTasksEnv, waitForClaim, workflowStatus, type TasksEnv } from './helpers';

/**
 * The task API (api/routes/tasks.ts) in-process against the same stack as the bot tests: a worker runs the
 * claim workflows, the review route sends the same validated update as the Accept / Reject buttons.
 */
describe('task API', () => {
  let env: TasksEnv;
  let server: Server;
  let base: string;
  const tokens: Record<string, string> = {};

  beforeAll(async () => {
    env = await startTasksEnv();
    await env.startWorker();
    for (const level of ['mod', 'admin'] as const) {
      tokens[level] = (await createApiToken(env.prisma, { guildId: env.guildId, name: level, level, createdBy: 'test', creatorLevel: 'owner' })).token;
    }
    const app = createApp({ prisma: env.prisma, log: createLogger({ level: 'silent' }), readiness: [], temporal: env.temporal.client, taskQueue: env.taskQueue });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${env.guildId}/tasks`;
  });
  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    await env?.close();
  });

  async function call(method: string, path: string, body?: unknown, level: 'mod' | 'admin' = 'admin') {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${tokens[level]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    // Response bodies are read field by field in the assertions below.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return { status: res.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  }

  it('creates a task (validated, audited, posted), lists, reads, edits and refuses bad input without changing anything', async () => {
    const bad = await call('POST', '', { name: '', reward: '-5', proofType: 'video' });
    expect(bad.status).toBe(400);
    expect(bad.body?.error.message).toMatch(/name: A name is needed/);
    expect(bad.body?.error.message).toMatch(/reward: The reward must be between 0/);
    expect(await env.prisma.task.count()).toBe(0);
    expect((await call('POST', '', { name: 'Past', reward: '1', expiresAt: '2000-01-01T00:00:00Z' })).body?.error.message).toBe('The task’s expiry must be in the future.');
    expect((await call('POST', '', { name: 'Mod try', reward: '1' }, 'mod')).status).toBe(403);

    const created = await call('POST', '', { name: 'Translate the FAQ', description: 'Into Indonesian.', reward: '120', category: 'content', maxClaims: 2, claimDurationSeconds: 3600, proofType: 'link' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Translate the FAQ', reward: '120', maxClaims: 2, status: 'active', slotsTaken: 0, proofType: 'link' });
    const id = created.body!.id as number;
    expect(await env.prisma.auditEvent.count({ where: { action: 'task.created', targetId: String(id), actorType: 'api_token' } })).toBe(1);
    const task = await postedTask(env, id);
    expect(embedOf(env.discord.message(task.messageId!)).title).toBe(`#${id} Translate the FAQ`);

    expect((await call('GET', '?category=content', undefined, 'mod')).body).toMatchObject({ total: 1, items: [{ id }] });
    expect((await call('GET', '?category=art', undefined, 'mod')).body).toMatchObject({ total: 0 });
    expect((await call('GET', `/${id}`, undefined, 'mod')).body).toMatchObject({ id, reward: '120' });
    expect((await call('GET', '/999999', undefined, 'mod')).status).toBe(404);

    const edited = await call('PATCH', `/${id}`, { maxClaims: 5, name: 'Translate the whole FAQ' });
    expect(edited.body).toMatchObject({ maxClaims: 5, name: 'Translate the whole FAQ' });
    await env.discord.waitFor(() => (field(env.discord.message(task.messageId!), 'Claims') === '0 / 5 taken' ? true : undefined), 10_000, 'the post to follow the edit');
    expect((await call('PATCH', `/${id}`, {})).body?.error.message).toBe('Nothing to change: give at least one field.');
    expect((await call('PATCH', `/${id}`, { slotsTaken: 0 })).status).toBe(400);
  });

  it('lists page by cursor (nextCursor); the deprecated offset still works', async () => {
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createTaskRow(env, { reward: 1n, category: 'paging', status: 'active' })).id);
    const page1 = await call('GET', '?category=paging&limit=2', undefined, 'mod');
    expect(page1.body).toMatchObject({ total: 3 });
    expect(page1.body?.items.map((t: { id: number }) => t.id)).toEqual([ids[2], ids[1]]);
    const page2 = await call('GET', `?category=paging&limit=2&cursor=${page1.body?.nextCursor}`, undefined, 'mod');
    expect(page2.body?.items.map((t: { id: number }) => t.id)).toEqual([ids[0]]);
    expect(page2.body).toMatchObject({ total: 3, nextCursor: null });
    const old = await call('GET', '?category=paging&limit=2&offset=2', undefined, 'mod');
    expect(old.body?.items.map((t: { id: number }) => t.id)).toEqual([ids[0]]);
    expect((await call('GET', '?cursor=nonsense', undefined, 'mod')).status).toBe(400);
  });

  it('settings: mods read, admins change (validated)', async () => {
    expect((await call('GET', '/settings', undefined, 'mod')).body).toMatchObject({ maxActivePerUser: 3, reviewerLevel: 'admin', autoExpire: true, memberProposals: false });
    expect((await call('PATCH', '/settings', { maxActivePerUser: 0 })).status).toBe(400);
    expect((await call('PATCH', '/settings', { reviewerLevel: 'user' })).body?.error.message).toMatch(/Reviewers must be at least mods/);
    expect((await call('PATCH', '/settings', { maxActivePerUser: 4 }, 'mod')).status).toBe(403);
    expect((await call('PATCH', '/settings', { maxActivePerUser: 4 })).body).toMatchObject({ maxActivePerUser: 4 });
  });

  it('review through the API is the same update as the buttons: accept pays once, a second decision is refused (409), claims filter, stats count', async () => {
    const created = await call('POST', '', { name: 'API reviewed', reward: '75', category: 'api' });
    const task = await postedTask(env, created.body!.id as number);
    const member = newMember(env, 'api-member');
    const other = newMember(env, 'api-other');
    expect(await answer(clickClaim(env, task, member))).toContain('You claimed');
    expect(await answer(clickClaim(env, task, other))).toContain('You claimed');

    // No proof yet: the workflow's validator refuses, nothing recorded.
    const early = await call('POST', `/${task.id}/claims/${member}/review`, { decision: 'accept' });
    expect(early.status).toBe(409);
    expect(early.body?.error.message).toMatch(/There is no proof waiting/);
    expect((await call('POST', `/${task.id}/claims/${member}/review`, { decision: 'reject' })).body?.error.message).toMatch(/A rejection needs a reason/);

    await answer(env.discord.slash(env.guildId, member, 'task', { task: `#${task.id}`, proof: 'done via API' }, { subcommand: 'submit' }));
    await reviewPost(env, task.id, member);
    const accepted = await call('POST', `/${task.id}/claims/${member}/review`, { decision: 'accept' });
    expect(accepted).toMatchObject({ status: 200, body: { ok: true, status: 'completed' } });
    expect(await balanceOf(env, member)).toBe(75n);
    const claim = await waitForClaim(env, task.id, member, 'completed');
    const entry = (await env.ledger.entry(claim.awardKey!))!;
    expect(entry.actor.type).toBe('api_token');
    const again = await call('POST', `/${task.id}/claims/${member}/review`, { decision: 'reject', reason: 'changed my mind' });
    expect(again.status).toBe(404); // the flow is over (no revoke window): nothing changes
    expect(await balanceOf(env, member)).toBe(75n);

    const detail = await call('GET', `/${task.id}/claims/${member}`, undefined, 'mod');
    expect(detail.body).toMatchObject({ status: 'completed', rewardPaid: '75', workflow: { workflowId: `task:${task.id}:${member}` } });
    await workflowStatus(env, `task:${task.id}:${member}`, 'COMPLETED');

    const open = await call('GET', `/claims?taskId=${task.id}&status=claimed`, undefined, 'mod');
    expect(open.body?.items.map((c: { userId: string }) => c.userId)).toEqual([other]);
    const page1 = await call('GET', `/claims?taskId=${task.id}&limit=1`, undefined, 'mod');
    expect(page1.body?.items).toHaveLength(1);
    const page2 = await call('GET', `/claims?taskId=${task.id}&limit=1&cursor=${page1.body?.nextCursor}`, undefined, 'mod');
    expect(page2.body?.items).toHaveLength(1);
    expect(page2.body?.items[0].id).not.toBe(page1.body?.items[0].id);
    expect((await call('GET', '/claims?cursor=nonsense', undefined, 'mod')).status).toBe(400);

    const stats = await call('GET', `/stats?taskId=${task.id}`, undefined, 'mod');
    expect(stats.body).toMatchObject({ claims: { completed: 1, claimed: 1, expired: 0 }, paid: [{ assetCode: 'currency', paid: '75', reversed: '0', net: '75' }] });

    // Deleting the task cancels the other member's open claim.
    const deleted = await call('DELETE', `/${task.id}`);
    expect(deleted.body).toMatchObject({ deleted: true, openClaims: 1, cancelled: 1 });
    await waitForClaim(env, task.id, other, 'cancelled');
    expect((await claimRow(env, task.id, member))?.status).toBe('completed');
    expect((await call('DELETE', `/${task.id}`)).status).toBe(404);
  });

  it('revoke through the API inside the window', async () => {
    await env.prisma.taskSettings.update({ where: { guildId: env.guildId }, data: { revokeWindowSeconds: 600 } });
    try {
      const created = await call('POST', '', { name: 'API revoked', reward: '10' });
      const task = await postedTask(env, created.body!.id as number);
      const member = newMember(env, 'api-revoked');
      await answer(clickClaim(env, task, member));
      await answer(env.discord.slash(env.guildId, member, 'task', { task: `#${task.id}`, proof: 'done' }, { subcommand: 'submit' }));
      await reviewPost(env, task.id, member);
      expect((await call('POST', `/${task.id}/claims/${member}/review`, { decision: 'accept' })).status).toBe(200);
      expect((await call('POST', `/${task.id}/claims/${member}/revoke`, {})).status).toBe(400);
      const revoked = await call('POST', `/${task.id}/claims/${member}/revoke`, { reason: 'Duplicate entry' });
      expect(revoked.body).toMatchObject({ ok: true, status: 'revoked', message: 'Revoked. 10 taken back.' });
      expect(await balanceOf(env, member)).toBe(0n);
      expect((await call('GET', `/stats?taskId=${task.id}`, undefined, 'mod')).body?.paid).toEqual([{ assetCode: 'currency', paid: '10', reversed: '10', net: '0' }]);
    } finally {
      await env.prisma.taskSettings.update({ where: { guildId: env.guildId }, data: { revokeWindowSeconds: 0 } });
    }
  });
});
