/**
 * `npm run keys:rotate [-- --batch-size 500]`: re-encrypts every stored code and game secret under the
 * current key (CODE_ENCRYPTION_KEY / CODE_ENCRYPTION_KEY_ID), reading older rows with the keys in
 * CODE_ENCRYPTION_OLD_KEYS, and upgrades rows of the older format. Safe to stop and run again: it picks up
 * the rows that are left. Prints counts only — never a code, a secret or a key. Needs DATABASE_URL.
 */
import { parseArgs } from 'node:util';
import { reencryptSecrets } from '../activities/codes/rekey';
import { loadConfig } from '../lib/config';
import { keyringFromConfig } from '../lib/crypto';
import { createPrismaClient } from '../prisma/client';

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { 'batch-size': { type: 'string', default: '500' } } });
  const batchSize = Number(values['batch-size']);
  if (!Number.isSafeInteger(batchSize) || batchSize < 1 || batchSize > 10_000) {
    console.error('usage: npm run keys:rotate [-- --batch-size 1-10000]');
    return 2;
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    return 2;
  }
  const keyring = keyringFromConfig(config);
  if (!keyring || !config.DATABASE_URL) {
    console.error('Set DATABASE_URL, CODE_ENCRYPTION_KEY and CODE_ENCRYPTION_KEY_ID (the new key), and CODE_ENCRYPTION_OLD_KEYS (id:key of every key rows may still use).');
    return 2;
  }
  const prisma = createPrismaClient(config.DATABASE_URL, { poolSize: 1 });
  try {
    const report = await reencryptSecrets(prisma, keyring, { batchSize, onBatch: (p) => console.log(`${p.table}: ${p.rewritten} rewritten`) });
    console.log(`Done: ${report.codes} codes and ${report.gameSecrets} game secrets now under key ${keyring.currentKeyId}.`);
    return 0;
  } catch (err) {
    console.error(err instanceof Error ? err.message : err);
    return 1;
  } finally {
    await prisma.$disconnect();
  }
}

main().then((code) => process.exit(code));
