/** What the flow benchmarks share to turn timings into figures and to keep clients busy. */

/** The p-quantile (0..1) of ascending `sorted`; NaN when empty. */
export const percentile = (sorted: number[], p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;

export const ascending = (values: number[]): number[] => [...values].sort((a, b) => a - b);

/** `clients` concurrent loops each running `op` again and again for `ms`; every call's latency in ms. */
export async function driveClients(clients: number, ms: number, op: () => Promise<unknown>): Promise<number[]> {
  const latencies: number[] = [];
  const until = performance.now() + ms;
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (performance.now() < until) {
        const t0 = performance.now();
        await op();
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return latencies;
}
