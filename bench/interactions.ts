import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawn } from 'node:child_process';
import { commands, components } from '../bot/commands';
import { createLogger } from '../lib/logger';
import type { Stoppable } from '../lib/process';
import { waitFor } from '../lib/wait';
import { startStack } from '../scripts/stack';
import { seedDemoGuild } from '../test/fakes/demo-guild';
import { startFakeDiscord, type InteractionHandle } from '../test/fakes/discord';
import { startFakeRoblox } from '../test/fakes/roblox';
import { benchStackConfig } from './stack-config';
import { percentile } from './stats';
import { echoCommand } from './interactions-echo';
import type { BenchRow, BenchScenario } from './types';

/**
 * 500 concurrent /verify through the fake Discord against the production stack in this process
 * (startStack: worker, API and bot, as `npm start` runs them; a Temporal dev server, a fresh database of
 * the local PostgreSQL, the fake Roblox). Latency = the fake's clock from the injected interaction to the
 * interaction's initial response (the ack), against an echo command that replies at once, served by the
 * same bot, same fake, same run. Rounds alternate (verify batch, echo batch), then one mixed round (both
 * at once). Every /verify must end with its phrase shown (the flows really ran). Target: p99 ≤ 1.5× the
 * echo's and < 1 s — the ack never waits on a workflow.
 */
