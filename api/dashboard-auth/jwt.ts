import { errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { GRANT_NAMES, type GrantName } from '../../lib/grants';
import { PERMISSION_LEVELS, type PermissionLevel } from '../../lib/permissions';

/** A person's standing in one guild, as computed at login or at the last refresh. */
export interface GuildAccess {
  level: PermissionLevel;
  grants: GrantName[];
}

/** What an access token says: who, which login (family), and their level and grants per guild. */
export interface SessionClaims {
  userId: string;
  familyId: string;
  guilds: Record<string, GuildAccess>;
  expiresAt: Date;
}

const ISSUER = 'guildflow';
const AUDIENCE = 'guildflow-dashboard';
const claimsSchema = z.object({
  sub: z.string().regex(/^\d{17,20}$/),
  sid: z.uuid(),
  exp: z.number(),
  guilds: z.record(z.string().regex(/^\d{17,20}$/), z.object({ level: z.enum(PERMISSION_LEVELS), grants: z.array(z.enum(GRANT_NAMES as [GrantName, ...GrantName[]])) })),
});

/** A compact JWS (three base64url parts): what a session's Bearer value looks like, unlike an API token. */
export function looksLikeJwt(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);
}

export async function signAccessToken(key: Uint8Array, claims: Omit<SessionClaims, 'expiresAt'>, now: Date, lifetimeSeconds: number): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const exp = issuedAt + lifetimeSeconds;
  const token = await new SignJWT({ sid: claims.familyId, guilds: claims.guilds })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setSubject(claims.userId)
    .setIssuedAt(issuedAt)
    .setExpirationTime(exp)
    .sign(key);
  return { token, expiresAt: new Date(exp * 1000) };
}

/** The claims of a valid, unexpired access token of ours; null for anything else (tampered, expired, foreign). */
export async function verifyAccessToken(key: Uint8Array, token: string, now: Date): Promise<SessionClaims | null> {
  try {
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE, currentDate: now, clockTolerance: 0 });
    const claims = claimsSchema.safeParse(payload);
    if (!claims.success) return null;
    return { userId: claims.data.sub, familyId: claims.data.sid, guilds: claims.data.guilds, expiresAt: new Date(claims.data.exp * 1000) };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError) return null;
    throw err;
  }
}
