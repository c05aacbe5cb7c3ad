/**
 * `prisma generate`, offline. Every Prisma CLI command first tries to download its native schema engine,
 * which fails without internet; generating the client does not use that engine, so pointing
 * PRISMA_SCHEMA_ENGINE_BINARY at a no-op skips the download. This is the package's postinstall, so it
 * must work on a fresh `npm ci` with no network, and fail loudly.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const root = path.resolve(__dirname, '..');
const prismaBin = path.join(root, 'node_modules', '.bin', 'prisma');

if (!existsSync(prismaBin)) {
  console.error(`prisma-generate: ${prismaBin} is missing; run npm ci first.`);
  process.exit(1);
}

const result = spawnSync(prismaBin, ['generate', '--schema', path.join(root, 'prisma', 'schema.prisma')], {
  cwd: root,
  stdio: 'inherit',
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? '/bin/true',
    CHECKPOINT_DISABLE: '1', // Prisma's version check/telemetry would reach for the network too
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});

if (result.error) {
  console.error(`prisma-generate: could not run prisma: ${result.error.message}`);
  process.exit(1);
}
if (result.status !== 0) {
  console.error(`prisma-generate: prisma generate failed (exit ${result.status ?? result.signal}).`);
  process.exit(result.status ?? 1);
}
