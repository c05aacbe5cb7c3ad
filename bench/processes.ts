import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { OutputTail } from '../lib/dev/process';
import { waitFor } from '../lib/wait';

/**
 * Guildflow's processes as production runs them, for the scale bench: `npm run worker` and `npm run api`
 * (and the baseline server) as real separate processes, each in its own process group so a stop reaches
 * npm and the node process under it.
 */
const root = path.resolve(__dirname, '..');

export interface BenchProcess {
  pid: number;
  /** SIGTERM to the group (Guildflow drains and exits), SIGKILL after 15 s; resolves once it is gone. */
  stop(): Promise<void>;
}

export function startProcess(command: string, args: string[], env: Record<string, string>): BenchProcess {
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = new OutputTail();
  child.stdout.on('data', (c: Buffer) => tail.push(c));
  child.stderr.on('data', (c: Buffer) => tail.push(c));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) process.stderr.write(`${command} ${args.join(' ')} exited (${signal ?? code}):\n${tail.toString()}\n`);
  });
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  return {
    pid: child.pid!,
    async stop() {
      stopping = true;
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), 15_000);
      await closed;
      clearTimeout(timer);
    },
  };
}

/** `npm run api` on `port`; resolves once GET /ready answers 200. */
export async function startApiProcess(port: number, env: Record<string, string>): Promise<BenchProcess> {
  const api = startProcess('npm', ['run', 'api'], { ...env, HOST: '127.0.0.1', PORT: String(port) });
  await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/ready`)).status === 200, { timeoutMs: 120_000, intervalMs: 250, what: `the API on port ${port}` });
  return api;
}

/** Resolves once `count` workers poll the task queue's workflow tasks (each process is one poller identity). */
export async function waitForWorkers(client: Client, taskQueue: string, count: number): Promise<void> {
  await waitFor(
    async () => {
      const { pollers } = await client.workflowService.describeTaskQueue({
        namespace: client.options.namespace,
        taskQueue: { name: taskQueue },
        taskQueueType: temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
      });
      return new Set(pollers?.map((p) => p.identity)).size >= count;
    },
    { timeoutMs: 120_000, intervalMs: 250, what: `${count} workers polling ${taskQueue}` },
  );
}
