import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { verifyApiToken } from '../../lib/api-tokens';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const GUILD = '100000000000000042';

function tokenCreate(env: NodeJS.ProcessEnv, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'scripts/create-api-token.ts', ...args], { cwd: root, env: { PATH: process.env.PATH, ...env } });
}

describe('npm run token:create', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
    await db.prisma.guild.create({ data: { id: GUILD, name: 'CLI guild', ownerId: '1' } });
  });
  afterAll(() => db?.drop());

  it('prints a token once that the API accepts at the requested level, and stores only its hash', async () => {
    const { stdout } = await tokenCreate({ DATABASE_URL: db.url }, '--guild', GUILD, '--name', 'dashboard', '--level', 'mod');
    const token = /^(gf_\S+)$/m.exec(stdout)?.[1];
    expect(token).toBeDefined();
    await expect(verifyApiToken(db.prisma, token!)).resolves.toMatchObject({ guildId: GUILD, level: 'mod', name: 'dashboard' });
    const rows = await db.prisma.apiToken.findMany();
    // The secret is base64url, so it may itself contain '_': take everything after the id.
    const secret = /^gf_[a-z0-9]{12}_(.+)$/.exec(token!)![1]!;
    expect(JSON.stringify(rows)).not.toContain(secret);
    const audit = await db.prisma.auditEvent.findMany({ where: { action: 'api_token.created' } });
    expect(audit).toHaveLength(1);
  });

  it('refuses an unknown guild and bad arguments with a clear message', async () => {
    await expect(tokenCreate({ DATABASE_URL: db.url }, '--guild', '999999999999999999', '--name', 'x')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining('not known to Guildflow'),
    });
    await expect(tokenCreate({ DATABASE_URL: db.url }, '--guild', GUILD, '--name', 'x', '--level', 'god')).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringContaining('usage: npm run token:create'),
    });
    expect(await db.prisma.apiToken.count()).toBe(1);
  });
});
