import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger';
import { waitFor } from '../wait';
import { startBuildProgress } from './build-progress';
import { goVersionProblem } from './go-version';
import { CommandFailedError, findOnPath, isAlive, isExecutableFile, runCommand } from './process';

/**
 * Finds or builds the Temporal CLI that runs the local dev server. No npm package ships the server and
 * the SDK's own download needs the internet, so the fallback is `go install` through the Go module proxy.
 * v1.5.1 is the newest release whose go.mod has no `replace` directive (which `go install` refuses).
 */
const TEMPORAL_CLI_VERSION = '1.5.1';
export const TEMPORAL_CLI_MODULE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;

export class TemporalCliError extends Error {
  constructor(
    readonly code: 'temporal_cli_not_executable' | 'go_missing' | 'go_too_old' | 'temporal_cli_build_failed',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TemporalCliError';
  }
}

export interface ObtainTemporalCliOptions {
  /** TEMPORAL_CLI from the config: used as is, an error if it is not an executable file. */
  cliPath?: string;
  log: Logger;
  /** Where PATH, HOME and XDG_CACHE_HOME come from, and the environment of `go install`. */
  env?: NodeJS.ProcessEnv;
  /** Defaults to `${XDG_CACHE_HOME:-$HOME/.cache}/guildflow/temporal-<version>`: outside the clone, shared by runs. */
  cacheDir?: string;
  /** Defaults to `go` on PATH. */
  goBinary?: string;
  /** How long to wait for another process that is building into the same cache. */
  lockTimeoutMs?: number;
  /** Where the build's spinner goes on a terminal, and how often a progress line is logged elsewhere. */
  progress?: { stream?: Pick<NodeJS.WriteStream, 'isTTY' | 'write'>; intervalMs?: number };
}

export function defaultCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME?.trim() || path.join(env.HOME?.trim() || os.homedir(), '.cache');
  return path.join(base, 'guildflow', `temporal-${TEMPORAL_CLI_VERSION}`);
}

/** Resolution order: explicit path, `temporal` on PATH, the cache, else build into the cache. */
export async function obtainTemporalCli(options: ObtainTemporalCliOptions): Promise<string> {
  const { log } = options;
  const env = options.env ?? process.env;
  const explicit = options.cliPath?.trim();
  if (explicit) {
    const resolved = path.resolve(explicit);
    if (!(await isExecutableFile(resolved))) {
      throw new TemporalCliError('temporal_cli_not_executable', `TEMPORAL_CLI=${explicit} is not an executable file. Fix the path or unset TEMPORAL_CLI.`);
    }
    return resolved;
  }
  const onPath = await findOnPath('temporal', env);
  if (onPath) {
    log.debug({ cli: onPath }, 'using the Temporal CLI on PATH');
    return onPath;
  }
  const cacheDir = options.cacheDir ?? defaultCacheDir(env);
  const cached = path.join(cacheDir, 'temporal');
  if (await isExecutableFile(cached)) return cached;

  const go = options.goBinary ?? (await findOnPath('go', env));
  if (!go || !(await isExecutableFile(go))) {
    throw new TemporalCliError(
      'go_missing',
      `The Temporal CLI was not found (no TEMPORAL_CLI, no \`temporal\` on PATH, nothing in ${cacheDir}) and Go is ` +
        `not installed to build it. Install Go 1.25 or newer (an older Go from 1.21 on fetches the 1.25 toolchain ` +
        `itself), or set TEMPORAL_CLI to a temporal binary, or set TEMPORAL_ADDRESS to use a running Temporal server.`,
    );
  }
  const tooOld = await goVersionProblem(go, env);
  if (tooOld) throw new TemporalCliError('go_too_old', `The Temporal CLI was not found and cannot be built: ${tooOld}`);
  return buildIntoCache({ go, cacheDir, env, log, lockTimeoutMs: options.lockTimeoutMs ?? 20 * 60_000, progress: options.progress });
}

/** How many lines of Go's output a failed build shows (the cause is at the end). */
const FAILURE_TAIL_LINES = 30;

