/**
 * Which PostgreSQL a test run uses, in order: the one TEST_DATABASE_ADMIN_URL names; else the server that
 * answers at TEST_DATABASE_PROBE_URL (default: the usual local one on 127.0.0.1:5432); else an embedded
 * PostgreSQL started for the run. Kept apart from the probing and the starting so each case is testable.
 */
/** Where the chosen admin URL reaches test files: jest workers inherit the global setup's environment. */
export const ADMIN_URL_ENV = 'GF_TEST_DATABASE_ADMIN_URL';

export const DEFAULT_PROBE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

export type DatabaseMode =
  | { kind: 'given'; adminUrl: string }
  | { kind: 'server'; adminUrl: string }
  | { kind: 'embedded' };

/** Reads TEST_DATABASE_ADMIN_URL and TEST_DATABASE_PROBE_URL. */
export type DatabaseModeEnv = NodeJS.ProcessEnv;

/** The URL to probe for a running server; undefined when TEST_DATABASE_ADMIN_URL decides already. */
export function probeUrl(env: DatabaseModeEnv): string | undefined {
  if (env.TEST_DATABASE_ADMIN_URL?.trim()) return undefined;
  return env.TEST_DATABASE_PROBE_URL?.trim() || DEFAULT_PROBE_URL;
}

/** `serverAnswered`: whether the server at probeUrl(env) accepted a connection (ignored when none was probed). */
export function chooseDatabaseMode(env: DatabaseModeEnv, serverAnswered: boolean): DatabaseMode {
  const given = env.TEST_DATABASE_ADMIN_URL?.trim();
  if (given) return { kind: 'given', adminUrl: given };
  const probed = probeUrl(env)!;
  return serverAnswered ? { kind: 'server', adminUrl: probed } : { kind: 'embedded' };
}
