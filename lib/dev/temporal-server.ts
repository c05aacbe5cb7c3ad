import os from 'node:os';
import path from 'node:path';
import type { Logger } from '../logger';
import { buildIntoCache, cachedBinaries, GoBuildFailedError, type GoBuildOptions, type GoProgram } from './go-build';
import { goVersionProblem } from './go-version';
import { findOnPath } from './process';

/**
 * The Temporal server (not the dev server) and its SQL schema tool, for `npm run cluster` and the tests
 * that run the production topology. The version is the one the CLI v1.5.1 embeds (its go.mod requires
 * go.temporal.io/server v1.29.1; test/deploy/compose.test.ts checks that and docker-compose.yml's images).
 */
export const TEMPORAL_SERVER_VERSION = '1.29.1';
const SERVER_MODULE = `go.temporal.io/server`;

const TEMPORAL_SERVER_PROGRAM: GoProgram = {
  what: 'the Temporal server',
  packages: [`${SERVER_MODULE}/cmd/server@v${TEMPORAL_SERVER_VERSION}`, `${SERVER_MODULE}/cmd/tools/sql@v${TEMPORAL_SERVER_VERSION}`],
  // The names Temporal's own images give them.
  binaries: { server: 'temporal-server', sql: 'temporal-sql-tool' },
  // Measured after the CLI build (which the cluster always does first): ~690 packages more, 6 to 15 minutes
  // niced on two busy cores (the server is one large binary to link).
  expectedPackages: 700,
  expectedTime: '6–15 minutes on two cores',
};

class TemporalServerError extends Error {
  constructor(
    readonly code: 'temporal_server_not_found' | 'go_missing' | 'go_too_old' | 'temporal_server_build_failed',
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'TemporalServerError';
  }
}

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
}

export interface ObtainTemporalServerOptions {
  /** TEMPORAL_SERVER_BIN from the config: a directory holding temporal-server and temporal-sql-tool. */
  binDir?: string;
  log: Logger;
  /** Where PATH, HOME and XDG_CACHE_HOME come from, and the environment of `go install`. */
  env?: NodeJS.ProcessEnv;
  /** Defaults to `${XDG_CACHE_HOME:-$HOME/.cache}/guildflow/temporal-server-<version>`: outside the clone, shared by runs. */
  cacheDir?: string;
  goBinary?: string;
  lockTimeoutMs?: number;
  progress?: GoBuildOptions['progress'];
}

function defaultServerCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_CACHE_HOME?.trim() || path.join(env.HOME?.trim() || os.homedir(), '.cache');
  return path.join(base, 'guildflow', `temporal-server-${TEMPORAL_SERVER_VERSION}`);
}

const asBinaries = (paths: Record<string, string>): TemporalServerBinaries => ({ server: paths['temporal-server']!, sqlTool: paths['temporal-sql-tool']! });

/** Resolution order: TEMPORAL_SERVER_BIN, the cache, else build into the cache. */
export async function obtainTemporalServer(options: ObtainTemporalServerOptions): Promise<TemporalServerBinaries> {
  const env = options.env ?? process.env;
  const explicit = options.binDir?.trim();
  if (explicit) {
    const found = await cachedBinaries(TEMPORAL_SERVER_PROGRAM, path.resolve(explicit));
    if (!found) {
      throw new TemporalServerError('temporal_server_not_found', `TEMPORAL_SERVER_BIN=${explicit} must be a directory holding executable temporal-server and temporal-sql-tool. Fix it or unset it.`);
    }
    return asBinaries(found);
  }
  const cacheDir = options.cacheDir ?? defaultServerCacheDir(env);
  const cached = await cachedBinaries(TEMPORAL_SERVER_PROGRAM, cacheDir);
  if (cached) return asBinaries(cached);

  const go = options.goBinary ?? (await findOnPath('go', env));
  if (!go) {
    throw new TemporalServerError(
      'go_missing',
      `The Temporal server is not in ${cacheDir} and Go is not installed to build it. Install Go 1.25 or newer, or set ` +
        `TEMPORAL_SERVER_BIN to a directory holding temporal-server and temporal-sql-tool ${TEMPORAL_SERVER_VERSION}.`,
    );
  }
  const tooOld = await goVersionProblem(go, env);
  if (tooOld) throw new TemporalServerError('go_too_old', `The Temporal server cannot be built: ${tooOld}`);
  try {
    return asBinaries(await buildIntoCache(TEMPORAL_SERVER_PROGRAM, { go, cacheDir, env, log: options.log, lockTimeoutMs: options.lockTimeoutMs ?? 30 * 60_000, progress: options.progress }));
  } catch (err) {
    if (!(err instanceof GoBuildFailedError)) throw err;
    throw new TemporalServerError('temporal_server_build_failed', `${err.message}\nOr set TEMPORAL_SERVER_BIN to a directory holding the binaries.`, { cause: err });
  }
}
