import { randomUUID } from 'node:crypto';
import type { WorkflowHandleWithFirstExecutionRunId } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import { REST } from 'discord.js';
import { createDiscordActivities } from '../../activities/discord/activities';
import { closeDiscordRest } from '../../lib/discord/rest';
import type { Patience } from '../../lib/flows/flow';
import { createLogger } from '../../lib/logger';
import { FlowKind, GuildId } from '../../lib/search-attributes';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord, type MessageRecord } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { bundleWorkflows, testTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { STUCK_FLOW_REFUSAL, type stuckFlow, type StuckFlowActivities } from './workflows/stuck-flow';

/**
 * A flow that gets stuck on demand: test/stuck-flows/workflows/stuck-flow.ts on a worker with the real
 * Discord activities (its admin log notices reach the fake Discord's admin log channel) and a test
 * activity each test switches between failing, succeeding and refusing.
 */

/** `fail`: a plain (retryable) error, as an outage; `refuse`: the flow's listed refusal type; `refuse-hard`: any non-retryable failure. */
export type StepMode = 'fail' | 'succeed' | 'refuse' | 'refuse-hard';

export class StepSwitches {
  private readonly modes = new Map<string, StepMode>();
  private readonly attemptCounts = new Map<string, number>();
  private readonly undoCounts = new Map<string, number>();

  set(key: string, mode: StepMode): void {
    this.modes.set(key, mode);
  }

  /** How many times the step's activity ran for this flow. */
  attempts(key: string): number {
    return this.attemptCounts.get(key) ?? 0;
  }

  /** How many times the flow's compensation ran. */
  undone(key: string): number {
    return this.undoCounts.get(key) ?? 0;
  }

  activities(): StuckFlowActivities {
    return {
      stuckStep: async (key) => {
        this.attemptCounts.set(key, this.attempts(key) + 1);
        const mode = this.modes.get(key) ?? 'fail';
        if (mode === 'succeed') return `done:${key}`;
        if (mode === 'refuse') throw ApplicationFailure.create({ type: STUCK_FLOW_REFUSAL, message: `test refusal for ${key}` });
        if (mode === 'refuse-hard') throw ApplicationFailure.nonRetryable(`test hard refusal for ${key}`, 'SomethingElse');
        throw new Error(`test outage for ${key}`);
      },
      stuckUndo: async (key) => {
        this.undoCounts.set(key, this.undone(key) + 1);
      },
    };
  }
}

export const STUCK_FLOW_KIND = 'test_stuck';

export interface StuckFlowEnv {
  discord: FakeDiscord;
  demo: DemoGuild;
  db: TestDatabase;
  temporal: TestTemporal;
  taskQueue: string;
  switches: StepSwitches;
  /** Starts a flow (its step fails until switched, or as `mode` says) for the demo guild, or for `guildId`; or a `waitingFlow`. */
  start(
    patience: Patience,
    options?: { guildId?: string; mode?: StepMode; workflow?: 'stuckFlow' | 'waitingFlow' },
  ): Promise<{ key: string; handle: WorkflowHandleWithFirstExecutionRunId<typeof stuckFlow> }>;
  /** The admin log channel's notices about this flow (their footer names it). */
  notices(workflowId: string, title?: string): MessageRecord[];
  close(): Promise<void>;
}

export async function startStuckFlowEnv(): Promise<StuckFlowEnv> {
  const discord = await startFakeDiscord();
  const demo = seedDemoGuild(discord);
  const db = await createTestDatabase();
  const temporal = await testTemporal();
  const rest = new REST({ api: discord.restUrl, retries: 0, timeout: 5000, rejectOnRateLimit: () => true }).setToken(discord.token);
  await db.prisma.guild.create({
    data: { id: demo.guild.id, name: demo.guild.name, ownerId: demo.owner.id, settings: { create: { adminLogChannelId: demo.channels.adminLog.id } } },
  });
  const taskQueue = uniqueTaskQueue('stuck');
  const switches = new StepSwitches();
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', pretty: false });
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    namespace: temporal.namespace,
    taskQueue,
    workflowBundle: await bundleWorkflows(require.resolve('./workflows/stuck-flow')),
    activities: { ...createDiscordActivities({ prisma: db.prisma, log, discord: rest }), ...switches.activities() },
  });
  const running = worker.run();
  return {
    discord,
    demo,
    db,
    temporal,
    taskQueue,
    switches,
    async start(patience, options = {}) {
      const key = randomUUID();
      switches.set(key, options.mode ?? 'fail');
      const guildId = options.guildId ?? demo.guild.id;
      const handle = await temporal.client.workflow.start<typeof stuckFlow>(options.workflow ?? 'stuckFlow', {
        taskQueue,
        workflowId: `test-stuck:${key}`,
        args: [{ guildId, key, patience }],
        typedSearchAttributes: [
          { key: GuildId, value: guildId },
          { key: FlowKind, value: STUCK_FLOW_KIND },
        ],
      });
      return { key, handle };
    },
    notices(workflowId, title) {
      return discord
        .messages(demo.channels.adminLog.id)
        .filter((m) => m.embeds[0]?.footer?.text === `Guildflow · ${workflowId}` && (title === undefined || m.embeds[0]?.title === title));
    },
    async close() {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
      closeDiscordRest(rest);
      await temporal.close();
      await db.drop();
      await discord.close();
    },
  };
}

export const STUCK_NOTICE = '⚠️ A flow is stuck';
export const THROUGH_NOTICE = '✅ A stuck flow went through';
