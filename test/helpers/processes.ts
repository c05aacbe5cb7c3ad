import { readdirSync, readFileSync } from 'node:fs';

/** Every live descendant of `rootPid` (Linux /proc), so a test can prove nothing outlives a shutdown. */
export function descendants(rootPid: number): { pid: number; cmd: string }[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we read
    }
  }
  const out: { pid: number; cmd: string }[] = [];
  const queue = [...(children.get(rootPid) ?? [])];
  while (queue.length) {
    const pid = queue.shift()!;
    out.push({ pid, cmd: commandLine(pid) ?? '?' });
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return undefined;
  }
}

/** Still running (a zombie or a reused pid with another command line does not count). */
export function stillRunning(p: { pid: number; cmd: string }): boolean {
  try {
    const state = readFileSync(`/proc/${p.pid}/stat`, 'utf8');
    if (state.slice(state.lastIndexOf(')') + 2).startsWith('Z')) return false;
  } catch {
    return false;
  }
  return commandLine(p.pid) === p.cmd;
}
