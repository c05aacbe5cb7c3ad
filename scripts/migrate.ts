/**
 * npm run db:migrate                 apply pending migrations to DATABASE_URL (like `prisma migrate deploy`)
 * npm run db:migration -- <name>     create a migration from prisma/schema.prisma and apply it to
 *                                    DATABASE_URL, a development database (like `prisma migrate dev`)
 * tsx scripts/migrate.ts resolve --rolled-back|--applied <name>
 *                                    after a failed migration (like `prisma migrate resolve`)
 * Add --verbose to see the schema engine's log and the full error.
 */
import { loadConfig, redactUrl } from '../lib/config';
import { ConfigError } from '../lib/errors';
import { createMigration, deployMigrations, resolveMigration } from '../prisma/migrator';

const USAGE = 'Usage: tsx scripts/migrate.ts [deploy] | create <name> | resolve --rolled-back|--applied <name>   [--verbose]';

const NO_URL = {
  deploy:
    'DATABASE_URL is not set. `npm start` applies migrations to its embedded database by itself; this command is for\n' +
    'an external PostgreSQL, e.g. DATABASE_URL=postgres://user:password@host:5432/guildflow npm run db:migrate',
  create:
    'DATABASE_URL is not set. Creating a migration needs a development PostgreSQL server (it replays the migrations\n' +
    'in a temporary shadow database, which the embedded database cannot do), e.g.\n' +
    'DATABASE_URL=postgres://postgres@127.0.0.1:5432/guildflow_dev npm run db:migration -- add_wallets',
};

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose');
  const resolveAs = argv.includes('--rolled-back') ? 'rolled-back' : argv.includes('--applied') ? 'applied' : undefined;
  const [command = 'deploy', name, ...extra] = argv.filter((a) => !['--verbose', '--rolled-back', '--applied'].includes(a));
  const valid =
    extra.length === 0 &&
    ((command === 'deploy' && !name && !resolveAs) || (command === 'create' && name && !resolveAs) || (command === 'resolve' && name && resolveAs));
  if (!valid) {
    console.error(USAGE);
    return 2;
  }

  const url = loadConfig().DATABASE_URL;
  if (!url) {
    console.error(NO_URL[command === 'create' ? 'create' : 'deploy']);
    return 1;
  }
  const log = (msg: string) => {
    if (verbose || !msg.startsWith('[schema-engine]')) console.log(msg);
  };
  const started = Date.now();

  if (command === 'deploy') {
    const { applied } = await deployMigrations(url, { log });
    const took = `${Date.now() - started} ms`;
    console.log(applied.length === 0 ? `${redactUrl(url)}: database is up to date (${took}).` : `${redactUrl(url)}: applied ${applied.length} migration(s) in ${took}.`);
    return 0;
  }
  if (command === 'resolve') {
    await resolveMigration(url, name!, resolveAs!, { log });
    return 0;
  }
  const { created } = await createMigration(url, name!, { log });
  console.log(created ? `Created and applied prisma/migrations/${created}/migration.sql.` : 'prisma/schema.prisma matches the migrations: nothing to create.');
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) console.error(error.message);
    else {
      console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
      if (process.argv.includes('--verbose') && error instanceof Error && error.cause) console.error(error.cause);
    }
    // Exit explicitly: nothing should be left running, but a CLI must not hang on a stray handle.
    process.exit(1);
  },
);
