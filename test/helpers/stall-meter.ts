/**
 * How long this process's event loop was held up (the process not scheduled on a busy machine, or a long
 * synchronous stretch): a 10 ms ticker records how late each tick came. A latency measured across the
 * event loop minus the stall in its window is what the code under test took, whatever else runs on the
 * machine.
 */
export interface StallMeter {
  /** Milliseconds of lateness of the ticks that fell within [from, to] (Date.now() times). */
  stalledMs(from: number, to: number): number;
  stop(): void;
}

const TICK_MS = 10;

export function startStallMeter(): StallMeter {
  const lateness: { at: number; late: number }[] = [];
  let last = Date.now();
  const timer = setInterval(() => {
    const now = Date.now();
    const late = now - last - TICK_MS;
    if (late > 0) lateness.push({ at: now, late });
    last = now;
  }, TICK_MS);
  timer.unref();
  return {
    stalledMs(from, to) {
      // Each late tick stands for the stretch [at - late, at]; count the part inside the window.
      return lateness.reduce((sum, l) => sum + Math.max(0, Math.min(l.at, to) - Math.max(l.at - l.late, from)), 0);
    },
    stop() {
      clearInterval(timer);
    },
  };
}
