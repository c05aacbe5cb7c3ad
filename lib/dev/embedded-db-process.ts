/**
 * Child process that serves an embedded PostgreSQL (PGlite, in WebAssembly) on a local TCP port, so the
 * ordinary `pg` driver and Prisma's adapter connect to it unchanged. It runs apart from Guildflow because
 * PGlite computes on the event loop of whoever hosts it. Started by lib/dev/embedded-db.ts over IPC.
 */
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

async function main(): Promise<void> {
  const [dataDir, portArg] = process.argv.slice(2);
  if (!dataDir || !portArg) throw new Error('usage: embedded-db-process <dataDir> <port>');
  mkdirSync(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: Number(portArg), maxConnections: 20 });
  await server.start();
  process.send?.({ type: 'ready' });

  let closing = false;
  const close = async () => {
    if (closing) return;
    closing = true;
    await server.stop();
    await db.close(); // flushes to disk, so the data survives the restart
    process.exit(0);
  };
  process.on('SIGTERM', close);
  process.on('SIGINT', () => undefined); // the parent decides when we stop (after its pool has closed)
  process.on('disconnect', close); // the parent died: never outlive it
  process.on('message', (msg: { type?: string }) => {
    if (msg?.type === 'stop') void close();
  });
}

main().catch((err: unknown) => {
  process.send?.({ type: 'error', message: err instanceof Error ? err.message : String(err) });
  process.exit(1);
});
