import type { Context, Next } from 'koa';
import { verifyApiToken, type TokenIdentity } from '../lib/api-tokens';
import { ForbiddenError, UnauthorizedError } from '../lib/errors';
import { atLeast, type PermissionLevel } from '../lib/permissions';
import type { PrismaClient } from '../prisma/client';

export interface AuthState {
  auth: TokenIdentity;
}

/**
 * Guards a `/api/guilds/:guildId/...` route: a valid token (401 otherwise) for this guild with at least
 * `level` (403 otherwise).
 */
export function requireGuildToken(prisma: PrismaClient, level: PermissionLevel) {
  return async (ctx: Context, next: Next): Promise<void> => {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new UnauthorizedError();
    const identity = await verifyApiToken(prisma, match[1]);
    if (!identity) throw new UnauthorizedError('The API token is unknown, revoked or expired.');
    const guildId = (ctx as Context & { params?: Record<string, string> }).params?.guildId;
    if (guildId !== identity.guildId) throw new ForbiddenError(`This token is for guild ${identity.guildId}, not ${guildId}.`);
    if (!atLeast(identity.level, level)) {
      throw new ForbiddenError(`This needs a ${level} token; this token is ${identity.level}.`);
    }
    ctx.state.auth = identity;
    ctx.state.log = ctx.state.log.child({ guildId, tokenId: identity.tokenId });
    await next();
  };
}
