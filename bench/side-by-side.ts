/**
 * Contenders measured side by side on this shared machine: `rounds` rounds, each giving every contender
 * an equal slice of `ms` in turn (after one warm-up slice each), so a neighbour's load hits them alike.
 * Each contender runs `clients` loops calling its operation; an operation answering `false` counts as
 * refused, an error whose code is in `tolerated` (e.g. a deadlock) is counted, any other error aborts.
 */
import { percentile } from './stats';

export type Op = () => Promise<unknown>;

export interface Run {
  perSecond: number;
  p50: number;
  p99: number;
  ok: number;
  refused: number;
  /** Errors with a tolerated code. */
  tolerated: number;
}

interface Acc {
  latencies: number[];
  refused: number;
  tolerated: number;
  elapsed: number;
}

async function drive(clients: number, until: number, op: Op, tolerated: string[], into: Acc): Promise<void> {
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        try {
          if ((await op()) === false) into.refused += 1;
        } catch (err) {
          if (!tolerated.includes((err as { code?: string }).code ?? '')) throw err;
          into.tolerated += 1;
        }
        into.latencies.push(performance.now() - t0);
      }
    }),
  );
}

export async function sideBySide(
  ops: Record<string, Op>,
  opts: { clients: number; ms: number; rounds: number; warmupMs: number; tolerated?: string[] },
): Promise<Record<string, Run>> {
  const tolerated = opts.tolerated ?? [];
  const fresh = (): Acc => ({ latencies: [], refused: 0, tolerated: 0, elapsed: 0 });
  const acc = Object.fromEntries(Object.keys(ops).map((name) => [name, fresh()]));
  for (const op of Object.values(ops)) await drive(opts.clients, performance.now() + opts.warmupMs, op, tolerated, fresh());
  for (let round = 0; round < opts.rounds; round++) {
    for (const [name, op] of Object.entries(ops)) {
      const start = performance.now();
      await drive(opts.clients, start + opts.ms / opts.rounds, op, tolerated, acc[name]!);
      acc[name]!.elapsed += performance.now() - start;
    }
  }
  return Object.fromEntries(
    Object.entries(acc).map(([name, a]) => {
      a.latencies.sort((x, y) => x - y);
      const run: Run = {
        perSecond: (a.latencies.length / a.elapsed) * 1000,
        p50: percentile(a.latencies, 0.5),
        p99: percentile(a.latencies, 0.99),
        ok: a.latencies.length - a.refused - a.tolerated,
        refused: a.refused,
        tolerated: a.tolerated,
      };
      return [name, run];
    }),
  );
}
