import { execFile } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { ensurePackages } from '../../activities/codes/packages';
import { reencryptSecrets } from '../../activities/codes/rekey';
import { codesForDelivery, importCodes, reserveCodes } from '../../activities/codes/stock';
import { loadGameSecret, registerGame } from '../../activities/trades/games';
import { codeHash, createCodeKeyring } from '../../lib/crypto/codes';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild } from '../helpers/ledger';

/**
 * Key rotation (`npm run keys:rotate`): rows written before the row-bound format still decrypt until
 * rotated; a rotation rewrites every code and game secret under the new key, in batches, resumably and
 * idempotently, and afterwards the old key is not needed.
 */
const run = promisify(execFile);
const root = path.resolve(__dirname, '../..');
const ADMIN = { actorType: 'user', actorId: 'discord:test-admin' };
const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const oldKeyring = createCodeKeyring({ id: 'old-1', key: oldKey });
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

/** The format before row binding, written here: the raw master key, no associated data, a bare key id. */
function legacySeal(plain: string) {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', oldKey, iv);
  const ciphertext = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
  return { ciphertext, iv, authTag: c.getAuthTag(), keyId: 'old-1' };
}

let seq = 0;
async function orderHolding(guildId: string, count: number): Promise<string> {
  const [pkg] = await ensurePackages(db.prisma, guildId);
  const id = `ord-rot-${++seq}`;
  await db.prisma.codeOrder.create({ data: { id, guildId, userId: '300000000000000001', packageId: pkg!.id, quantity: count, price: 0n, assetCode: 'currency', requestKey: id } });
  await reserveCodes(db.prisma, guildId, id, count);
  return id;
}

it('rotates every code and game secret to the new key (old-format rows readable before, upgraded by it), resumably and once', async () => {
  const guildId = await createGuild(db.prisma);
  // Five codes in the current format under the old key, two written in the old format.
  await importCodes(db.prisma, oldKeyring, guildId, ['ROT-CODE-0001', 'ROT-CODE-0002', 'ROT-CODE-0003', 'ROT-CODE-0004', 'ROT-CODE-0005'].join('\n'));
  for (const plain of ['ROT-LEGACY-0006', 'ROT-LEGACY-0007']) {
    await db.prisma.code.create({ data: { guildId, hash: codeHash(guildId, plain), ...legacySeal(plain) } });
  }
  const game = await registerGame(db.prisma, oldKeyring, { guildId, name: 'Rotated game' }, ADMIN);
  const legacyGameSecret = randomBytes(32).toString('base64url');
  const legacy = legacySeal(legacyGameSecret);
  await db.prisma.robloxGame.create({ data: { id: 'g_legacy_game', guildId, name: 'Legacy game', secretCiphertext: legacy.ciphertext, secretIv: legacy.iv, secretAuthTag: legacy.authTag, secretKeyId: legacy.keyId } });
  const all = ['ROT-CODE-0001', 'ROT-CODE-0002', 'ROT-CODE-0003', 'ROT-CODE-0004', 'ROT-CODE-0005', 'ROT-LEGACY-0006', 'ROT-LEGACY-0007'];
  const order = await orderHolding(guildId, all.length);

  // Before rotation: the old-format rows decrypt as they always did.
  expect(await codesForDelivery(db.prisma, oldKeyring, order)).toEqual(all);
  expect((await loadGameSecret(db.prisma, oldKeyring, 'g_legacy_game'))?.secret).toBe(legacyGameSecret);

  // A rotation stopped after its first batch (a crash) leaves the rest for the next run.
  const rotating = createCodeKeyring({ id: 'new-2', key: newKey }, new Map([['old-1', oldKey]]));
  await expect(
    reencryptSecrets(db.prisma, rotating, {
      batchSize: 3,
      onBatch: () => {
        throw new Error('stopped');
      },
    }),
  ).rejects.toThrow('stopped');
  const keyIds = async () => (await db.prisma.code.findMany({ where: { guildId }, select: { keyId: true } })).map((r) => r.keyId).sort();
  expect((await keyIds()).filter((k) => k === 'v2:new-2')).toHaveLength(3);

  // The operator's command finishes the job: it reads old and new keys from the environment and prints counts only.
  const cli = await run(process.execPath, ['--import', 'tsx', 'scripts/rotate-keys.ts', '--batch-size', '2'], {
    cwd: root,
    env: { PATH: process.env.PATH, DATABASE_URL: db.url, CODE_ENCRYPTION_KEY: newKey.toString('base64'), CODE_ENCRYPTION_KEY_ID: 'new-2', CODE_ENCRYPTION_OLD_KEYS: `old-1:${oldKey.toString('base64')}` },
  });
  expect(cli.stdout).toContain('Done: 4 codes and 2 game secrets now under key new-2.');
  for (const secret of [...all, game.secret, legacyGameSecret, oldKey.toString('base64'), newKey.toString('base64')]) {
    expect(cli.stdout + cli.stderr).not.toContain(secret);
  }
  expect(new Set(await keyIds())).toEqual(new Set(['v2:new-2']));
  const games = await db.prisma.robloxGame.findMany({ where: { guildId }, select: { secretKeyId: true } });
  expect(games.map((g) => g.secretKeyId)).toEqual(['v2:new-2', 'v2:new-2']);

  // Everything decrypts under the new key alone; the old key alone opens nothing.
  const newOnly = createCodeKeyring({ id: 'new-2', key: newKey });
  expect(await codesForDelivery(db.prisma, newOnly, order)).toEqual(all);
  expect((await loadGameSecret(db.prisma, newOnly, game.id))?.secret).toBe(game.secret);
  expect((await loadGameSecret(db.prisma, newOnly, 'g_legacy_game'))?.secret).toBe(legacyGameSecret);
  await expect(codesForDelivery(db.prisma, oldKeyring, order)).rejects.toThrow(/no code key with id new-2/);

  // Again: nothing left to rewrite.
  expect(await reencryptSecrets(db.prisma, rotating)).toEqual({ codes: 0, gameSecrets: 0 });
});
