import { proxyActivities } from '@temporalio/workflow';

/** Bench baseline: a workflow that runs `n` no-op activities one after another (bench/orders.ts). */
const { benchNoop } = proxyActivities<{ benchNoop(i: number): Promise<number> }>({ startToCloseTimeout: '30 seconds' });

export async function noopChain(n: number): Promise<number> {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += await benchNoop(i);
  return sum;
}
