import { condition, defineSignal, proxyActivities, setHandler } from '@temporalio/workflow';

/** Waits for `proceed`, then runs one activity: in flight across a server node's kill, on both sides of it. */
export const proceed = defineSignal('proceed');

const { increment } = proxyActivities<{ increment(n: number): Promise<number> }>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 ms', maximumInterval: '2 seconds' },
});

export async function relay(n: number): Promise<number> {
  let go = false;
  setHandler(proceed, () => void (go = true));
  await condition(() => go);
  return increment(n);
}
