import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..', '..');
const TYPES_FILE = 'web/src/api/schema.d.ts';

/**
 * The dashboard's API types (web/src/api/schema.d.ts) are generated from the routes' declarations: a
 * route changed without `npm run api:types` leaves the dashboard typed against an API that is gone. The
 * generator runs in its own process (openapi-typescript loads ES modules jest's loader cannot).
 */
it('the committed dashboard API types are those the routes generate (npm run api:types)', async () => {
  const { stdout: generated } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'scripts/api-types.ts', '--stdout'], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const committed = readFileSync(join(root, TYPES_FILE), 'utf8');
  // Not toBe: a stale file should say so, not print two 10,000-line files.
  if (committed !== generated) throw new Error(`${TYPES_FILE} is stale: run npm run api:types and commit it.`);
  expect(committed).toContain('"/api/me/guilds"');
}, 120_000);
