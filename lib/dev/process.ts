import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';

/** Helpers for the dev tools that run other programs (the Temporal CLI, `go install`). */

export async function isExecutableFile(file: string): Promise<boolean> {
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return false;
    await fs.access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** `which`, without running a shell: the first executable `name` in env.PATH. */
export async function findOnPath(name: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, name);
    if (await isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}

/** True while a process with this pid exists (EPERM: it exists but belongs to someone else). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The last `maxBytes` of a child's output, for error messages (the beginning is rarely the cause). */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly maxBytes = 16 * 1024) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.maxBytes && this.chunks.length > 1) this.size -= this.chunks.shift()!.length;
  }

  toString(): string {
    const text = Buffer.concat(this.chunks).toString('utf8');
    return text.length > this.maxBytes ? text.slice(-this.maxBytes) : text;
  }
}

/**
 * Kills the child (SIGKILL) if this process exits first, so a crashed or forgotten caller leaves no
 * orphan. Only covers exits Node sees; `withParentDeathSignal` covers SIGKILL of the parent on Linux.
 * Returns a function that removes the hook (call it once the child has exited).
 */
function killWithParent(child: ChildProcess): () => void {
  const onExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.once('exit', onExit);
  return () => process.removeListener('exit', onExit);
}

/**
 * On Linux, run `command` under util-linux `setpriv --pdeathsig KILL`: the kernel then kills it when
 * the spawning thread (Node's main thread) dies, even by SIGKILL, when no 'exit' hook can run.
 * setpriv execs the command, so the pid stays the same. Elsewhere, or without setpriv, unchanged.
 */
async function withParentDeathSignal(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<[string, string[]]> {
  if (process.platform !== 'linux') return [command, args];
  setprivPath ??= findOnPath('setpriv', env).then((file) => (file && supportsPdeathsig(file) ? file : undefined));
  const setpriv = await setprivPath;
  return setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', command, ...args]] : [command, args];
}
let setprivPath: Promise<string | undefined> | undefined;

/** --pdeathsig arrived in util-linux 2.33 (2018); an older setpriv would refuse the option. */
function supportsPdeathsig(setpriv: string): boolean {
  try {
    return execFileSync(setpriv, ['--help'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).includes('--pdeathsig');
  } catch {
    return false;
  }
}

/** A command that did not exit 0: its exit status and the tail of its output, kept apart for callers' messages. */
export class CommandFailedError extends Error {
  constructor(
    readonly command: string,
    readonly args: string[],
    readonly exit: string,
    readonly output: string,
  ) {
    super(`${command} ${args.join(' ')} failed (${exit}):\n${output.trimEnd()}`);
    this.name = 'CommandFailedError';
  }
}

/**
 * Runs a command to completion; rejects with a CommandFailedError (exit status, tail of its output).
 * `onLine` sees each line of stdout and stderr as it comes (progress reports).
 */
export async function runCommand(
  command: string,
  args: string[],
  { env, cwd, onLine }: { env: NodeJS.ProcessEnv; cwd?: string; onLine?: (line: string) => void },
): Promise<void> {
  const [file, argv] = await withParentDeathSignal(command, args, env);
  const child = spawn(file, argv, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const unhook = killWithParent(child);
  const tail = new OutputTail();
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (c: Buffer) => {
      tail.push(c);
      if (!onLine) return;
      const lines = (partial + c.toString('utf8')).split('\n');
      partial = lines.pop()!;
      for (const line of lines) onLine(line);
    });
  }
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code, signal) => {
        if (code === 0) resolve();
        else reject(new CommandFailedError(command, args, signal ?? `exit ${code}`, tail.toString()));
      });
    });
  } finally {
    unhook();
  }
}

/** A long-running dev server we started: its output tail, and a stop that never leaves it behind. */
export interface SupervisedServer {
  child: ChildProcess;
  /** Its last output lines, to explain a failure. */
  tail: OutputTail;
  /** Aborted (with the reason) when it fails to spawn or exits before `markReady()`. */
  earlyExit: AbortSignal;
  /** From now on an exit is unexpected: logged with its output. */
  markReady(): void;
  /** Sends `signal`, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(): Promise<void>;
  /** Sends `signal` (a crash on purpose: no grace, no "exited unexpectedly"); resolves once it has exited. */
  kill(signal: NodeJS.Signals): Promise<void>;
}

/**
 * Spawns a dev server in its own process group (Ctrl-C in a terminal reaches only us, and we stop it
 * in order), killed with us even when we die by SIGKILL, its output always drained (a full pipe would
 * block its logging).
 */
export async function superviseServer(opts: {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  stopSignal: NodeJS.Signals;
  graceMs: number;
  log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}): Promise<SupervisedServer> {
  const [file, argv] = await withParentDeathSignal(opts.command, opts.args, process.env);
  const child = spawn(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], detached: true, ...(opts.env ? { env: opts.env } : {}) });
  const unhook = killWithParent(child);
  const tail = new OutputTail();
  child.stdout?.on('data', (c: Buffer) => tail.push(c));
  child.stderr?.on('data', (c: Buffer) => tail.push(c));

  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void exited.then(unhook);
  const earlyExit = new AbortController();
  let ready = false;
  let stopping = false;
  child.once('error', (err) => earlyExit.abort(new Error(`could not run ${opts.command}: ${err.message}`)));
  child.once('exit', (code, signal) => {
    earlyExit.abort(new Error(`exited early (${signal ?? `code ${code}`})`));
    // A crash after start-up would otherwise go unnoticed until the next call to it fails.
    if (ready && !stopping) opts.log.error({ pid: child.pid, code, signal, output: tail.toString() }, `${opts.name} exited unexpectedly`);
  });

  const stop = async (): Promise<void> => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill(opts.stopSignal);
    const timer = setTimeout(() => {
      opts.log.warn({ pid: child.pid, graceMs: opts.graceMs }, `${opts.name} did not stop in time; killing it`);
      child.kill('SIGKILL');
    }, opts.graceMs);
    await exited;
    clearTimeout(timer);
  };
  const kill = async (signal: NodeJS.Signals): Promise<void> => {
    stopping = true;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    child.kill(signal);
    await exited;
  };
  return { child, tail, earlyExit: earlyExit.signal, markReady: () => (ready = true), stop, kill };
}
