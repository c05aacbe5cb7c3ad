/**
 * `npm run token:create -- --guild <id> --level admin --name dashboard`: mints a per-guild API token and
 * prints it once (only its hash is stored). Needs DATABASE_URL.
 */
import { parseArgs } from 'node:util';
import { createApiToken } from '../lib/api-tokens';
import { PERMISSION_LEVELS, type PermissionLevel } from '../lib/permissions';
import { createPrismaClient } from '../prisma/client';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { guild: { type: 'string' }, level: { type: 'string', default: 'admin' }, name: { type: 'string' }, 'expires-days': { type: 'string' } },
  });
  const level = values.level as PermissionLevel;
  if (!values.guild || !values.name || !PERMISSION_LEVELS.includes(level)) {
    console.error(`usage: npm run token:create -- --guild <guild id> --name <label> [--level ${PERMISSION_LEVELS.join('|')}] [--expires-days N]`);
    return 2;
  }
  if (!process.env.DATABASE_URL) {
    console.error('DATABASE_URL is not set: point it at the database Guildflow uses.');
    return 2;
  }
  const prisma = createPrismaClient(process.env.DATABASE_URL, { poolSize: 1 });
  try {
    const days = values['expires-days'] ? Number(values['expires-days']) : undefined;
    const { id, token } = await createApiToken(prisma, {
      guildId: values.guild,
      name: values.name,
      level,
      createdBy: 'cli',
      creatorLevel: 'owner',
      expiresAt: days ? new Date(Date.now() + days * 86_400_000) : undefined,
    });
    console.log(`Created ${level} token ${id} for guild ${values.guild}. It is shown only now:\n${token}`);
    return 0;
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    return 1;
  } finally {
    await prisma.$disconnect();
  }
}

main().then((code) => process.exit(code));
