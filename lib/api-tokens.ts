import { createHash, randomBytes } from 'node:crypto';
import type { PrismaClient } from '../prisma/client';
import { ForbiddenError, NotFoundError, ValidationError } from './errors';
import { atLeast, type PermissionLevel } from './permissions';

/**
 * Per-guild API tokens. The secret is shown once at creation; only its SHA-256 is stored, so a database
 * leak does not leak working tokens. Tokens look like `gf_<id>_<secret>` so a person can tell them apart.
 */
const TOKEN_PATTERN = /^gf_([a-z0-9]{12})_([A-Za-z0-9_-]{43})$/;

export interface TokenIdentity {
  tokenId: string;
  guildId: string;
  level: PermissionLevel;
  name: string;
  /**
   * The Discord user the token acts for (whoever minted it, or minted the token that minted it): their
   * reviews, audit entries and rate limits are theirs. Null for the operator's tokens (CLI).
   */
  ownerUserId: string | null;
}

function hashTokenSecret(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export interface CreateTokenInput {
  guildId: string;
  name: string;
  level: PermissionLevel;
  createdBy: string;
  /** The creator's own level: nobody mints a token above it. */
  creatorLevel: PermissionLevel;
  expiresAt?: Date;
}

export async function createApiToken(prisma: PrismaClient, input: CreateTokenInput): Promise<{ id: string; token: string }> {
  const name = input.name.trim();
  if (name.length < 1 || name.length > 64) throw new ValidationError('Token name must be 1–64 characters.');
  if (!atLeast(input.creatorLevel, input.level)) {
    throw new ForbiddenError(`You are ${input.creatorLevel}: you cannot create a token with level ${input.level}.`);
  }
  const guild = await prisma.guild.findUnique({ where: { id: input.guildId }, select: { id: true } });
  if (!guild) throw new NotFoundError(`Guild ${input.guildId} is not known to Guildflow (invite the bot first).`);
  const ownerUserId = await ownerOfMinter(prisma, input.guildId, input.createdBy);
  const id = randomBytes(6).toString('hex');
  const token = `gf_${id}_${randomBytes(32).toString('base64url')}`;
  await prisma.$transaction([
    prisma.apiToken.create({
      data: {
        id,
        guildId: input.guildId,
        name,
        level: input.level,
        secretHash: hashTokenSecret(token),
        createdBy: input.createdBy,
        ownerUserId,
        expiresAt: input.expiresAt ?? null,
      },
    }),
    prisma.auditEvent.create({
      data: {
        guildId: input.guildId,
        actorType: actorTypeOf(input.createdBy),
        actorId: input.createdBy,
        action: 'api_token.created',
        targetType: 'api_token',
        targetId: id,
        data: { name, level: input.level },
      },
    }),
  ]);
  return { id, token };
}

/** The token's identity, or null when it is malformed, unknown, revoked or expired. */
export async function verifyApiToken(prisma: PrismaClient, token: string, now = new Date()): Promise<TokenIdentity | null> {
  if (!TOKEN_PATTERN.test(token)) return null;
  const row = await prisma.apiToken.findUnique({ where: { secretHash: hashTokenSecret(token) } });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= now)) return null;
  // Record use at most once a minute: a busy dashboard must not turn every read into a write.
  if (!row.lastUsedAt || now.getTime() - row.lastUsedAt.getTime() > 60_000) {
    await prisma.apiToken.update({ where: { id: row.id }, data: { lastUsedAt: now } });
  }
  return { tokenId: row.id, guildId: row.guildId, level: row.level as PermissionLevel, name: row.name, ownerUserId: row.ownerUserId };
}

/**
 * The person a new token belongs to: a Discord minter (`discord:<id>`) owns it; a token minted by a token
 * belongs to the parent's owner, so minting cannot launder a token away from its person; the operator's
 * (`cli`, scripts) belong to nobody.
 */
async function ownerOfMinter(prisma: PrismaClient, guildId: string, createdBy: string): Promise<string | null> {
  if (createdBy.startsWith('discord:')) return createdBy.slice('discord:'.length);
  if (!createdBy.startsWith('token:')) return null;
  const parentId = createdBy.slice('token:'.length);
  const parent = await prisma.apiToken.findFirst({ where: { id: parentId, guildId }, select: { ownerUserId: true } });
  if (!parent) throw new NotFoundError(`No API token ${parentId} in guild ${guildId} to mint from.`);
  return parent.ownerUserId;
}

export interface RevokeTokenInput {
  guildId: string;
  tokenId: string;
  /** Who revokes, written like audit actors (`discord:<user id>`, `token:<id>`, `cli`). */
  actorId: string;
  /** Their level: nobody revokes a token above it (an admin cannot cut off the owner's token). */
  actorLevel: PermissionLevel;
}

export async function revokeApiToken(prisma: PrismaClient, input: RevokeTokenInput): Promise<void> {
  const { guildId, tokenId, actorId } = input;
  const row = await prisma.apiToken.findFirst({ where: { id: tokenId, guildId } });
  if (!row) throw new NotFoundError(`No API token ${tokenId} in guild ${guildId}.`);
  if (!atLeast(input.actorLevel, row.level as PermissionLevel)) {
    throw new ForbiddenError(`You are ${input.actorLevel}: you cannot revoke token ${tokenId}, which is ${row.level}.`);
  }
  if (row.revokedAt) return;
  await prisma.$transaction([
    prisma.apiToken.update({ where: { id: tokenId }, data: { revokedAt: new Date() } }),
    prisma.auditEvent.create({
      data: { guildId, actorType: actorTypeOf(actorId), actorId, action: 'api_token.revoked', targetType: 'api_token', targetId: tokenId },
    }),
  ]);
}

/** Actors are written `token:<id>` (API), `discord:<user id>` (bot) or a system name (`cli`). */
function actorTypeOf(actorId: string): 'api_token' | 'user' | 'system' {
  if (actorId.startsWith('token:')) return 'api_token';
  if (actorId.startsWith('discord:')) return 'user';
  return 'system';
}
