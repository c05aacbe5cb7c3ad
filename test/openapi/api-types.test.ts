import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_TYPES_FILE, apiTypesSource } from '../../scripts/api-types-source';

/**
 * The dashboard's API types (web/src/api/schema.d.ts) are generated from the routes' declarations: a
 * route changed without `npm run api:types` leaves the dashboard typed against an API that is gone.
 */
it('the committed dashboard API types are those the routes generate (npm run api:types)', async () => {
  const committed = readFileSync(join(__dirname, '..', '..', API_TYPES_FILE), 'utf8');
  const generated = await apiTypesSource();
  // Not toBe: a stale file should say so, not print two 10,000-line files.
  if (committed !== generated) throw new Error(`${API_TYPES_FILE} is stale: run npm run api:types and commit it.`);
  expect(committed).toContain('"/api/me/guilds"');
});
