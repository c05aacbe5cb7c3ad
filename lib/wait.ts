import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this long; the error names `what` and the probe's last error. */
  timeoutMs: number;
  intervalMs?: number;
  /** Words for the error message: "timed out after 5000 ms waiting for <what>". */
  what: string;
  /** Stops the wait early (e.g. the process being waited on exited); rejects with the signal's reason. */
  signal?: AbortSignal;
}

/**
 * Polls `probe` until it returns a truthy value and returns that value. A probe that throws counts as
 * "not yet" (servers refuse connections while starting); its last error is kept for the timeout message.
 */
export async function waitFor<T>(
  probe: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  { timeoutMs, intervalMs = 100, what, signal }: WaitOptions,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    signal?.throwIfAborted();
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      lastError = err;
    }
    signal?.throwIfAborted();
    const left = deadline - performance.now();
    if (left <= 0) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${cause}`, { cause: lastError });
    }
    try {
      await delay(Math.min(intervalMs, left), undefined, { signal });
    } catch {
      signal?.throwIfAborted();
    }
  }
}
