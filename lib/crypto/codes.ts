import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

/**
 * Codes at rest: AES-256-GCM with a random 96-bit IV per code and its 128-bit tag; the key
 * id is stored beside each code so keys can rotate (new codes use the current key, old ones decrypt with
 * the key they name). Keys come from the environment only and are never logged: a CodeKeyring prints as
 * its key ids.
 */
export interface EncryptedCode {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
  keyId: string;
}

export interface CodeKeyring {
  /** The key id new codes are encrypted with. */
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];
  encrypt(plain: string): EncryptedCode;
  decrypt(code: EncryptedCode): string;
}

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;

/** A base64 (or hex) AES-256 key: exactly 32 bytes, or a message saying what is wrong (never the key). */
export function parseKey(text: string): Buffer | string {
  const t = text.trim();
  const bytes = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, 'hex') : /^[A-Za-z0-9+/_-]+={0,2}$/.test(t) ? Buffer.from(t, 'base64') : null;
  if (!bytes) return 'must be 32 bytes as base64 (e.g. `openssl rand -base64 32`) or 64 hex digits';
  if (bytes.length !== 32) return `must be 32 bytes (AES-256), got ${bytes.length}`;
  return bytes;
}

/** "id:key,id:key" (old keys kept for decryption) → map; problems listed without the keys. */
export function parseOldKeys(text: string | undefined): { keys: Map<string, Buffer>; problems: string[] } {
  const keys = new Map<string, Buffer>();
  const problems: string[] = [];
  for (const [i, part] of (text ?? '').split(',').map((p) => p.trim()).filter(Boolean).entries()) {
    const at = part.indexOf(':');
    const id = at > 0 ? part.slice(0, at) : '';
    if (!KEY_ID.test(id)) {
      problems.push(`entry ${i + 1} must be keyId:key with a key id of 1-32 of A-Z a-z 0-9 . _ -`);
      continue;
    }
    const key = parseKey(part.slice(at + 1));
    if (typeof key === 'string') problems.push(`key ${id} ${key}`);
    else keys.set(id, key);
  }
  return { keys, problems };
}

export function createCodeKeyring(current: { id: string; key: Buffer }, old: Map<string, Buffer> = new Map()): CodeKeyring {
  if (!KEY_ID.test(current.id)) throw new Error('invalid code key id');
  if (current.key.length !== 32) throw new Error('a code key must be 32 bytes');
  const keys = new Map(old);
  keys.set(current.id, current.key);
  const keyring: CodeKeyring = {
    currentKeyId: current.id,
    keyIds: [...keys.keys()],
    encrypt(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', current.key, iv);
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return { ciphertext, iv, authTag: cipher.getAuthTag(), keyId: current.id };
    },
    decrypt(code) {
      const key = keys.get(code.keyId);
      if (!key) throw new Error(`no code key with id ${code.keyId} is configured (CODE_ENCRYPTION_OLD_KEYS after a rotation)`);
      const decipher = createDecipheriv('aes-256-gcm', key, code.iv);
      decipher.setAuthTag(code.authTag);
      return Buffer.concat([decipher.update(code.ciphertext), decipher.final()]).toString('utf8');
    },
  };
  // Printing or logging the keyring shows its ids, never a key.
  Object.defineProperty(keyring, 'toJSON', { value: () => ({ currentKeyId: current.id, keyIds: [...keys.keys()] }), enumerable: false });
  return keyring;
}

/** Identifies a code for duplicate checks without storing it in clear (per guild). */
export function codeHash(guildId: string, code: string): string {
  return createHash('sha256').update(`${guildId}\u0000${code}`, 'utf8').digest('hex');
}
