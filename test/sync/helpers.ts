import { syncFlowId, type SyncSettings } from '../../lib/flows/sync';
import { signalSync } from '../../lib/flows/sync.client';
import type { SyncMessage } from '../../prisma/client';
import type { ShopEnv } from '../shop/helpers';

/** Test timings: a 300 ms coalescing window, retries from 100 ms up to 800 ms, no periodic check. */
export const FAST_SYNC: SyncSettings = { coalesceMs: 300, retryInitialMs: 100, retryMaxMs: 800, verifyEveryMs: null, roundsBeforeContinue: 100 };

export async function useChannel(env: ShopEnv, entityType: string, channelId: string, options: object = {}): Promise<void> {
  await env.prisma.syncChannel.upsert({
    where: { guildId_entityType: { guildId: env.demo.guild.id, entityType } },
    create: { guildId: env.demo.guild.id, entityType, channelId, options },
    update: { channelId, options },
  });
}

export function signal(env: ShopEnv, entityType: string, entityId: string, opts: { deleted?: boolean; settings?: SyncSettings } = {}) {
  return signalSync({ temporal: env.temporal.client, taskQueue: env.taskQueue }, { entityType, entityId, guildId: env.demo.guild.id }, { settings: FAST_SYNC, ...opts });
}

export async function syncRow(env: ShopEnv, entityType: string, entityId: string): Promise<SyncMessage | null> {
  return env.prisma.syncMessage.findUnique({ where: { entityType_entityId: { entityType, entityId } } });
}

/** Polls `probe` until it returns a truthy value (or fails after `timeoutMs`). */
export async function eventually<T>(probe: () => Promise<T | null | undefined | false> | T | null | undefined | false, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Discord requests made for one message (PATCH/GET/DELETE) and posts into its channel. */
export function messageCalls(env: ShopEnv, channelId: string, since = 0) {
  const reqs = env.discord.requests().filter((r) => r.at >= since && r.route.startsWith(`/channels/${channelId}/messages`));
  return {
    posts: reqs.filter((r) => r.method === 'POST' && r.route === `/channels/${channelId}/messages`),
    edits: reqs.filter((r) => r.method === 'PATCH'),
    gets: reqs.filter((r) => r.method === 'GET'),
    deletes: reqs.filter((r) => r.method === 'DELETE'),
    all: reqs,
  };
}

export const flowHandle = (env: ShopEnv, entityType: string, entityId: string) => env.temporal.client.workflow.getHandle(syncFlowId(entityType, entityId));

/**
 * Terminates the flows this test file left running (long-lived sync flows never end by themselves).
 * Every test file has its own database, so item ids — and so `sync:shop_item:{id}` — repeat across files
 * on the one Temporal server of the run: a flow left behind on a stopped worker's task queue would swallow
 * the next file's signal-with-start.
 */
export async function endFlows(env: Pick<ShopEnv, 'temporal' | 'taskQueue'>): Promise<number> {
  let n = 0;
  for await (const wf of env.temporal.client.workflow.list({ query: `TaskQueue = "${env.taskQueue}" AND ExecutionStatus = "Running"` })) {
    await env.temporal.client.workflow
      .getHandle(wf.workflowId, wf.runId)
      .terminate('test file finished')
      .catch(() => undefined);
    n += 1;
  }
  return n;
}
