import { defineConfig } from 'prisma/config';

// Read by the Prisma CLI, which this project uses only for `prisma generate` (scripts/prisma-generate.ts).
// Migrations do not go through the CLI, which would download a native engine: see prisma/migrator.ts.
export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
});
