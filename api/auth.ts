import type { Context, Next } from 'koa';
import { auditActorId } from '../activities/economy';
import { accessAt, type AccessCheck } from '../activities/grants';
import type { Actor } from '../activities/ledger';
import { verifyApiToken, type TokenIdentity } from '../lib/api-tokens';
import type { GuildDirectory } from '../lib/discord/guild-directory';
import { ForbiddenError, UnauthorizedError } from '../lib/errors';
import { DiscordUnavailableError } from '../lib/discord/guild-directory';
import { currentMemberFacts, guildMemberLevel } from '../lib/guild-levels';
import { GRANTS, mayAct, type GrantName, type Need } from '../lib/grants';
import { atLeast, type PermissionLevel } from '../lib/permissions';
import type { PrismaClient } from '../prisma/client';
import { looksLikeJwt, type SessionClaims } from './dashboard-auth/jwt';
import type { DashboardSessions } from './dashboard-auth/runtime';

export interface AuthState {
  auth: TokenIdentity;
  /** The grant that let a person's token below the route's level through (empty otherwise). */
  grants: readonly GrantName[];
}

/** Where requireGuildToken finds the Discord directory and the dashboard sessions: set once per app (api/app.ts). */
interface DirectoryState {
  guildDirectory?: GuildDirectory;
  dashboardSessions?: DashboardSessions;
}

/** Gives every request the app's dashboard sessions, so a route's token check accepts their access tokens. */
export function provideDashboardSessions(sessions: DashboardSessions | undefined) {
  return async (ctx: Context, next: Next): Promise<void> => {
    (ctx.state as DirectoryState).dashboardSessions = sessions;
    await next();
  };
}

/** The id a dashboard session goes by where a token id is expected (stream limits, logs): never an API token's id. */
const SESSION_TOKEN_PREFIX = 'session:';

/** Gives every request the app's Discord directory, for the token owner check below. */
export function provideGuildDirectory(guildDirectory: GuildDirectory | undefined) {
  return async (ctx: Context, next: Next): Promise<void> => {
    (ctx.state as DirectoryState).guildDirectory = guildDirectory;
    await next();
  };
}

/**
 * Guards a `/api/guilds/:guildId/...` route: a valid token (401 otherwise) for this guild with at least
 * `level` — or, for a route that names a `grant`, a person's token whose person holds it now — (403
 * otherwise), whose owner still is a member with the level the token was minted at (401 otherwise; 503
 * when Discord cannot say). Operator tokens have no person, so no grants: their level decides.
 */
export function requireGuildToken(prisma: PrismaClient, level: PermissionLevel, grant?: GrantName) {
  const need: Need = { level, grant };
  return async (ctx: Context, next: Next): Promise<void> => {
    const header = ctx.get('authorization');
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match?.[1]) throw new UnauthorizedError();
    const sessions = (ctx.state as DirectoryState).dashboardSessions;
    if (sessions && looksLikeJwt(match[1])) {
      const session = await sessions.verify(match[1]);
      if (!session) throw new UnauthorizedError('The access token is invalid, expired or its session has ended: refresh it, or log in again.');
      return acceptSession(ctx, next, session, need);
    }
    const identity = await verifyApiToken(prisma, match[1]);
    if (!identity) throw new UnauthorizedError('The API token is unknown, revoked or expired.');
    const guildId = (ctx as Context & { params?: Record<string, string> }).params?.guildId;
    if (guildId !== identity.guildId) throw new ForbiddenError(`This token is for guild ${identity.guildId}, not ${guildId}.`);
    const byLevel = atLeast(identity.level, level);
    if (!byLevel && (!grant || identity.ownerUserId === null)) {
      throw new ForbiddenError(`This needs a ${level} token${grant ? ` (or the token of a member holding the ${GRANTS[grant].label} grant)` : ''}; this token is ${identity.level}.`);
    }
    const access = await confirmOwner(prisma, (ctx.state as DirectoryState).guildDirectory, identity, need);
    if (!access.allowed) throw new ForbiddenError(`This needs a ${level} token or the ${GRANTS[grant!].label} grant; member ${identity.ownerUserId} does not hold it (any more).`);
    (ctx.state as AuthState).auth = identity;
    (ctx.state as AuthState).grants = access.grants;
    ctx.state.log = ctx.state.log.child({ guildId, tokenId: identity.tokenId });
    await next();
  };
}

