import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger';
import { buildIntoCache, GoBuildFailedError, type GoBuildOptions, type GoProgram } from './go-build';
import { goVersionProblem } from './go-version';
import { findOnPath, isExecutableFile } from './process';

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
  progress?: GoBuildOptions['progress'];
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
  try {
    const built = await buildIntoCache(TEMPORAL_CLI_PROGRAM, { go, cacheDir, env, log, lockTimeoutMs: options.lockTimeoutMs ?? 20 * 60_000, progress: options.progress });
    return built.temporal!;
  } catch (err) {
    if (!(err instanceof GoBuildFailedError)) throw err;
    throw new TemporalCliError(
      'temporal_cli_build_failed',
      `${err.message}\nOr set TEMPORAL_CLI to a temporal binary, or TEMPORAL_ADDRESS to a running Temporal server.`,
      { cause: err },
    );
  }
}

const TEMPORAL_CLI_PROGRAM: GoProgram = {
  what: 'the Temporal CLI',
  packages: [TEMPORAL_CLI_MODULE],
  binaries: { temporal: 'temporal' },
  // Measured: go install -v compiles ~1,300 packages for v1.5.1 from an empty Go build cache.
  expectedPackages: 1_300,
  expectedTime: '3–9 minutes on two cores',
};
