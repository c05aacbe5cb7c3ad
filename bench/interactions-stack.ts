/**
 * Benchmark only (bench/interactions.ts, BENCH_STACK=process): Guildflow exactly as `npm start` runs it,
 * plus the echo command the benchmark compares /verify with, in its own process — so the fake Discord
 * (in the benchmark's process) does not share an event loop with the bot, as Discord does not.
 */
import { commands, components } from '../bot/commands';
import { runProcess } from '../lib/process';
import { startStack } from '../scripts/stack';
import { echoCommand } from './interactions-echo';

runProcess('guildflow-bench', async (ctx) => {
  await startStack(ctx, { registry: { commands: [...commands, echoCommand], components } });
});
