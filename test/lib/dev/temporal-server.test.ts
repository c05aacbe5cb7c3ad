import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { obtainTemporalServer } from '../../../lib/dev/temporal-server';
import { createLogger } from '../../../lib/logger';

// The build itself is lib/dev/go-build.ts, tested through the CLI's (test/lib/dev/temporal-cli.test.ts).
let dir: string;
const log = createLogger({ level: 'silent' });

async function executables(at: string, names: string[]): Promise<void> {
  await fs.mkdir(at, { recursive: true });
  for (const name of names) await fs.writeFile(path.join(at, name), '#!/bin/sh\necho fake\n', { mode: 0o755 });
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gf-server-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('obtainTemporalServer', () => {
  it('uses TEMPORAL_SERVER_BIN when it holds both programs', async () => {
    await executables(path.join(dir, 'bin'), ['temporal-server', 'temporal-sql-tool']);
    expect(await obtainTemporalServer({ binDir: path.join(dir, 'bin'), log, env: { PATH: '' } })).toEqual({
      server: path.join(dir, 'bin', 'temporal-server'),
      sqlTool: path.join(dir, 'bin', 'temporal-sql-tool'),
    });
  });

  it('refuses a TEMPORAL_SERVER_BIN without the schema tool, naming the fix', async () => {
    await executables(path.join(dir, 'bin'), ['temporal-server']);
    await expect(obtainTemporalServer({ binDir: path.join(dir, 'bin'), log, env: { PATH: '' } })).rejects.toMatchObject({
      code: 'temporal_server_not_found',
      message: expect.stringContaining('temporal-sql-tool'),
    });
  });

  it('uses the versioned cache under XDG_CACHE_HOME without Go', async () => {
    await executables(path.join(dir, 'guildflow', 'temporal-server-1.29.1'), ['temporal-server', 'temporal-sql-tool']);
    const found = await obtainTemporalServer({ log, env: { PATH: '', XDG_CACHE_HOME: dir } });
    expect(found.server).toBe(path.join(dir, 'guildflow', 'temporal-server-1.29.1', 'temporal-server'));
  });

  it('says how to get the binaries when neither they nor Go are there', async () => {
    await expect(obtainTemporalServer({ log, env: { PATH: '', XDG_CACHE_HOME: dir } })).rejects.toMatchObject({
      code: 'go_missing',
      message: expect.stringMatching(/Install Go.*TEMPORAL_SERVER_BIN/s),
    });
  });
});
