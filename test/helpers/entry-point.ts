import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { waitFor } from '../../lib/wait';

const root = path.resolve(__dirname, '../..');

/** A production entry point (`workers/main.ts`, `api/main.ts`, `bot/main.ts`…) running as its own process. */
export interface RunningEntry {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  exited: Promise<void>;
  /** Its JSON log lines so far. */
  lines: Record<string, unknown>[];
  output: () => string;
}

export function startEntry(file: string, env: NodeJS.ProcessEnv): RunningEntry {
  const child = spawn(process.execPath, ['--require', './lib/dev/register-ts.cjs', file], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const lines: Record<string, unknown>[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    const complete = output.split('\n').slice(0, -1);
    lines.length = 0;
    for (const line of complete) {
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        // not a log line
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, exited, lines, output: () => output };
}

/** Waits for a log line `msg` (the process must stay alive meanwhile) and returns it. */
export async function logLine(run: RunningEntry, msg: string | ((line: Record<string, unknown>) => boolean), timeoutMs = 90_000): Promise<Record<string, unknown>> {
  const matches = typeof msg === 'string' ? (l: Record<string, unknown>) => l.msg === msg : msg;
  return waitFor(
    () => {
      if (run.child.exitCode !== null || run.child.signalCode !== null) throw new Error(`exited ${run.child.exitCode ?? run.child.signalCode}:\n${run.output()}`);
      return run.lines.find(matches);
    },
    { timeoutMs, intervalMs: 100, what: `${typeof msg === 'string' ? msg : 'a matching line'} in the log` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n--- output ---\n${run.output()}`);
  });
}
