import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');

describe('a database connection that the server ends', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  it('fails only what ran on it: the process lives and the pool opens a new connection', async () => {
    // A child process: an unhandled 'error' event would end it (exit 1), which is what used to happen.
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'test/prisma/connection-loss-child.ts', db.url], { cwd: root, timeout: 60_000 });
    const seen = JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, string>;
    expect(seen.checkedOut).toMatch(/terminat|not queryable|Connection terminated/i);
    expect(seen.transaction).toMatch(/^failed: /);
    expect(seen.afterwards).toBe('answers');
  });
});
