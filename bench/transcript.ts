import v8 from 'node:v8';
import vm from 'node:vm';
import { buildTranscript, transcriptChunks } from '../activities/tickets/transcript';
import { closeDiscordRest, createDiscordRest } from '../lib/discord/rest';
import { createLogger } from '../lib/logger';
import { startFakeDiscord } from '../test/fakes/discord';
import { createTestDatabase } from '../test/helpers/database';
import type { BenchRow, BenchScenario } from './types';

/**
 * A ticket transcript (activities/tickets/transcript.ts buildTranscript) of BIG messages against the fake
 * Discord in this process, beside one of SMALL messages: elapsed time, messages/s and the peak growth of
 * heap and RSS during the build over what was in use before it (after a GC), sampled every 5 ms. The
 * fake's own copy of the history exists before the build and is not part of the growth. Every tenth
 * message has an attachment and every twentieth an embed. The target: BIG in under 10 s, and memory
 * growth that does not rise with the number of messages.
 */
const BIG = Number(process.env.BENCH_TRANSCRIPT_MESSAGES ?? 5000);
const SMALL = 500;
const MB = 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

interface Run {
  ms: number;
  heapDeltaMb: number;
  liveHeapDeltaMb: number;
  rssDeltaMb: number;
}

/** Runs `build`, sampling heap and RSS every 5 ms (after a GC each time when `live`) against a GC'd baseline. */
async function measure<T>(build: () => Promise<T>, live: boolean): Promise<{ summary: T; ms: number; heapDeltaMb: number; rssDeltaMb: number }> {
  gc();
  const before = process.memoryUsage();
  let peakHeap = before.heapUsed;
  let peakRss = before.rss;
  const sampler = setInterval(() => {
    if (live) gc();
    const now = process.memoryUsage();
    peakHeap = Math.max(peakHeap, now.heapUsed);
    peakRss = Math.max(peakRss, now.rss);
  }, 5);
  const started = performance.now();
  try {
    const summary = await build();
    return { summary, ms: performance.now() - started, heapDeltaMb: (peakHeap - before.heapUsed) / MB, rssDeltaMb: (peakRss - before.rss) / MB };
  } finally {
    clearInterval(sampler);
  }
}

export const transcriptScenario: BenchScenario = {
  name: 'transcript',
  description: `a ${BIG}-message ticket transcript built from the fake Discord (pages of 100, chunk rows) vs a ${SMALL}-message one`,
  async run(): Promise<BenchRow[]> {
    const db = await createTestDatabase();
    const fake = await startFakeDiscord();
    const rest = createDiscordRest({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.restUrl })!;
    const log = createLogger({ level: 'silent', pretty: false });
    try {
      const guild = fake.createGuild({ name: 'Bench' });
      await db.prisma.guild.create({ data: { id: guild.id, name: 'Bench', ownerId: guild.ownerId } });
      const users = ['alice', 'bob', 'moderator'].map((username) => fake.createUser({ username }).id);
      for (const id of users) fake.addMember(guild.id, id);

      const build = async (count: number, ticketId: string): Promise<Run> => {
        const channelId = fake.createChannel(guild.id, { name: `ticket-${ticketId}` }).id;
        const input = { guildId: guild.id, ticketId, channelId, title: `Ticket ${ticketId}` };
        for (let i = 0; i < count; i++) {
          fake.postMessage(channelId, users[i % users.length]!, `Message ${i}: my order did not arrive, here is what I tried so far <and> what happened.`, {
            ...(i % 10 === 0 ? { attachments: [{ filename: `screenshot-${i}.png`, contentType: 'image/png' }] } : {}),
            ...(i % 20 === 0 ? { embeds: [{ title: `Order ${i}`, description: 'Status: pending', fields: [{ name: 'Amount', value: '100' }] }] } : {}),
          });
        }
        const timed = await measure(() => buildTranscript({ prisma: db.prisma, rest, log }, input), false);
        // A rebuild of the same ticket with a GC before each sample: the peak of what is live, not of garbage.
        const live = await measure(() => buildTranscript({ prisma: db.prisma, rest, log }, input), true);
        const summary = timed.summary;
        if (summary.messages !== count) throw new Error(`transcript ${ticketId} has ${summary.messages} messages, expected ${count}`);
        // The stored JSON is read back chunk by chunk and must parse with every message.
        let json = '';
        for await (const chunk of transcriptChunks(db.prisma, guild.id, ticketId, 'json')) json += chunk;
        if ((JSON.parse(json) as { messages: unknown[] }).messages.length !== count) throw new Error(`transcript ${ticketId} JSON is incomplete`);
        console.log(`${ticketId}: ${count} messages in ${timed.ms.toFixed(0)} ms, html ${(summary.htmlBytes / MB).toFixed(2)} MB, json ${(summary.jsonBytes / MB).toFixed(2)} MB`);
        return { ms: timed.ms, heapDeltaMb: timed.heapDeltaMb, liveHeapDeltaMb: live.heapDeltaMb, rssDeltaMb: timed.rssDeltaMb };
      };

      await build(200, 'warmup');
      const small = await build(SMALL, 'small');
      const big = await build(BIG, 'big');
      const label = `${SMALL} messages`;
      return [
        { metric: `build time, ${BIG} messages`, unit: 'ms', ours: big.ms, baseline: small.ms, baselineLabel: label },
        { metric: 'messages/s', unit: 'msg/s', ours: (BIG / big.ms) * 1000, baseline: (SMALL / small.ms) * 1000, baselineLabel: label },
        { metric: 'peak heap growth during build', unit: 'MB', ours: big.heapDeltaMb, baseline: small.heapDeltaMb, baselineLabel: label },
        { metric: 'peak live heap growth (GC per sample)', unit: 'MB', ours: big.liveHeapDeltaMb, baseline: small.liveHeapDeltaMb, baselineLabel: label },
        { metric: 'peak RSS growth during build', unit: 'MB', ours: big.rssDeltaMb, baseline: small.rssDeltaMb, baselineLabel: label },
      ];
    } finally {
      closeDiscordRest(rest);
      await fake.close();
      await db.drop();
    }
  },
};
