import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_TYPES_FILE, apiTypesSource } from './api-types-source';

/** `npm run api:types`: writes the dashboard's API types from the API's routes (test/openapi checks they are current). */
async function main(): Promise<void> {
  writeFileSync(join(__dirname, '..', API_TYPES_FILE), await apiTypesSource());
  console.log(`wrote ${API_TYPES_FILE}`);
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
