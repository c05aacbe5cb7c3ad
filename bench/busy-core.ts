import { spawn } from 'node:child_process';

/**
 * Another process keeping one core busy (a Node spin loop), as a neighbour on a small machine would:
 * measurements taken between start and stop() show what is left. stop() waits for it to end.
 */
export function startBusyCore(): { stop(): Promise<void> } {
  const child = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Never left spinning by a benchmark that failed before stop().
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  return {
    async stop() {
      process.off('exit', kill);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