const CONCURRENCY = Number(process.env.BENCH_INTERACTIONS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
/** 'process' (default): Guildflow in its own process, as deployed; 'inline': in the benchmark's process. */
const STACK = process.env.BENCH_STACK === 'inline' ? 'inline' : 'process';


export const interactionsScenario: BenchScenario = {
  name: 'interactions',
  description: `${CONCURRENCY} concurrent /verify vs an echo command: injected interaction → initial response (ack); Guildflow ${STACK === 'inline' ? 'in the benchmark process' : 'in its own process'}`,
  async run(): Promise<BenchRow[]> {
    const log = createLogger({ level: process.env.LOG_LEVEL ?? 'error' });
    const started: Stoppable[] = [];
    const cleanup: (() => Promise<unknown>)[] = [];
    const dataDir = mkdtempSync(path.join(tmpdir(), 'gf-bench-interactions-'));
    try {
      const discord = await startFakeDiscord({ interactionAckTimeoutMs: 3000 });
      cleanup.push(() => discord.close());
      const demo = seedDemoGuild(discord);
      const roblox = await startFakeRoblox();
      cleanup.push(() => roblox.close());
      const config = await benchStackConfig({ taskQueue: 'bench-interactions', dataDir, discord, log, cleanup, env: { ROBLOX_USERS_API_URL: roblox.url, ROBLOX_GROUPS_API_URL: roblox.url } });
      if (STACK === 'inline') {
        cleanup.push(async () => {
          for (const part of [...started].reverse()) await part.stop();
        });
        await startStack({ config, log, started }, { registry: { commands: [...commands, echoCommand], components } });
      } else {
        const env = Object.fromEntries(Object.entries(config).flatMap(([k, v]) => (v === undefined ? [] : [[k, String(v)]])));
        const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'interactions-stack.ts')], {
          cwd: path.resolve(__dirname, '..'),
          env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
          stdio: ['ignore', 'inherit', 'inherit'],
        });
        const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        cleanup.push(async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          await exited;
        });
        await waitFor(async () => ((await fetch(`http://127.0.0.1:${config.PORT}/ready`).catch(() => null))?.status === 200 ? true : undefined), {
          timeoutMs: 120_000,
          intervalMs: 250,
          what: 'the Guildflow process to be ready',
        });
      }
      await waitFor(() => (['verify', 'bench-echo'].every((n) => discord.commands().some((c) => c.name === n)) ? true : undefined), {
        timeoutMs: 30_000,
        intervalMs: 100,
        what: 'the bot to register its commands',
      });
      const guildId = demo.guild.id;

      let seq = 0;
      const members = (n: number) =>
        Array.from({ length: n }, () => {
          seq += 1;
          const u = discord.createUser({ username: `bench-${seq}` });
          discord.addMember(guildId, u.id);
          const r = roblox.addUser({ name: `BenchPlayer${seq}` });
          return { userId: u.id, username: r.name };
        });
      const latency = async (h: InteractionHandle) => (await h.waitForResponse()).at - h.rec.createdAt;
      const verifyBatch = (n: number) => members(n).map((m) => discord.slash(guildId, m.userId, 'verify', { username: m.username }));
      const echoBatch = (n: number) => members(n).map((m) => discord.slash(guildId, m.userId, 'bench-echo'));
      const phrasesShown = async (handles: InteractionHandle[]) =>
        waitFor(() => (handles.every((h) => (h.original()?.embeds[0]?.title ?? '') === 'Verify your Roblox account') ? true : undefined), {
          timeoutMs: 180_000,
          intervalMs: 250,
          what: `all ${handles.length} verification phrases shown`,
        });

      // Warm-up: code paths, JIT, connections.
      const warm = verifyBatch(20);
      await Promise.all(warm.map(latency));
      await phrasesShown(warm);
      await Promise.all(echoBatch(20).map(latency));

      const verifyMs: number[] = [];
      const echoMs: number[] = [];
      let flowsMs = 0;
      for (let round = 0; round < ROUNDS; round++) {
        const t0 = performance.now();
        const v = verifyBatch(CONCURRENCY);
        verifyMs.push(...(await Promise.all(v.map(latency))));
        await phrasesShown(v);
        flowsMs = Math.max(flowsMs, performance.now() - t0);
        echoMs.push(...(await Promise.all(echoBatch(CONCURRENCY).map(latency))));
      }
      // Mixed: both kinds at once, interleaved.
      const mixedV: InteractionHandle[] = [];
      const mixedE: InteractionHandle[] = [];
      const vm = members(CONCURRENCY);
      const em = members(CONCURRENCY);
      for (let i = 0; i < CONCURRENCY; i++) {
        mixedV.push(discord.slash(guildId, vm[i]!.userId, 'verify', { username: vm[i]!.username }));
        mixedE.push(discord.slash(guildId, em[i]!.userId, 'bench-echo'));
      }
      const [mv, me] = await Promise.all([Promise.all(mixedV.map(latency)), Promise.all(mixedE.map(latency))]);
      await phrasesShown(mixedV);

      const s = (xs: number[]) => [...xs].sort((a, b) => a - b);
      const [sv, se, smv, sme] = [s(verifyMs), s(echoMs), s(mv), s(me)];
      const rows: BenchRow[] = [
        { metric: `/verify ack p50 (${CONCURRENCY} concurrent × ${ROUNDS})`, unit: 'ms', ours: percentile(sv, 0.5), baseline: percentile(se, 0.5), baselineLabel: 'echo command, same batches' },
        { metric: `/verify ack p99 (${CONCURRENCY} concurrent × ${ROUNDS})`, unit: 'ms', ours: percentile(sv, 0.99), baseline: percentile(se, 0.99), baselineLabel: 'echo command, same batches' },
        { metric: '/verify ack max', unit: 'ms', ours: sv[sv.length - 1]!, baseline: se[se.length - 1]!, baselineLabel: 'echo command' },
        { metric: `mixed ack p50 (${CONCURRENCY} /verify + ${CONCURRENCY} echo at once)`, unit: 'ms', ours: percentile(smv, 0.5), baseline: percentile(sme, 0.5), baselineLabel: 'the echoes among them' },
        { metric: `mixed ack p99 (${CONCURRENCY} /verify + ${CONCURRENCY} echo at once)`, unit: 'ms', ours: percentile(smv, 0.99), baseline: percentile(sme, 0.99), baselineLabel: 'the echoes among them' },
        { metric: `${CONCURRENCY} /verify → every phrase shown (flows ran)`, unit: 'ms', ours: flowsMs, baseline: 0, baselineLabel: '(no baseline: the flows themselves)' },
      ];
      const p99 = percentile(sv, 0.99);
      const target = p99 <= 1.5 * percentile(se, 0.99) && p99 < 1000;
      console.log(`target (p99 ≤ 1.5× echo and < 1 s): ${target ? 'met' : 'NOT met'} — /verify p99 ${p99.toFixed(1)} ms, echo p99 ${percentile(se, 0.99).toFixed(1)} ms`);
      return rows;
    } finally {
      for (const fn of cleanup.reverse()) await fn().catch((err: unknown) => console.error(err));
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
};
