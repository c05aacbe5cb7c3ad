import { REST } from '@discordjs/rest';
import { Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { createActivities } from '../../activities';
import { addHave, addWant } from '../../activities/cards/lists';
import { alertPairsForHaves } from '../../activities/cards/matching';
import { closeDiscordRest } from '../../lib/discord/rest';
import { signalCardAlerts } from '../../lib/flows/card-alerts.client';
import { createLogger } from '../../lib/logger';
import { seedDemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord } from '../fakes/discord';
import { historyFiles, loadHistory, recordHistories, REPLAYED_HISTORIES } from '../helpers/histories';
import { bundleWorkflows, runWorker, testTemporal } from '../helpers/temporal';
import { waitFor } from '../../lib/wait';
import { startCardsEnv } from './helpers';

/**
 * The want alert flow's recorded history (test/histories/card-alerts-*.json) replays with the current
 * workflows/ code, and the replayer catches an incompatible change. Record afresh with
 *   GF_RECORD_HISTORIES=1 npx jest test/cards/replay.test.ts
 */
jest.setTimeout(120_000);
const recording = process.env.GF_RECORD_HISTORIES === '1';
const files = () => historyFiles(REPLAYED_HISTORIES.cards);

describe('card alert workflow histories', () => {
  if (recording) {
    it('records a fresh history (GF_RECORD_HISTORIES=1)', async () => {
      const env = await startCardsEnv();
      const discord = await startFakeDiscord();
      const demo = seedDemoGuild(discord);
      const temporal = await testTemporal();
      const rest = new REST({ api: discord.restUrl, retries: 0, timeout: 5000 }).setToken(discord.token);
      try {
        const guildId = demo.guild.id;
        const [seller, buyer] = [discord.createUser({ username: 'seller' }).id, discord.createUser({ username: 'buyer' }).id];
        for (const u of [seller, buyer]) discord.addMember(guildId, u);
        await env.seedGuild(guildId, [seller, buyer]);
        const snap = await env.catalog.printing('isd', '78');
        const goyf = await env.catalog.printing('fut', '153');
        await addWant(env.prisma, buyer, { printing: snap, quantity: 1, alert: true });
        await addWant(env.prisma, buyer, { printing: goyf, quantity: 1, alert: true, anyPrinting: true });
        const log = createLogger({ level: 'silent', pretty: false });
        const activities = createActivities({ prisma: env.prisma, log, discord: rest });
        await runWorker({ workflowsPath: require.resolve('../../workflows'), activities, connection: temporal.nativeConnection }, async ({ taskQueue }) => {
          const target = { temporal: temporal.client, taskQueue };
          for (const printing of [snap, goyf]) {
            const { haveId } = await addHave(env.prisma, seller, { printing, quantity: 1 });
            await signalCardAlerts(target, guildId, await alertPairsForHaves(env.prisma, [haveId]), 2);
          }
          const workflowId = `card-alerts:${buyer}`;
          const { runId } = await temporal.client.workflow.getHandle(workflowId).describe();
          await temporal.client.workflow.getHandle(workflowId).result();
          await waitFor(() => discord.dms(buyer).length === 1, { timeoutMs: 5000, what: 'the one DM' });
          const written = await recordHistories({ temporal }, { 'card-alerts-two-haves-one-dm': async () => `${workflowId}@${runId}` });
          expect(written).toHaveLength(1);
        });
      } finally {
        closeDiscordRest(rest);
        await temporal.close();
        await discord.close();
        await env.close();
      }
    });
  }

  it('has the recorded history: two signals, one collecting timer, one send', () => {
    expect(files()).toEqual(['card-alerts-two-haves-one-dm.json']);
    const events = loadHistory('card-alerts-two-haves-one-dm.json').events ?? [];
    expect(events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? [])).toEqual(['cardsAlertSend']);
    expect(events.filter((e) => e.workflowExecutionSignaledEventAttributes)).toHaveLength(2);
    expect(events.filter((e) => e.timerFiredEventAttributes)).toHaveLength(1);
  });

  it('replays with the current workflows/ code', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('../../workflows'));
    for (const file of files()) {
      await expect(Worker.runReplayHistory({ workflowBundle }, loadHistory(file), `replay-${file}`)).resolves.toBeUndefined();
    }
  });

  it('an incompatible change (the DM sent before collecting) is caught: DeterminismViolationError', async () => {
    const workflowBundle = await bundleWorkflows(require.resolve('./workflows/card-alerts-reordered'));
    const err = await Worker.runReplayHistory({ workflowBundle }, loadHistory('card-alerts-two-haves-one-dm.json'), 'replay-reordered').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeterminismViolationError);
  });
});