/**
 * Builds into a private temp dir inside the cache, then renames the binary into place: rename is atomic,
 * so a killed build never leaves a half-written `temporal`, and two builders at once (two jest runs)
 * both end with a whole one. The lock file only saves the second from doing the same 3 minutes of work.
 */
async function buildIntoCache(opts: {
  go: string;
  cacheDir: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  lockTimeoutMs: number;
  progress?: ObtainTemporalCliOptions['progress'];
}): Promise<string> {
  const { go, cacheDir, env, log } = opts;
  const target = path.join(cacheDir, 'temporal');
  await fs.mkdir(cacheDir, { recursive: true });
  const release = await acquireBuildLock(path.join(cacheDir, '.build.lock'), target, opts.lockTimeoutMs, log);
  if (!release) return target; // another process finished the build while we waited
  let buildDir: string | undefined;
  try {
    if (await isExecutableFile(target)) return target;
    await removeStaleBuildDirs(cacheDir);
    buildDir = await fs.mkdtemp(path.join(cacheDir, `.build-${process.pid}-`));
    log.info({ module: TEMPORAL_CLI_MODULE, cacheDir }, 'building the Temporal CLI with go install, once (3–9 minutes on two cores); progress follows');
    const started = performance.now();
    // CGO off: a static binary, and no C compiler needed (its SQLite is pure Go), as in Temporal's releases.
    const buildEnv = { ...env, GOBIN: buildDir, CGO_ENABLED: '0' };
    const args = ['install', '-v', TEMPORAL_CLI_MODULE];
    // Measured: go install -v compiles ~1,300 packages for v1.5.1 from an empty Go build cache.
    const progress = startBuildProgress({ log, title: 'building the Temporal CLI (once)', expectedPackages: 1_300, ...opts.progress });
    try {
      await runCommand(go, args, { env: buildEnv, onLine: progress.line });
    } catch (err) {
      const exit = err instanceof CommandFailedError ? err.exit : (err as Error).message;
      const output = err instanceof CommandFailedError ? err.output.trimEnd().split('\n').slice(-FAILURE_TAIL_LINES).join('\n') : '';
      throw new TemporalCliError(
        'temporal_cli_build_failed',
        `Building the Temporal CLI failed (${exit}). The command, to run it yourself:\n` +
          `  GOBIN=${cacheDir} CGO_ENABLED=0 ${go} ${args.join(' ')}\n` +
          `Last lines of Go's output:\n${output}\n` +
          `Or set TEMPORAL_CLI to a temporal binary, or TEMPORAL_ADDRESS to a running Temporal server.`,
        { cause: err },
      );
    } finally {
      progress.stop();
    }
    await fs.rename(path.join(buildDir, 'temporal'), target);
    log.info({ cli: target, seconds: Math.round((performance.now() - started) / 100) / 10 }, 'built the Temporal CLI');
    return target;
  } finally {
    if (buildDir) await fs.rm(buildDir, { recursive: true, force: true });
    await release();
  }
}

/**
 * Takes `lockPath` (O_EXCL create, holding our pid), or waits until the binary appears. A lock whose pid
 * is dead is stale and removed. Returns the release function, or undefined when the binary appeared.
 */
async function acquireBuildLock(lockPath: string, target: string, timeoutMs: number, log: Logger): Promise<(() => Promise<void>) | undefined> {
  let reported = false;
  const tryLock = async (): Promise<'built' | 'locked' | undefined> => {
    if (await isExecutableFile(target)) return 'built';
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
      log.info({ lockPath, holderPid: holder }, 'another process is building the Temporal CLI; waiting for it');
    }
    return undefined;
  };
  // waitFor retries a probe that throws; an unwritable cache dir must fail now, not in 20 minutes.
  const outcome = await waitFor(() => tryLock().catch((error: unknown) => ({ error })), {
    timeoutMs,
    intervalMs: 1_000,
    what: `the Temporal CLI build lock ${lockPath}`,
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
