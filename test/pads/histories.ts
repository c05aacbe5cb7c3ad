import { recordHistories, type Scenarios } from '../helpers/histories';
import { eventually } from '../sync/helpers';
import { answer, announcementOf, start, type PadsEnv } from './helpers';

/**
 * Records real histories of the pad session workflow into test/histories/pad-*.json (replayed by
 * test/pads/replay.test.ts):
 *
 *   GF_RECORD_HISTORIES=1 npx jest test/pads/replay.test.ts
 */
async function finished(env: PadsEnv, pad: number): Promise<string> {
  const handle = env.temporal.client.workflow.getHandle(`pad:${env.guildId}:${pad}`);
  const { runId } = await handle.describe();
  await eventually(async () => (await handle.describe()).status.name === 'COMPLETED', `pad ${pad}'s flow to complete`);
  return `pad:${env.guildId}:${pad}@${runId}`;
}

export const PAD_SCENARIOS: Scenarios<PadsEnv> = {
  /** Recorded, announced, the host presses End (the `end` update), recorded as ended, the announcement edited. */
  'pad-ended-by-host': async (env) => {
    if (!(await answer(start(env, env.hosts[0], 'training', 1, 'History drills'))).includes('started')) throw new Error('not started');
    const post = await announcementOf(env, 1);
    await answer(env.discord.clickButton(post, 'gf:pad-end:1', env.hosts[0]));
    return finished(env, 1);
  },
  /** Nobody ends it: the reminder timer (host told), then the maximum duration (3 s from the settings) ends it. */
  'pad-max-duration': async (env) => {
    await env.prisma.padSettings.update({ where: { guildId: env.guildId }, data: { tryoutMaxSeconds: 3, reminderLeadSeconds: 1 } });
    if (!(await answer(start(env, env.hosts[1], 'tryout', 2))).includes('started')) throw new Error('not started');
    return finished(env, 2);
  },
};

export const recordPadHistories = (env: PadsEnv) => recordHistories(env, PAD_SCENARIOS);
