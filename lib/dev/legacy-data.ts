import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Earlier versions ran the embedded database on PGlite with its data in DATA_DIR/pglite. That data is not
 * read any more (the embedded PostgreSQL keeps its own in DATA_DIR/postgres): one line says so, and how
 * to start afresh, instead of a silently empty database.
 */
export function legacyPgliteNotice(dataDir: string): string | undefined {
  const old = path.join(dataDir, 'pglite');
  if (!existsSync(old)) return undefined;
  return (
    `${old} is from an earlier Guildflow (PGlite) and is no longer used: the embedded database is now PostgreSQL ` +
    `with its data in ${path.join(dataDir, 'postgres')}, which starts empty. Delete ${old} to silence this, or delete ` +
    `${dataDir} to start everything afresh.`
  );
}
