import { setTimeout as delay } from 'node:timers/promises';
import type { Topology } from './topology';

/**
 * Faults at random moments (seeded: the same CHAOS_SEED picks the same sequence of kinds, targets and
 * durations): kill -9 of a worker, an API process, a bot shard or a Temporal server node — each comes
 * back after a moment —, the PostgreSQL connections of every Guildflow process cut at the proxy for a few
 * seconds, and bursts of Discord 5xx and 429 answers. One fault at a time, so each is seen through.
 */
export const FAULT_KINDS = ['kill-worker', 'kill-api', 'kill-bot-shard', 'kill-temporal-node', 'cut-database', 'discord-errors'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultOptions {
  until: number;
  random: () => number;
  /** Pause between two faults: uniformly in [min, max]. */
  gapMs: [number, number];
  kinds: readonly FaultKind[];
  onFault(kind: FaultKind, detail: string): void;
}

export async function runFaults(topology: Topology, opts: FaultOptions): Promise<void> {
  const { random } = opts;
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const between = (min: number, max: number) => Math.round(min + random() * (max - min));

  const inject: Record<FaultKind, () => Promise<string>> = {
    async 'kill-worker'() {
      const worker = pick(topology.workers);
      worker.kill9();
      return worker.name;
    },
    async 'kill-api'() {
      const api = pick(topology.apis);
      api.kill9();
      return api.name;
    },
    async 'kill-bot-shard'() {
      const pid = pick(topology.shardPids());
      process.kill(pid, 'SIGKILL');
      return `pid ${pid}`;
    },
    async 'kill-temporal-node'() {
      const node = Math.floor(random() * topology.temporal.nodes);
      await topology.temporal.killNode(node, between(1_000, 3_000));
      return `node ${node + 1} of ${topology.temporal.nodes} (${topology.temporal.kind})`;
    },
    async 'cut-database'() {
      const downMs = between(1_000, 4_000);
      await topology.dbProxy.cut();
      await delay(downMs);
      await topology.dbProxy.restore();
      return `${downMs} ms`;
    },
    async 'discord-errors'() {
      const status = pick([429, 500, 502, 503] as const);
      const times = between(3, 15);
      topology.discord.inject({ route: /./, status, times, retryAfterSeconds: 1 });
      return `${times} × ${status}`;
    },
  };

  while (Date.now() < opts.until) {
    await delay(between(...opts.gapMs));
    if (Date.now() >= opts.until) break;
    const kind = pick(opts.kinds);
    opts.onFault(kind, await inject[kind]());
  }
}
