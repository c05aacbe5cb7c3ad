import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { CancelledFailure, WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { stuckQuery } from '../../lib/flows/flow';
import { createLogger } from '../../lib/logger';
import { FlowStuck } from '../../lib/search-attributes';
import { waitFor } from '../../lib/wait';
import { createGuild } from '../helpers/ledger';
import { startStuckFlowEnv, STUCK_FLOW_KIND, STUCK_NOTICE, type StuckFlowEnv } from '../stuck-flows/helpers';
import { STUCK_FLOW_STEP } from '../stuck-flows/workflows/stuck-flow';

/**
 * The admin's view of stuck flows (api/routes/flows.ts) against real stuck flows on the Temporal dev
 * server: the list, retry now and cancel, only for this guild's flows that are stuck, each audited.
 */
let env: StuckFlowEnv;
let server: Server;
let base: string;
let guild: string;
let otherGuild: string;
let adminToken: string;

// An hour between rounds: a new round within the test is the retry's doing.
const PATIENT = { stuckAfterSeconds: 2, retryEverySeconds: 3600 };

beforeAll(async () => {
  env = await startStuckFlowEnv();
  guild = env.demo.guild.id;
  otherGuild = await createGuild(env.db.prisma);
  adminToken = (await createApiToken(env.db.prisma, { guildId: guild, name: 'admin', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
  const app = createApp({ prisma: env.db.prisma, log: createLogger({ level: 'silent' }), readiness: [], temporal: env.temporal.client, taskQueue: env.taskQueue });
  server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  if (server) await new Promise((r) => server.close(r));
  await env?.close();
});

async function call(method: 'GET' | 'POST', path: string) {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${adminToken}` } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Workflow ids hold `:`; clients may send it percent-encoded or as it is. */
const flowPath = (workflowId: string, action: 'retry' | 'cancel', encode = true) =>
  `/api/guilds/${guild}/flows/${encode ? encodeURIComponent(workflowId) : workflowId}/${action}`;

/** Starts a flow of the guild and waits until it says it is stuck (and the admin log heard it). */
async function stuckFlow(options: { guildId?: string } = {}) {
  const started = await env.start(PATIENT, options);
  await waitFor(() => started.handle.query(stuckQuery), { timeoutMs: 15_000, what: `${started.handle.workflowId} stuck` });
  if (!options.guildId) await env.discord.waitFor(() => env.notices(started.handle.workflowId, STUCK_NOTICE)[0], 10_000, 'the stuck notice');
  return started;
}

function listedStuck(workflowIds: string[]) {
  return waitFor(
    async () => {
      const res = await call('GET', `/api/guilds/${guild}/flows/stuck`);
      return res.status === 200 && workflowIds.every((id) => res.body.items.some((f: { workflowId: string }) => f.workflowId === id)) ? res : null;
    },
    { timeoutMs: 15_000, what: `${workflowIds.join(', ')} in the stuck list` },
  );
}

const audits = (action: string, workflowId: string) => env.db.prisma.auditEvent.findMany({ where: { guildId: guild, action, targetId: workflowId } });

it('lists the guild’s stuck flows with what each is stuck on, and neither another guild’s nor flows that are not stuck', async () => {
  const mine = await stuckFlow();
  const others = await stuckFlow({ guildId: otherGuild });
  const done = await env.start(PATIENT, { mode: 'succeed' });
  await done.handle.result();
  // Running and failing, but its first round lasts a minute: not stuck yet.
  const trying = await env.start({ stuckAfterSeconds: 60, retryEverySeconds: 3600 });
  await waitFor(() => env.switches.attempts(trying.key) > 0, { timeoutMs: 10_000, what: 'a first attempt' });

  const res = await listedStuck([mine.handle.workflowId]);
  const ids = res.body.items.map((f: { workflowId: string }) => f.workflowId);
  expect(ids).not.toContain(others.handle.workflowId);
  expect(ids).not.toContain(done.handle.workflowId);
  expect(ids).not.toContain(trying.handle.workflowId);
  const item = res.body.items.find((f: { workflowId: string }) => f.workflowId === mine.handle.workflowId);
  expect(item).toEqual({
    workflowId: mine.handle.workflowId,
    runId: mine.handle.firstExecutionRunId,
    kind: STUCK_FLOW_KIND,
    status: 'RUNNING',
    startTime: expect.any(String),
    step: STUCK_FLOW_STEP,
    stuck: { step: STUCK_FLOW_STEP, since: expect.any(String), failure: `test outage for ${mine.key}`, rounds: 1 },
  });

  // Once it goes through it leaves the list (the flow's own answer counts, even before visibility catches up).
  env.switches.set(mine.key, 'succeed');
  expect((await call('POST', flowPath(mine.handle.workflowId, 'retry'))).status).toBe(202);
  await mine.handle.result();
  const after = await call('GET', `/api/guilds/${guild}/flows/stuck`);
  expect(after.body.items.map((f: { workflowId: string }) => f.workflowId)).not.toContain(mine.handle.workflowId);
  await others.handle.terminate();
  await trying.handle.terminate();
});

it('answers another guild’s flow exactly like an unknown one, and refuses a flow that is not stuck', async () => {
  const others = await stuckFlow({ guildId: otherGuild });
  const unknown = await call('POST', flowPath('test-stuck:no-such-flow', 'retry'));
  expect(unknown).toEqual({ status: 404, body: { error: { code: 'flow_not_found', message: 'There is no flow test-stuck:no-such-flow in this guild.' } } });
  for (const action of ['retry', 'cancel'] as const) {
    const res = await call('POST', flowPath(others.handle.workflowId, action));
    expect(res).toEqual({ status: 404, body: { error: { code: 'flow_not_found', message: `There is no flow ${others.handle.workflowId} in this guild.` } } });
  }
  // Nothing reached the other guild's flow.
  expect((await others.handle.describe()).status.name).toBe('RUNNING');
  expect((await others.handle.query(stuckQuery))?.rounds).toBe(1);

  // Running but not stuck yet (its first round lasts a minute), and one that has ended.
  const trying = await env.start({ stuckAfterSeconds: 60, retryEverySeconds: 3600 });
  await waitFor(() => env.switches.attempts(trying.key) > 0, { timeoutMs: 10_000, what: 'a first attempt' });
  const ended = await env.start(PATIENT, { mode: 'succeed' });
  await ended.handle.result();
  // And a flow with no steps that must happen: it has no `stuck` query at all.
  const plain = await env.start(PATIENT, { workflow: 'waitingFlow' });
  for (const handle of [trying.handle, ended.handle, plain.handle]) {
    for (const action of ['retry', 'cancel'] as const) {
      const res = await call('POST', flowPath(handle.workflowId, action));
      expect({ action, status: res.status, code: res.body.error?.code }).toEqual({ action, status: 409, code: 'flow_not_stuck' });
    }
  }
  expect((await trying.handle.describe()).status.name).toBe('RUNNING');
  expect((await plain.handle.describe()).status.name).toBe('RUNNING');
  const touched = [others, trying, ended, plain].map((f) => f.handle.workflowId);
  expect(await env.db.prisma.auditEvent.count({ where: { targetType: 'flow', targetId: { in: touched } } })).toBe(0);
  await others.handle.terminate();
  await trying.handle.terminate();
  await plain.handle.terminate();
});

it('retry starts the stuck flow’s next round now, and is audited', async () => {
  const { key, handle } = await stuckFlow();
  const attempts = env.switches.attempts(key);

  const res = await call('POST', flowPath(handle.workflowId, 'retry', false));
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ workflowId: handle.workflowId, action: 'retry', accepted: true, stuck: { step: STUCK_FLOW_STEP, rounds: 1 } });
  await waitFor(() => env.switches.attempts(key) > attempts, { timeoutMs: 10_000, what: 'an attempt of the next round' });
  await waitFor(async () => (await handle.query(stuckQuery))?.rounds === 2, { timeoutMs: 10_000, what: 'the second round failed' });

  const rows = await audits('flow.retry_now', handle.workflowId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ targetType: 'flow', actorType: 'api_token', data: { runId: handle.firstExecutionRunId, kind: STUCK_FLOW_KIND, step: STUCK_FLOW_STEP, rounds: 1 } });
  await handle.terminate();
});

it('cancel ends the stuck flow cancelled after its compensation, and is audited; a second cancel finds nothing stuck', async () => {
  const { key, handle } = await stuckFlow();

  const res = await call('POST', flowPath(handle.workflowId, 'cancel'));
  expect(res.status).toBe(202);
  expect(res.body).toMatchObject({ workflowId: handle.workflowId, action: 'cancel', accepted: true });
  await expectCancelled(handle);
  expect(env.switches.undone(key)).toBe(1);
  expect((await handle.describe()).typedSearchAttributes.get(FlowStuck)).toBeUndefined();

  const rows = await audits('flow.cancel', handle.workflowId);
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ targetType: 'flow', data: { runId: handle.firstExecutionRunId, step: STUCK_FLOW_STEP } });

  const again = await call('POST', flowPath(handle.workflowId, 'cancel'));
  expect({ status: again.status, code: again.body.error?.code }).toEqual({ status: 409, code: 'flow_not_stuck' });
  expect(await audits('flow.cancel', handle.workflowId)).toHaveLength(1);
});

async function expectCancelled(handle: WorkflowHandle): Promise<void> {
  const failure = await handle.result().catch((err: unknown) => err);
  expect(failure).toBeInstanceOf(WorkflowFailedError);
  expect((failure as WorkflowFailedError).cause).toBeInstanceOf(CancelledFailure);
  expect((await handle.describe()).status.name).toBe('CANCELLED');
}
