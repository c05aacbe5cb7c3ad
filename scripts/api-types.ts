import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_TYPES_FILE, apiTypesSource } from './api-types-source';

/**
 * `npm run api:types`: writes the dashboard's API types from the API's routes. With `--stdout` it prints
 * them instead (test/openapi/api-types.test.ts compares them with the committed file: openapi-typescript
 * loads ES modules jest cannot, so the test runs this in its own process).
 */
async function main(): Promise<void> {
  const source = await apiTypesSource();
  if (process.argv.includes('--stdout')) {
    process.stdout.write(source);
    return;
  }
  writeFileSync(join(__dirname, '..', API_TYPES_FILE), source);
  console.log(`wrote ${API_TYPES_FILE}`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
