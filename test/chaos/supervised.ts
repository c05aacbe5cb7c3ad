import { setTimeout as delay } from 'node:timers/promises';
import { logLine, startEntry, type RunningEntry } from '../helpers/entry-point';

/**
 * A production entry point kept running as an orchestrator would (systemd, compose `restart: always`):
 * when it dies — killed by the chaos test or crashed by a fault — it is started again after a moment.
 */
export interface Supervised {
  name: string;
  /** The running process's pid; undefined between a death and its restart. */
  pid(): number | undefined;
  /** Resolves once the current process logged its ready line. */
  ready(): Promise<void>;
  /** SIGKILL now; the supervisor restarts it after `restartDelayMs`. */
  kill9(): void;
  restarts(): number;
  /** Every log line of every run, for counting what the processes saw (retries, errors). */
  output(): string;
  stop(): Promise<void>;
}

export function supervise(opts: { name: string; file: string; env: NodeJS.ProcessEnv; readyLine: string; restartDelayMs: number }): Supervised {
  let current: RunningEntry | undefined;
  let readyPromise: Promise<void> = Promise.resolve();
  let stopping = false;
  let restarts = 0;
  const finished: string[] = [];

  const launch = () => {
    const run = startEntry(opts.file, opts.env);
    current = run;
    readyPromise = logLine(run, opts.readyLine, 180_000).then(() => undefined);
    readyPromise.catch(() => undefined);
    void run.exited.then(async () => {
      finished.push(run.output());
      if (current === run) current = undefined;
      if (stopping) return;
      await delay(opts.restartDelayMs);
      if (stopping) return;
      restarts += 1;
      launch();
    });
  };
  launch();

  return {
    name: opts.name,
    pid: () => current?.child.pid,
    ready: () => readyPromise,
    kill9() {
      current?.child.kill('SIGKILL');
    },
    restarts: () => restarts,
    output: () => [...finished, current?.output() ?? ''].join('\n'),
    async stop() {
      stopping = true;
      const run = current;
      if (!run) return;
      run.child.kill('SIGTERM');
      const timer = setTimeout(() => run.child.kill('SIGKILL'), 15_000);
      await run.exited;
      clearTimeout(timer);
    },
  };
}
