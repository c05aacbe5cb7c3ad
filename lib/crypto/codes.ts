import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Secrets at rest (the code stock, game secrets): AES-256-GCM with a random 96-bit IV and a 128-bit tag.
 *
 * Format v2 (key id stored as `v2:{id}`): each purpose encrypts with its own sub-key, derived from the
 * master key with HKDF-SHA256 and a distinct info string, so a code and a game secret never share a key;
 * and each ciphertext carries its row as GCM associated data (`purpose|guildId|rowKey`), so a ciphertext
 * copied to another guild's or row's record fails to decrypt instead of handing over its plaintext.
 * Format v1 (a bare key id) is the raw master key without associated data: still read, so rows written
 * before v2 keep working until `npm run keys:rotate` rewrites them.
 *
 * Keys come from the environment only and are never logged: a CodeKeyring prints as its key ids.
 */
export interface EncryptedCode {
  ciphertext: Buffer;
  iv: Buffer;
  authTag: Buffer;
  /** `v2:{id}` for the current format, a bare `{id}` for v1 rows. */
  keyId: string;
}

export type SealedPurpose = 'code' | 'game_secret';

/** The row a ciphertext belongs to; known before the row is written (codes: their hash, games: their id). */
export interface RowBinding {
  purpose: SealedPurpose;
  guildId: string;
  rowKey: string;
}

export interface CodeKeyring {
  /** The master key id new ciphertexts are encrypted with. */
  readonly currentKeyId: string;
  readonly keyIds: readonly string[];
  encrypt(plain: string, row: RowBinding): EncryptedCode;
  /** Throws DecryptionRefusedError (no plaintext, no key) when the ciphertext is not this row's. */
  decrypt(code: EncryptedCode, row: RowBinding): string;
  /** The key id new ciphertexts are stored with (`v2:{currentKeyId}`); rows carrying another are rotated. */
  readonly storedKeyId: string;
}

/** A ciphertext that does not open for the row it was read from: copied, tampered with, or another key. */
export class DecryptionRefusedError extends Error {
  readonly code = 'decryption_refused';
  constructor(row: RowBinding, keyId: string) {
    super(`The stored ${row.purpose.replace('_', ' ')} ${row.rowKey} of guild ${row.guildId} does not decrypt with key ${keyId}: it was written for another row, altered, or encrypted with another key.`);
    this.name = 'DecryptionRefusedError';
  }
}

const KEY_ID = /^[A-Za-z0-9._-]{1,32}$/;
const V2 = 'v2:';

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

/** The purpose's own key: HKDF-SHA256 of the master key, the info string naming purpose and format. */
function subKey(master: Buffer, purpose: SealedPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `guildflow/${purpose}/v2`, 32));
}

function associatedData(row: RowBinding): Buffer {
  return Buffer.from(JSON.stringify([row.purpose, row.guildId, row.rowKey]), 'utf8');
}

export function createCodeKeyring(current: { id: string; key: Buffer }, old: Map<string, Buffer> = new Map()): CodeKeyring {
  if (!KEY_ID.test(current.id)) throw new Error('invalid code key id');
  if (current.key.length !== 32) throw new Error('a code key must be 32 bytes');
  const keys = new Map(old);
  keys.set(current.id, current.key);
  const keyring: CodeKeyring = {
    currentKeyId: current.id,
    keyIds: [...keys.keys()],
    encrypt(plain, row) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', subKey(current.key, row.purpose), iv);
      cipher.setAAD(associatedData(row));
      const ciphertext = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return { ciphertext, iv, authTag: cipher.getAuthTag(), keyId: keyring.storedKeyId };
    },
    decrypt(code, row) {
      const v2 = code.keyId.startsWith(V2);
      const id = v2 ? code.keyId.slice(V2.length) : code.keyId;
      const master = keys.get(id);
      if (!master) throw new Error(`no code key with id ${id} is configured (CODE_ENCRYPTION_OLD_KEYS after a rotation)`);
      try {
        const decipher = createDecipheriv('aes-256-gcm', v2 ? subKey(master, row.purpose) : master, code.iv);
        if (v2) decipher.setAAD(associatedData(row));
        decipher.setAuthTag(code.authTag);
        return Buffer.concat([decipher.update(code.ciphertext), decipher.final()]).toString('utf8');
      } catch {
        throw new DecryptionRefusedError(row, code.keyId);
      }
    },
    storedKeyId: `${V2}${current.id}`,
  };
  // Printing or logging the keyring shows its ids, never a key.
  Object.defineProperty(keyring, 'toJSON', { value: () => ({ currentKeyId: current.id, keyIds: [...keys.keys()] }), enumerable: false });
  return keyring;
}

/** Identifies a code for duplicate checks without storing it in clear (per guild). */
export function codeHash(guildId: string, code: string): string {
  return createHash('sha256').update(`${guildId}\u0000${code}`, 'utf8').digest('hex');
}

/** A code in stock is bound to its guild and its hash (unique per guild, known before the row exists). */
export const codeRow = (guildId: string, hash: string): RowBinding => ({ purpose: 'code', guildId, rowKey: hash });

/** A game's HMAC secret is bound to its guild and the game's id. */
export const gameSecretRow = (guildId: string, gameId: string): RowBinding => ({ purpose: 'game_secret', guildId, rowKey: gameId });
