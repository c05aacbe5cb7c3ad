import { createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { ensurePackages } from '../../activities/codes/packages';
import { codesForDelivery, importCodes, reserveCodes } from '../../activities/codes/stock';
import { loadGameSecret, registerGame } from '../../activities/trades/games';
import { createCodeKeyring } from '../../lib/crypto/codes';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild } from '../helpers/ledger';

/**
 * Secrets at rest are bound to their row: a ciphertext moved to another guild's or row's record (someone
 * with write access to the database, a bad restore) does not decrypt there, and codes and game secrets are
 * sealed with different keys. Driven through the stock and game functions the services use.
 */
const master = randomBytes(32);
const keyring = createCodeKeyring({ id: 'k1', key: master });
const ADMIN = { actorType: 'user', actorId: 'discord:test-admin' };
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(() => db?.drop());

let orderSeq = 0;
async function reservedOrder(guildId: string, code: string): Promise<string> {
  await importCodes(db.prisma, keyring, guildId, code);
  const [pkg] = await ensurePackages(db.prisma, guildId);
  const id = `ord-bind-${++orderSeq}`;
  await db.prisma.codeOrder.create({ data: { id, guildId, userId: '300000000000000001', packageId: pkg!.id, quantity: 1, price: 0n, assetCode: 'currency', requestKey: id } });
  await reserveCodes(db.prisma, guildId, id, 1);
  return id;
}

const sealedOf = (r: { ciphertext: Uint8Array; iv: Uint8Array; authTag: Uint8Array; keyId: string }) => ({ ciphertext: new Uint8Array(r.ciphertext), iv: new Uint8Array(r.iv), authTag: new Uint8Array(r.authTag), keyId: r.keyId });

it("a code's ciphertext copied onto another guild's code, or another row of its own guild, does not decrypt there (and shows no plaintext)", async () => {
  const guildA = await createGuild(db.prisma);
  const guildB = await createGuild(db.prisma);
  const orderA = await reservedOrder(guildA, 'GUILD-A-SECRET-0001');
  const orderB = await reservedOrder(guildB, 'GUILD-B-CODE-0001');
  const orderA2 = await reservedOrder(guildA, 'GUILD-A-OTHER-0002');
  const rowA = await db.prisma.code.findFirstOrThrow({ where: { orderId: orderA } });
  expect(await codesForDelivery(db.prisma, keyring, orderB)).toEqual(['GUILD-B-CODE-0001']);

  await db.prisma.code.updateMany({ where: { orderId: orderB }, data: sealedOf(rowA) });
  await db.prisma.code.updateMany({ where: { orderId: orderA2 }, data: sealedOf(rowA) });
  for (const order of [orderB, orderA2]) {
    const refused = await codesForDelivery(db.prisma, keyring, order).then(
      (codes) => ({ codes }),
      (err: Error) => err,
    );
    expect(refused).toBeInstanceOf(Error);
    expect((refused as Error).message).toMatch(/does not decrypt .*written for another row/);
    expect(JSON.stringify(refused)).not.toContain('GUILD-A-SECRET');
    expect((refused as Error).message).not.toContain('GUILD-A-SECRET');
  }
  // The row it was written for still reads.
  expect(await codesForDelivery(db.prisma, keyring, orderA)).toEqual(['GUILD-A-SECRET-0001']);
});

it("a game secret copied onto another game's record does not decrypt there", async () => {
  const gameA = await registerGame(db.prisma, keyring, { guildId: await createGuild(db.prisma), name: 'Game A' }, ADMIN);
  const gameB = await registerGame(db.prisma, keyring, { guildId: await createGuild(db.prisma), name: 'Game B' }, ADMIN);
  const rowA = await db.prisma.robloxGame.findUniqueOrThrow({ where: { id: gameA.id } });
  await db.prisma.robloxGame.update({ where: { id: gameB.id }, data: { secretCiphertext: rowA.secretCiphertext, secretIv: rowA.secretIv, secretAuthTag: rowA.secretAuthTag, secretKeyId: rowA.secretKeyId } });
  const refused = await loadGameSecret(db.prisma, keyring, gameB.id).then(
    (auth) => ({ auth }),
    (err: Error) => err,
  );
  expect(refused).toBeInstanceOf(Error);
  expect((refused as Error).message).toMatch(/does not decrypt/);
  expect((refused as Error).message).not.toContain(gameA.secret);
  expect((await loadGameSecret(db.prisma, keyring, gameA.id))?.secret).toBe(gameA.secret);
});

/** AES-256-GCM decryption written here, apart from lib/crypto: null when it does not open. */
function open(key: Buffer, sealed: { ciphertext: Uint8Array; iv: Uint8Array; authTag: Uint8Array }, aad?: Buffer): string | null {
  try {
    const d = createDecipheriv('aes-256-gcm', key, sealed.iv);
    if (aad) d.setAAD(aad);
    d.setAuthTag(sealed.authTag);
    return Buffer.concat([d.update(sealed.ciphertext), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}

it('codes and game secrets are sealed with different keys derived from the master key, never the master key itself', async () => {
  const guildId = await createGuild(db.prisma);
  const order = await reservedOrder(guildId, 'KEYS-APART-0001');
  const code = await db.prisma.code.findFirstOrThrow({ where: { orderId: order } });
  const game = await registerGame(db.prisma, keyring, { guildId, name: 'Keys apart' }, ADMIN);
  const gameRow = await db.prisma.robloxGame.findUniqueOrThrow({ where: { id: game.id } });
  const gameSealed = { ciphertext: gameRow.secretCiphertext, iv: gameRow.secretIv, authTag: gameRow.secretAuthTag };

  const codeKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'guildflow/code/v2', 32));
  const gameKey = Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), 'guildflow/game_secret/v2', 32));
  const codeAad = Buffer.from(JSON.stringify(['code', guildId, code.hash]));
  const gameAad = Buffer.from(JSON.stringify(['game_secret', guildId, game.id]));
  expect(open(codeKey, code, codeAad)).toBe('KEYS-APART-0001');
  expect(open(gameKey, gameSealed, gameAad)).toBe(game.secret);
  // Neither opens with the other's key, nor with the master key as the old format did.
  expect(open(gameKey, code, codeAad)).toBeNull();
  expect(open(codeKey, gameSealed, gameAad)).toBeNull();
  expect(open(master, code)).toBeNull();
  expect(open(master, gameSealed)).toBeNull();
});