/**
 * A dashboard session's access token: the person's level and grants in this guild as computed at their
 * last refresh (at most the access token's lifetime ago), the person as the actor. A server they are not
 * in (or Guildflow does not serve) is a 403.
 */
async function acceptSession(ctx: Context, next: Next, session: SessionClaims, need: Need): Promise<void> {
  const guildId = (ctx as Context & { params?: Record<string, string> }).params?.guildId ?? '';
  const access = session.guilds[guildId];
  if (!access) throw new ForbiddenError(`You are not a member of guild ${guildId} with Guildflow in it (as of your last refresh).`);
  if (!mayAct(access, need)) {
    throw new ForbiddenError(`This needs ${need.level} level${need.grant ? ` or the ${GRANTS[need.grant].label} grant` : ''}; you are ${access.level} in this server (as of your last refresh).`);
  }
  const grants = atLeast(access.level, need.level) ? [] : [need.grant!];
  (ctx.state as AuthState).auth = { tokenId: `${SESSION_TOKEN_PREFIX}${session.familyId}`, guildId, level: access.level, name: 'dashboard session', ownerUserId: session.userId };
  (ctx.state as AuthState).grants = grants;
  ctx.state.log = ctx.state.log.child({ guildId, userId: session.userId, sessionId: session.familyId });
  await next();
}

/** The person of a dashboard session's request; null for an API token. */
function sessionPerson(auth: TokenIdentity): string | null {
  return auth.tokenId.startsWith(SESSION_TOKEN_PREFIX) ? auth.ownerUserId : null;
}

/** Who mints a token from this request: the session's person (`discord:<id>`), or the API token (`token:<id>`). */
export function tokenMinter(auth: TokenIdentity): string {
  const person = sessionPerson(auth);
  return person ? `discord:${person}` : `token:${auth.tokenId}`;
}

/** Where a route records the API token itself as the actor (`token:<id>`), a session records its person. */
export function tokenOrSessionActor(auth: TokenIdentity): { actor: Actor; audit: { actorType: Actor['type']; actorId: string } } {
  const person = sessionPerson(auth);
  if (person) return { actor: { type: 'user', id: person }, audit: tokenAuditActor(auth) };
  const actorId = `token:${auth.tokenId}`;
  return { actor: { type: 'api_token', id: actorId }, audit: { actorType: 'api_token', actorId } };
}

/**
 * A person's token works only while they could mint it again: still a member, at the token's level or
 * above (asked of Discord, cached briefly by the directory). The token acts at its own level, plus the
 * grant the route names when the person holds it now. The operator's tokens (CLI) have no person. When
 * Discord cannot be asked the answer is 503, never a guess either way.
 */
async function confirmOwner(prisma: PrismaClient, directory: GuildDirectory | undefined, identity: TokenIdentity, need: Need): Promise<AccessCheck> {
  const owner = identity.ownerUserId;
  if (owner === null) return { level: identity.level, grants: [], allowed: atLeast(identity.level, need.level) };
  if (!directory) throw new DiscordUnavailableError('This API process has no Discord connection (DISCORD_TOKEN) to confirm the level of the token’s owner.');
  const member = await currentMemberFacts(directory, identity.guildId, owner);
  if (member === null) throw new UnauthorizedError(`This token belongs to member ${owner}, who is no longer in this server: it no longer works.`);
  const now = await guildMemberLevel(prisma, identity.guildId, member);
  if (!atLeast(now, identity.level)) {
    throw new UnauthorizedError(`This token was minted at ${identity.level} level; its owner ${owner} is now ${now}, so it no longer works.`);
  }
  return accessAt(prisma, identity.guildId, member, identity.level, need);
}

/** Who a request acts for, as the ledger and audit trail record it: the token's person, or the operator's token. */
export function tokenActor(auth: TokenIdentity): Actor {
  return auth.ownerUserId ? { type: 'user', id: auth.ownerUserId } : { type: 'api_token', id: auth.tokenId };
}

/** The same in the audit trail's shape (`discord:<user id>` or `token:<id>`). */
export function tokenAuditActor(auth: TokenIdentity): { actorType: Actor['type']; actorId: string } {
  const actor = tokenActor(auth);
  return { actorType: actor.type, actorId: auditActorId(actor) };
}
