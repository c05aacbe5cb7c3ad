import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Client } from 'pg';
import { waitFor } from '../../lib/wait';
import { startGuildflow } from '../helpers/guildflow-process';
import { descendants, stillRunning } from '../helpers/processes';

/** `npm start` on embedded defaults; the Temporal CLI is the test run's already built binary. */
const temporalCli = process.env.GF_TEST_TEMPORAL_CLI;

describe('npm start on embedded defaults', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gf-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('becomes ready, serves the Temporal UI and metrics, keeps data across restarts, and stops cleanly on Ctrl-C and on SIGTERM to npm', async () => {
    const first = await startGuildflow(dataDir, { temporalCli });
    const ready = (await (await fetch(`${first.api}/ready`)).json()) as { checks: Record<string, { ok: boolean }> };
    expect(ready.checks).toEqual({ database: expect.objectContaining({ ok: true }), temporal: expect.objectContaining({ ok: true }) });
    expect((await fetch(`http://127.0.0.1:${first.ports.ui}/`)).status).toBe(200);
    const metrics = await (await fetch(`${first.api}/metrics`)).text();
    expect(metrics).toContain('guildflow_http_requests_total');
    expect(metrics).toMatch(/temporal_/); // the worker's own metrics, appended
    expect(first.output()).toMatch(/Discord bot is off: set DISCORD_TOKEN/);
    expect(first.output()).toMatch(/Payments are off: set MIDTRANS_SERVER_KEY/);
    expect(first.output()).toMatch(/The code shop is off: set CODE_ENCRYPTION_KEY/);
    expect(first.output()).toContain(path.join(dataDir, 'postgres'));

    // Write through the embedded database as any client would, to see it again after a restart.
    const pg = new Client({ host: '127.0.0.1', port: first.ports.db, user: 'postgres', database: 'postgres' });
    await pg.connect();
    await pg.query(`INSERT INTO guilds (id, name, owner_id, updated_at) VALUES ('123456789012345678', 'Kept', '1', now())`);
    await pg.end();

    const tree = descendants(first.child.pid!);
    expect(tree.some((p) => p.cmd.includes('temporal') && p.cmd.includes('start-dev'))).toBe(true);
    expect(tree.some((p) => p.cmd.includes(path.join('native', 'bin', 'postgres')))).toBe(true);
    process.kill(-first.child.pid!, 'SIGINT');
    const exited = await first.exit;
    const clean = (exited.code === 0 || exited.signal === 'SIGINT') && /"exitCode":0,.*"msg":"stopped cleanly"/.test(first.output());
    expect({ clean, exited, output: clean ? '' : first.output() }).toEqual({ clean: true, exited, output: '' });
    await waitFor(() => tree.every((p) => !stillRunning(p)), { timeoutMs: 10_000, what: 'every child process to exit' }).catch(() => {
      throw new Error(`left running: ${JSON.stringify(tree.filter(stillRunning))}`);
    });
    expect(first.output()).toMatch(/worker stopped/);

    const second = await startGuildflow(dataDir, { temporalCli });
    const secondTree = descendants(second.child.pid!);
    try {
      const pg2 = new Client({ host: '127.0.0.1', port: second.ports.db, user: 'postgres', database: 'postgres' });
      await pg2.connect();
      const { rows } = await pg2.query(`SELECT name FROM guilds WHERE id = '123456789012345678'`);
      await pg2.end();
      expect(rows).toEqual([{ name: 'Kept' }]);
    } finally {
      // A supervisor stops only the process it started (npm), not the whole group.
      process.kill(second.child.pid!, 'SIGTERM');
    }
    const secondExit = await second.exit;
    expect(secondExit.code === 0 || secondExit.signal === 'SIGTERM').toBe(true);
    expect(second.output()).toMatch(/"exitCode":0,.*"msg":"stopped cleanly"/);
    await waitFor(() => secondTree.every((p) => !stillRunning(p)), { timeoutMs: 10_000, what: 'every child process to exit' }).catch(() => {
      throw new Error(`left running: ${JSON.stringify(secondTree.filter(stillRunning))}`);
    });
  }, 400_000);
});
