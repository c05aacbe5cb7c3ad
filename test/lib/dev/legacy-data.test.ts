import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { legacyPgliteNotice } from '../../../lib/dev/legacy-data';

describe('legacyPgliteNotice', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'gf-legacy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('says nothing without an old PGlite directory, and one line naming it and how to start afresh with one', () => {
    expect(legacyPgliteNotice(dir)).toBeUndefined();
    mkdirSync(path.join(dir, 'pglite'));
    const notice = legacyPgliteNotice(dir)!;
    expect(notice).not.toContain('\n');
    expect(notice).toContain(`${path.join(dir, 'pglite')} is from an earlier Guildflow (PGlite) and is no longer used`);
    expect(notice).toContain(`delete ${dir} to start everything afresh`);
  });
});
