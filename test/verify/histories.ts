import { waitFor } from '../../lib/wait';
import { checkVerification, showVerification, verifyStatusQuery, verifyWorkflowId, type VerifyView } from '../../lib/flows/verify';
import { unverify, verify } from '../../workflows/verify';
import { recordHistories, type Scenarios } from '../helpers/histories';
import { newMember, type VerifyEnv } from './helpers';

/**
 * Records real histories of the verification workflows into test/histories/verify-*.json for
 * replay.test.ts (`GF_RECORD_HISTORIES=1 npx jest test/verify/replay.test.ts`). Each scenario drives the
 * workflow through the Temporal client (no bot) against the fake Discord and Roblox.
 */
async function startAndWait(env: VerifyEnv, userId: string, username: string) {
  const handle = await env.temporal.client.workflow.start(verify, {
    taskQueue: env.taskQueue,
    workflowId: verifyWorkflowId(env.guildId, userId),
    args: [{ guildId: env.guildId, userId, username }],
  });
  const view = await handle.executeUpdate(showVerification, { args: [{ username }] });
  return { handle, view };
}

export const SCENARIOS: Scenarios<VerifyEnv> = {
  /** Wrong phrase, then the right one: link, verified role, unverified role off, nickname; verified. */
  'verify-wrong-then-right': async (env) => {
    const user = newMember(env, 'history-happy');
    const rbx = env.roblox.addUser({ name: 'HistoryHappy', description: 'nothing yet' });
    const { handle, view } = await startAndWait(env, user, 'HistoryHappy');
    await handle.executeUpdate(checkVerification, { args: [{}] });
    env.roblox.setDescription(rbx.id, view.phrase!);
    await handle.executeUpdate(checkVerification, { args: [{}] });
    await handle.result();
    return handle.workflowId;
  },
  /** The nickname is refused (the server owner): roles and link undone, failed, admin log told. */
  'verify-rollback': async (env) => {
    const owner = env.demo.owner.id;
    const rbx = env.roblox.addUser({ name: 'HistoryOwner' });
    const { handle, view } = await startAndWait(env, owner, 'HistoryOwner');
    env.roblox.setDescription(rbx.id, view.phrase!);
    await handle.executeUpdate(checkVerification, { args: [{}] });
    await handle.result();
    return handle.workflowId;
  },
  /** Nobody checks: the expiry timer ends it. */
  'verify-expired': async (env) => {
    await env.settings({ expirySeconds: 5 });
    const user = newMember(env, 'history-late');
    env.roblox.addUser({ name: 'HistoryLate' });
    const { handle } = await startAndWait(env, user, 'HistoryLate');
    await handle.query(verifyStatusQuery); // queries leave no trace in history
    await handle.result();
    await env.settings({ expirySeconds: 120 });
    return handle.workflowId;
  },
  /** /unverify after a verification: role off, unverified role back, nickname restored, link deleted. */
  'unverify-removed': async (env) => {
    const user = newMember(env, 'history-undo', { nick: 'undo' });
    const rbx = env.roblox.addUser({ name: 'HistoryUndo' });
    const { handle, view } = await startAndWait(env, user, 'HistoryUndo');
    env.roblox.setDescription(rbx.id, view.phrase!);
    await handle.executeUpdate(checkVerification, { args: [{}] });
    await waitFor(async () => ((await handle.result()) as VerifyView).phase === 'verified' || undefined, { timeoutMs: 10_000, intervalMs: 100, what: 'verified' });
    return runUnverify(env, user);
  },
  /** Roblox does not answer the username lookup past its retries: `failed` with a plain reason, the workflow completes. */
  'verify-roblox-down': async (env) => {
    const user = newMember(env, 'history-down');
    env.roblox.inject({ route: /^\/v1\/usernames\/users/, status: 503 });
    try {
      const { handle } = await startAndWait(env, user, 'HistoryDown');
      await handle.result();
      return handle.workflowId;
    } finally {
      env.roblox.clearFaults();
    }
  },
  /** Discord does not answer the member read past its retries: the link is removed all the same, the admins told. */
  'unverify-discord-down': async (env) => {
    const user = newMember(env, 'history-undo-down');
    const rbx = env.roblox.addUser({ name: 'HistoryUndoDown' });
    await env.prisma.robloxLink.create({
      data: { guildId: env.guildId, userId: user, robloxId: BigInt(rbx.id), robloxName: rbx.name, robloxDisplayName: rbx.displayName, method: 'admin', linkedBy: 'test', verifiedAt: new Date(), workflowId: `verify:${env.guildId}:${user}`, runId: `run-${user}` },
    });
    env.discord.inject({ method: 'GET', route: new RegExp(`^/guilds/${env.guildId}/members/${user}$`), status: 503, times: 100 });
    try {
      return await runUnverify(env, user);
    } finally {
      env.discord.clearFaults();
    }
  },
};

/** Records every scenario, or only the `only` ones (new scenarios: the older files must stay as recorded). */
export function recordVerifyHistories(env: VerifyEnv, only?: readonly string[]): Promise<string[]> {
  return recordHistories(env, only ? Object.fromEntries(Object.entries(SCENARIOS).filter(([name]) => only.includes(name))) : SCENARIOS);
}

/** /unverify of a member, run to its end; its workflow id. */
async function runUnverify(env: VerifyEnv, user: string): Promise<string> {
  const un = await env.temporal.client.workflow.start(unverify, {
    taskQueue: env.taskQueue,
    workflowId: `unverify:${env.guildId}:${user}`,
    args: [{ guildId: env.guildId, userId: user, actorId: `discord:${user}` }],
  });
  await un.result();
  return un.workflowId;
}
