/**
 * Run by path from connection-loss.test.ts: a process on createPrismaClient's pool whose connections the
 * server ends while they are checked out (raw SQL, a Prisma transaction) and while idle. Prints one JSON
 * line of what each step saw and exits 0; an unhandled connection 'error' would make Node exit 1 instead.
 */
import pg from 'pg';
import { waitFor } from '../../lib/wait';
import { createPrismaClient, sqlPool } from '../../prisma/client';

const url = process.argv[2]!;

async function main() {
  const prisma = createPrismaClient(url, { poolSize: 2 });
  const pool = sqlPool(prisma)!;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  const terminate = (pid: number) => admin.query('SELECT pg_terminate_backend($1)', [pid]);
  const seen: Record<string, string> = {};

  // Checked out by raw SQL (the ledger's path), ended between two statements.
  const client = await pool.connect();
  const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  await terminate(rows[0]!.pid);
  const failure = await waitFor(() => client.query('SELECT 1').then(() => null, (err: Error) => err), { timeoutMs: 10_000, what: 'the ended connection to fail' });
  client.release(failure);
  seen.checkedOut = failure.message;

  // Checked out by a Prisma interactive transaction.
  seen.transaction = await prisma
    .$transaction(async (tx) => {
      const [row] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
      await terminate(row!.pid);
      await waitFor(() => tx.$queryRaw`SELECT 1`.then(() => false, () => true), { timeoutMs: 10_000, what: 'the transaction to fail' });
      return 'committed';
    })
    .then(
      (r) => r,
      (err: Error) => `failed: ${err.message.split('\n')[0]}`,
    );

  // Idle in the pool.
  const idle = await pool.connect();
  const idlePid = (await idle.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  idle.release();
  await terminate(idlePid);

  // The pool still answers, on new connections.
  const after = await waitFor(() => pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid').then((r) => r.rows[0]!.pid), { timeoutMs: 10_000, what: 'a fresh connection' });
  seen.afterwards = (await prisma.$queryRaw<{ one: number }[]>`SELECT 1 AS one`)[0]!.one === 1 && after !== idlePid ? 'answers' : 'wrong';
  await admin.end();
  await prisma.$disconnect();
  process.stdout.write(`${JSON.stringify(seen)}\n`);
}

void main();
