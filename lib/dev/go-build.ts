import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../logger';
import { waitFor } from '../wait';
import { startBuildProgress } from './build-progress';
import { CommandFailedError, isAlive, isExecutableFile, runCommand } from './process';

/**
 * Builds Go programs with `go install` into a cache directory outside the clone, once per machine: the
 * Temporal CLI (lib/dev/temporal-cli.ts) and the Temporal server with its schema tool
 * (lib/dev/temporal-server.ts). No npm package ships them and their own downloads need the internet;
 * the Go module proxy (or a filled module cache) is what this machine has.
 */
export interface GoProgram {
  /** For messages: "the Temporal CLI". */
  what: string;
  /** `go install` arguments, each `<package>@<version>` of one module. */
  packages: string[];
  /** File name `go install` writes for each package (its last path element) → its name in the cache dir. */
  binaries: Record<string, string>;
  /** About how many packages a build from an empty Go build cache compiles, to show progress against. */
  expectedPackages: number;
  /** For the first log line: "3–9 minutes on two cores". */
  expectedTime: string;
}

export interface GoBuildOptions {
  go: string;
  cacheDir: string;
  /** Where `go install` gets its environment (GOPATH, GOPROXY, HOME). */
  env: NodeJS.ProcessEnv;
  log: Logger;
  /** How long to wait for another process that is building into the same cache. */
  lockTimeoutMs: number;
  /** Where the build's spinner goes on a terminal, and how often a progress line is logged elsewhere. */
  progress?: { stream?: Pick<NodeJS.WriteStream, 'isTTY' | 'write'>; intervalMs?: number };
}

/** A failed `go install`: the command to run by hand and the end of Go's output (the cause is there). */
export class GoBuildFailedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GoBuildFailedError';
  }
}

/** How many lines of Go's output a failed build shows. */
const FAILURE_TAIL_LINES = 30;

/** The cached binaries' paths, by their cache names; undefined unless every one is there. */
export async function cachedBinaries(program: GoProgram, cacheDir: string): Promise<Record<string, string> | undefined> {
  const paths = Object.fromEntries(Object.values(program.binaries).map((name) => [name, path.join(cacheDir, name)]));
  for (const file of Object.values(paths)) if (!(await isExecutableFile(file))) return undefined;
  return paths;
}

/**
 * Builds into a private temp dir inside the cache, then renames each binary into place: rename is atomic,
 * so a killed build never leaves a half-written binary, and two builders at once (two jest runs) both end
 * with whole ones. The lock file only saves the second from doing the same minutes of work.
 * Returns the binaries' paths by their cache names.
 */
export async function buildIntoCache(program: GoProgram, opts: GoBuildOptions): Promise<Record<string, string>> {
  const { go, cacheDir, env, log } = opts;
  await fs.mkdir(cacheDir, { recursive: true });
  const release = await acquireBuildLock(program, cacheDir, opts.lockTimeoutMs, log);
  let buildDir: string | undefined;
  try {
    const done = await cachedBinaries(program, cacheDir);
    if (done) return done; // another process finished the build while we waited
    await removeStaleBuildDirs(cacheDir);
    buildDir = await fs.mkdtemp(path.join(cacheDir, `.build-${process.pid}-`));
    log.info({ packages: program.packages, cacheDir }, `building ${program.what} with go install, once (${program.expectedTime}); progress follows`);
    const started = performance.now();
    // CGO off: static binaries, and no C compiler needed (SQLite and the PostgreSQL driver are pure Go), as in Temporal's releases.
    const buildEnv = { ...env, GOBIN: buildDir, CGO_ENABLED: '0' };
    const args = ['install', '-v', ...program.packages];
    const progress = startBuildProgress({ log, title: `building ${program.what} (once)`, expectedPackages: program.expectedPackages, ...opts.progress });
    try {
      await runCommand(go, args, { env: buildEnv, onLine: progress.line });
    } catch (err) {
      const exit = err instanceof CommandFailedError ? err.exit : (err as Error).message;
      const output = err instanceof CommandFailedError ? err.output.trimEnd().split('\n').slice(-FAILURE_TAIL_LINES).join('\n') : '';
      throw new GoBuildFailedError(
        `Building ${program.what} failed (${exit}). The command, to run it yourself:\n` +
          `  GOBIN=${cacheDir} CGO_ENABLED=0 ${go} ${args.join(' ')}\n` +
          `Last lines of Go's output:\n${output}`,
        { cause: err },
      );
    } finally {
      progress.stop();
    }
    for (const [built, name] of Object.entries(program.binaries)) await fs.rename(path.join(buildDir, built), path.join(cacheDir, name));
    log.info({ cacheDir, seconds: Math.round((performance.now() - started) / 100) / 10 }, `built ${program.what}`);
    return (await cachedBinaries(program, cacheDir))!;
  } finally {
    if (buildDir) await fs.rm(buildDir, { recursive: true, force: true });
    await release?.();
  }
}

/**
 * Takes the cache's lock (O_EXCL create, holding our pid), or waits until the binaries appear. A lock
 * whose pid is dead is stale and removed. Returns the release function, or undefined when they appeared.
 */
async function acquireBuildLock(program: GoProgram, cacheDir: string, timeoutMs: number, log: Logger): Promise<(() => Promise<void>) | undefined> {
  const lockPath = path.join(cacheDir, '.build.lock');
  let reported = false;
  const tryLock = async (): Promise<'built' | 'locked' | undefined> => {
    if (await cachedBinaries(program, cacheDir)) return 'built';
    try {
      await fs.writeFile(lockPath, String(process.pid), { flag: 'wx' });
      return 'locked';
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = Number.parseInt(await fs.readFile(lockPath, 'utf8').catch(() => ''), 10);
    const known = Number.isInteger(holder) && holder > 0;
    // An unreadable pid older than a minute: its writer died between creating and writing the file.
    const ageMs = await fs.stat(lockPath).then((s) => Date.now() - s.mtimeMs, () => 0);
    if ((known && !isAlive(holder)) || (!known && ageMs > 60_000)) {
      await fs.rm(lockPath, { force: true });
      return tryLock();
    }
    if (!reported) {
      reported = true;
      log.info({ lockPath, holderPid: holder }, `another process is building ${program.what}; waiting for it`);
    }
    return undefined;
  };
  // waitFor retries a probe that throws; an unwritable cache dir must fail now, not in 20 minutes.
  const outcome = await waitFor(() => tryLock().catch((error: unknown) => ({ error })), {
    timeoutMs,
    intervalMs: 1_000,
    what: `the build lock ${lockPath}`,
  });
  if (typeof outcome === 'object') throw outcome.error;
  if (outcome === 'built') return undefined;
  return () => fs.rm(lockPath, { force: true });
}

/** Build dirs named `.build-<pid>-*` whose process is gone were left by a killed build. */
async function removeStaleBuildDirs(cacheDir: string): Promise<void> {
  for (const name of await fs.readdir(cacheDir)) {
    const pid = /^\.build-(\d+)-/.exec(name)?.[1];
    if (pid !== undefined && !isAlive(Number(pid))) await fs.rm(path.join(cacheDir, name), { recursive: true, force: true });
  }
}
