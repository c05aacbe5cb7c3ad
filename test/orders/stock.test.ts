import { randomBytes } from 'node:crypto';
import { ensurePackages, setPackage } from '../../activities/codes/packages';
import { codesForDelivery, importCodes, lowStockCrossed, markCodesShown, releaseCodes, reserveCodes, stockCounts } from '../../activities/codes/stock';
import { OutOfStockError } from '../../activities/orders/errors';
import { loadConfig } from '../../lib/config';
import { codeHash, codeRow, createCodeKeyring, DecryptionRefusedError, keyringFromConfig, parseKey } from '../../lib/crypto';
import { type ConfigError } from '../../lib/errors';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild } from '../helpers/ledger';

/** The encrypted code stock and packages against PostgreSQL. */
describe('code stock', () => {
  let db: TestDatabase;
  const key = randomBytes(32);
  const keyring = createCodeKeyring({ id: 'k1', key });
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db?.drop());

  const code = (n: number) => `RF-${String(n).padStart(6, '0')}-${'X'.repeat(8)}`;
  let orderSeq = 0;
  /** An order row for codes to point at (the foreign key). */
  async function order(guildId: string): Promise<string> {
    const [pkg] = await ensurePackages(db.prisma, guildId);
    const id = `ord-stock-${++orderSeq}`;
    await db.prisma.codeOrder.create({ data: { id, guildId, userId: '300000000000000001', packageId: pkg!.id, quantity: 1, price: 0n, assetCode: 'currency', requestKey: id } });
    return id;
  }

  it('imports codes encrypted (AES-256-GCM, key id stored), with a report of added, duplicate and invalid lines', async () => {
    const guildId = await createGuild(db.prisma);
    const text = [code(1), '', `  ${code(2)}  `, code(1), 'ab', 'has space inside', code(3), 'é-not-ascii'].join('\n');
    const report = await importCodes(db.prisma, keyring, guildId, text);
    expect(report).toEqual({
      added: 3,
      duplicates: 1,
      invalid: [
        { line: 5, reason: 'too short (at least 4 characters)' },
        { line: 6, reason: 'spaces or characters outside printable ASCII' },
        { line: 8, reason: 'spaces or characters outside printable ASCII' },
      ],
      available: 3,
    });
    // Again: every code is a duplicate of the stock, nothing added.
    expect(await importCodes(db.prisma, keyring, guildId, `${code(2)}\n${code(3)}`)).toMatchObject({ added: 0, duplicates: 2, available: 3 });
    const rows = await db.prisma.code.findMany({ where: { guildId }, orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.keyId)).toEqual(['v2:k1', 'v2:k1', 'v2:k1']);
    expect(rows.map((r) => r.hash)).toEqual([code(1), code(2), code(3)].map((c) => codeHash(guildId, c)));
    for (const r of rows) {
      expect(r.iv).toHaveLength(12);
      expect(r.authTag).toHaveLength(16);
      expect(Buffer.from(r.ciphertext).toString('utf8')).not.toContain('RF-');
    }
    // The same code is another guild's own.
    const other = await createGuild(db.prisma);
    expect((await importCodes(db.prisma, keyring, other, code(1))).added).toBe(1);
  });

  it('a tampered ciphertext or the wrong key fails to decrypt; a rotated key still reads old codes', async () => {
    const row = codeRow('100000000000000001', 'hash-1');
    const enc = keyring.encrypt('SECRET-CODE-1', row);
    expect(keyring.decrypt(enc, row)).toBe('SECRET-CODE-1');
    const tampered = { ...enc, ciphertext: Buffer.from(enc.ciphertext) };
    tampered.ciphertext[0] = (tampered.ciphertext[0] ?? 0) ^ 1;
    expect(() => keyring.decrypt(tampered, row)).toThrow(DecryptionRefusedError);
    expect(() => createCodeKeyring({ id: 'k1', key: randomBytes(32) }).decrypt(enc, row)).toThrow(DecryptionRefusedError);
    const rotated = createCodeKeyring({ id: 'k2', key: randomBytes(32) }, new Map([['k1', key]]));
    expect(rotated.decrypt(enc, row)).toBe('SECRET-CODE-1');
    expect(rotated.encrypt('x', row).keyId).toBe('v2:k2');
    expect(() => createCodeKeyring({ id: 'k3', key: randomBytes(32) }).decrypt(enc, row)).toThrow(/no code key with id k1/);
    // Printing a keyring shows ids only.
    expect(JSON.stringify(rotated)).toBe(JSON.stringify({ currentKeyId: 'k2', keyIds: ['k1', 'k2'] }));
  });

  it('validates the key settings at start-up without printing a key', () => {
    const good = randomBytes(32).toString('base64');
    expect(keyringFromConfig(loadConfig({ CODE_ENCRYPTION_KEY: good, CODE_ENCRYPTION_KEY_ID: 'prod-2026' }))?.currentKeyId).toBe('prod-2026');
    expect(keyringFromConfig(loadConfig({}))).toBeNull();
    const short = randomBytes(16).toString('base64');
    let problems: string[] = [];
    try {
      loadConfig({ CODE_ENCRYPTION_KEY: short, CODE_ENCRYPTION_OLD_KEYS: `bad id!:${good},k0:zz`, CODE_ENCRYPTION_KEY_ID: 'k1' });
    } catch (err) {
      problems = (err as ConfigError).problems;
    }
    expect(problems).toEqual([
      'CODE_ENCRYPTION_KEY: must be 32 bytes (AES-256), got 16',
      'CODE_ENCRYPTION_OLD_KEYS: entry 1 must be keyId:key with a key id of 1-32 of A-Z a-z 0-9 . _ -',
      'CODE_ENCRYPTION_OLD_KEYS: key k0 must be 32 bytes (AES-256), got 1',
    ]);
    expect(problems.join('\n')).not.toContain(short);
    expect(problems.join('\n')).not.toContain(good);
    expect(typeof parseKey('a'.repeat(64))).toBe('object');
  });

  it('reserves all or nothing, marks codes shown before delivery, releases only unshown codes', async () => {
    const guildId = await createGuild(db.prisma);
    await importCodes(db.prisma, keyring, guildId, [1, 2, 3, 4, 5].map(code).join('\n'));
    const a = await order(guildId);
    const b = await order(guildId);
    const reserved = await reserveCodes(db.prisma, guildId, a, 3);
    expect(reserved.codeIds).toHaveLength(3);
    // Again for the same order: the same codes.
    expect(await reserveCodes(db.prisma, guildId, a, 3)).toEqual(reserved);
    await expect(reserveCodes(db.prisma, guildId, b, 3)).rejects.toBeInstanceOf(OutOfStockError);
    expect(await stockCounts(db.prisma, guildId)).toEqual({ available: 2, reserved: 3, delivered: 0 });
    expect(await codesForDelivery(db.prisma, keyring, a)).toEqual([code(1), code(2), code(3)]);

    // b takes 2, is released before anything is shown: back to stock.
    await reserveCodes(db.prisma, guildId, b, 2);
    expect(await releaseCodes(db.prisma, b)).toEqual({ released: 2, kept: 0 });
    // a's codes are shown, then a is refunded: they stay out of stock.
    expect(await markCodesShown(db.prisma, a)).toBe(3);
    expect(await releaseCodes(db.prisma, a)).toEqual({ released: 0, kept: 3 });
    expect(await stockCounts(db.prisma, guildId)).toEqual({ available: 2, reserved: 0, delivered: 3 });
  });

  it('concurrent reservations never share a code (FOR UPDATE SKIP LOCKED): 20 orders for 10 codes', async () => {
    const guildId = await createGuild(db.prisma);
    await importCodes(db.prisma, keyring, guildId, Array.from({ length: 10 }, (_, i) => code(100 + i)).join('\n'));
    const orders = await Promise.all(Array.from({ length: 20 }, () => order(guildId)));
    const results = await Promise.allSettled(orders.map((o) => reserveCodes(db.prisma, guildId, o, 1)));
    const ok = results.filter((r): r is PromiseFulfilledResult<{ codeIds: string[] }> => r.status === 'fulfilled');
    expect(ok).toHaveLength(10);
    expect(results.filter((r) => r.status === 'rejected' && r.reason instanceof OutOfStockError)).toHaveLength(10);
    expect(new Set(ok.flatMap((r) => r.value.codeIds)).size).toBe(10);
    expect(await stockCounts(db.prisma, guildId)).toEqual({ available: 0, reserved: 10, delivered: 0 });
  });

  it('alerts once per crossing of the low-stock threshold', async () => {
    const guildId = await createGuild(db.prisma);
    await db.prisma.codeShopSettings.create({ data: { guildId, lowStockThreshold: 2 } });
    await importCodes(db.prisma, keyring, guildId, [200, 201, 202, 203].map(code).join('\n'));
    const o = await order(guildId);
    await reserveCodes(db.prisma, guildId, o, 1);
    expect(await lowStockCrossed(db.prisma, guildId)).toEqual({ alert: false, available: 3, threshold: 2 });
    await reserveCodes(db.prisma, guildId, await order(guildId), 1);
    expect(await lowStockCrossed(db.prisma, guildId)).toEqual({ alert: true, available: 2, threshold: 2 });
    await reserveCodes(db.prisma, guildId, await order(guildId), 1);
    expect((await lowStockCrossed(db.prisma, guildId)).alert).toBe(false); // still below: alerted already
    await importCodes(db.prisma, keyring, guildId, [204, 205].map(code).join('\n')); // back above: re-armed
    await reserveCodes(db.prisma, guildId, await order(guildId), 2);
    expect(await lowStockCrossed(db.prisma, guildId)).toEqual({ alert: true, available: 1, threshold: 2 });
  });

  it('packages: the defaults 1, 5, 10, 25, 50 once, prices set by admins, bad values refused', async () => {
    const guildId = await createGuild(db.prisma);
    expect((await ensurePackages(db.prisma, guildId)).map((p) => [p.quantity, p.price])).toEqual([
      [1, 10000n],
      [5, 50000n],
      [10, 100000n],
      [25, 250000n],
      [50, 500000n],
    ]);
    expect(await ensurePackages(db.prisma, guildId)).toHaveLength(5);
    expect(await setPackage(db.prisma, guildId, { quantity: 5, price: 45000n })).toMatchObject({ quantity: 5, price: 45000n, active: true });
    expect(await setPackage(db.prisma, guildId, { quantity: 50, price: 400000n, active: false })).toMatchObject({ active: false });
    await expect(setPackage(db.prisma, guildId, { quantity: 0, price: 1n })).rejects.toThrow('A package has 1 to 1000 codes.');
    await expect(setPackage(db.prisma, guildId, { quantity: 5, price: -1n })).rejects.toThrow(/price/);
    expect((await db.prisma.codePackage.findFirstOrThrow({ where: { guildId, quantity: 5 } })).price).toBe(45000n);
  });
});
