import { DEFAULT_PROBE_URL, chooseDatabaseMode, probeUrl } from './database-mode';

describe('the test run database mode', () => {
  it('uses TEST_DATABASE_ADMIN_URL when set, without probing', () => {
    const env = { TEST_DATABASE_ADMIN_URL: 'postgres://me@db.test:6543/postgres', TEST_DATABASE_PROBE_URL: 'postgres://x@127.0.0.1:1/postgres' };
    expect(probeUrl(env)).toBeUndefined();
    expect(chooseDatabaseMode(env, false)).toEqual({ kind: 'given', adminUrl: 'postgres://me@db.test:6543/postgres' });
  });

  it('uses the server that answers at the probe URL (default 127.0.0.1:5432)', () => {
    expect(probeUrl({})).toBe(DEFAULT_PROBE_URL);
    expect(DEFAULT_PROBE_URL).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(chooseDatabaseMode({}, true)).toEqual({ kind: 'server', adminUrl: DEFAULT_PROBE_URL });
    const env = { TEST_DATABASE_ADMIN_URL: ' ', TEST_DATABASE_PROBE_URL: 'postgres://ci@127.0.0.1:15432/postgres' };
    expect(probeUrl(env)).toBe('postgres://ci@127.0.0.1:15432/postgres');
    expect(chooseDatabaseMode(env, true)).toEqual({ kind: 'server', adminUrl: 'postgres://ci@127.0.0.1:15432/postgres' });
  });

  it('starts an embedded PostgreSQL when nothing answers', () => {
    expect(chooseDatabaseMode({}, false)).toEqual({ kind: 'embedded' });
    expect(chooseDatabaseMode({ TEST_DATABASE_PROBE_URL: 'postgres://postgres@127.0.0.1:1/postgres' }, false)).toEqual({ kind: 'embedded' });
  });
});
