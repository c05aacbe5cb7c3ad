import { randomBytes } from 'node:crypto';
import { gameSecretRow, type CodeKeyring } from '../../lib/crypto/codes';
import { ValidationError } from '../../lib/errors';
import { type PrismaClient } from '../../prisma/client';

/**
 * Registered Roblox games and their HMAC secrets.
 *
 * The secret is stored encrypted (AES-256-GCM with the deployment's keyring, lib/crypto: a sub-key of its
 * own, bound to the guild and game id, key id kept for rotation), not hashed: verifying an HMAC needs the secret itself, so a
 * hash could never check a signature. Per-game rows (rather than one secret in the environment) let a
 * guild register several games and revoke one without a redeploy. The secret is shown once, when the game
 * is registered, and never logged or returned again.
 */
export interface RegisteredGame {
  id: string;
  guildId: string;
  name: string;
  /** Shown once. */
  secret: string;
}

export async function registerGame(
  prisma: PrismaClient,
  keyring: CodeKeyring,
  input: { guildId: string; name: string; id?: string; secret?: string },
  actor: { actorType: string; actorId: string },
): Promise<RegisteredGame> {
  const name = input.name.trim();
  if (name === '' || name.length > 64) throw new ValidationError('A game name is 1–64 characters.');
  const id = input.id ?? `g_${randomBytes(9).toString('base64url')}`;
  if (!/^[A-Za-z0-9_-]{3,40}$/.test(id)) throw new ValidationError('A game id is 3–40 characters of letters, digits, _ and -.');
  const secret = input.secret ?? randomBytes(32).toString('base64url');
  if (secret.length < 32) throw new ValidationError('A game secret has at least 32 characters.');
  const enc = keyring.encrypt(secret, gameSecretRow(input.guildId, id));
  await prisma.$transaction([
    prisma.robloxGame.create({
      data: { id, guildId: input.guildId, name, secretCiphertext: new Uint8Array(enc.ciphertext), secretIv: new Uint8Array(enc.iv), secretAuthTag: new Uint8Array(enc.authTag), secretKeyId: enc.keyId },
    }),
    prisma.auditEvent.create({ data: { guildId: input.guildId, actorType: actor.actorType, actorId: actor.actorId, action: 'roblox_game.register', targetType: 'roblox_game', targetId: id, data: { name } } }),
  ]);
  return { id, guildId: input.guildId, name, secret };
}

export interface GameAuth {
  id: string;
  guildId: string;
  secret: string;
}

/** The game and its decrypted secret, or null for an unknown or revoked game. */
export async function loadGameSecret(prisma: PrismaClient, keyring: CodeKeyring, gameId: string): Promise<GameAuth | null> {
  if (!/^[A-Za-z0-9_-]{3,40}$/.test(gameId)) return null;
  const row = await prisma.robloxGame.findUnique({ where: { id: gameId } });
  if (!row || row.revokedAt) return null;
  const secret = keyring.decrypt({ ciphertext: Buffer.from(row.secretCiphertext), iv: Buffer.from(row.secretIv), authTag: Buffer.from(row.secretAuthTag), keyId: row.secretKeyId }, gameSecretRow(row.guildId, row.id));
  return { id: row.id, guildId: row.guildId, secret };
}

/**
 * Records a nonce as used until `expiresAt` (the end of its timestamp window). false = already used inside
 * the window (a replay). The primary key decides, so this holds across API processes. `now` is the API's
 * clock (the one the timestamp window is checked with). Expired nonces are swept now and then.
 */
export async function useNonce(prisma: PrismaClient, gameId: string, nonce: string, expiresAt: Date, now: Date = new Date()): Promise<boolean> {
  const rows = await prisma.$queryRaw<{ nonce: string }[]>`
    INSERT INTO roblox_game_nonces (game_id, nonce, expires_at) VALUES (${gameId}, ${nonce}, ${expiresAt})
    ON CONFLICT (game_id, nonce) DO UPDATE SET expires_at = EXCLUDED.expires_at WHERE roblox_game_nonces.expires_at < ${now}
    RETURNING nonce`;
  if (Math.random() < 0.01) await prisma.$executeRaw`DELETE FROM roblox_game_nonces WHERE expires_at < ${now}::timestamptz - interval '1 minute'`;
  return rows.length === 1;
}

export async function recordHeartbeat(prisma: PrismaClient, gameId: string, serverId: string | null, playerCount: number | null): Promise<void> {
  await prisma.robloxGame.update({ where: { id: gameId }, data: { lastHeartbeatAt: new Date(), lastServerId: serverId, lastPlayerCount: playerCount } });
}

export interface LinkView {
  userId: string;
  robloxId: string;
  robloxName: string;
}

export async function linkByRobloxId(prisma: PrismaClient, guildId: string, robloxId: bigint): Promise<LinkView | null> {
  const link = await prisma.robloxLink.findUnique({ where: { guildId_robloxId: { guildId, robloxId } } });
  return link ? { userId: link.userId, robloxId: String(link.robloxId), robloxName: link.robloxName } : null;
}

export async function linkByUserId(prisma: PrismaClient, guildId: string, userId: string): Promise<LinkView | null> {
  const link = await prisma.robloxLink.findUnique({ where: { guildId_userId: { guildId, userId } } });
  return link ? { userId: link.userId, robloxId: String(link.robloxId), robloxName: link.robloxName } : null;
}

export function parseRobloxId(v: unknown): bigint {
  const s = typeof v === 'number' && Number.isSafeInteger(v) ? String(v) : v;
  if (typeof s !== 'string' || !/^[1-9][0-9]{0,18}$/.test(s)) throw new ValidationError('robloxUserId must be a positive whole number.');
  return BigInt(s);
}


