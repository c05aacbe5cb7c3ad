import type { Config } from '../config';
import { createCodeKeyring, parseKey, parseOldKeys, type CodeKeyring } from './codes';

export * from './codes';

/** The code keyring from the settings (already validated by loadConfig), or null when the code shop is off. */
export function keyringFromConfig(config: Pick<Config, 'CODE_ENCRYPTION_KEY' | 'CODE_ENCRYPTION_KEY_ID' | 'CODE_ENCRYPTION_OLD_KEYS'>): CodeKeyring | null {
  if (!config.CODE_ENCRYPTION_KEY) return null;
  const key = parseKey(config.CODE_ENCRYPTION_KEY);
  if (typeof key === 'string') throw new Error(`CODE_ENCRYPTION_KEY ${key}`);
  return createCodeKeyring({ id: config.CODE_ENCRYPTION_KEY_ID, key }, parseOldKeys(config.CODE_ENCRYPTION_OLD_KEYS).keys);
}

export const CODE_SHOP_OFF_MESSAGE = 'The code shop is off: set CODE_ENCRYPTION_KEY (see .env.example) to turn on /stock and /order.';
