import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { UnauthorizedError } from '../../lib/errors';
import type { DashboardSession, PrismaClient } from '../../prisma/client';
import type { DiscordGuildSummary, DiscordProfile } from './discord-login';

const DAY_MS = 86_400_000;

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');
/** 32 random bytes; only its SHA-256 is stored. */
const newRefreshToken = () => randomBytes(32).toString('base64url');

/** A login family as the routes use it. */
export interface SessionFamily {
  id: string;
  userId: string;
  username: string;
  globalName: string | null;
  avatar: string | null;
  discordGuilds: DiscordGuildSummary[];
}

const toFamily = (row: DashboardSession): SessionFamily => ({
  id: row.id,
  userId: row.userId,
  username: row.username,
  globalName: row.globalName,
  avatar: row.avatar,
  discordGuilds: row.discordGuilds as unknown as DiscordGuildSummary[],
});

/**
 * Dashboard logins: a family per login, a chain of single-use refresh tokens in it.
 *
 * Rotation follows the OAuth 2.0 Security BCP (refresh token rotation with reuse detection): each refresh
 * spends its token and gets the next; a spent token presented again means two parties hold the chain (a
 * stolen copy, or a client bug), and it revokes the whole family — the newest token too — so the person
 * logs in again. Two refreshes racing with the same token count as reuse as well: the row's conditional
 * update lets exactly one spend it, and the other, finding it spent, revokes the family. We keep that
 * strict rule rather than a grace window; the dashboard sends one refresh at a time (docs/security.md).
 */
export function createSessionStore(prisma: PrismaClient, opts: { sessionDays: number; now: () => Date }) {
  return {
    /** A new login: the family and its first refresh token (valid as long as the family). */
    async open(profile: DiscordProfile): Promise<{ family: SessionFamily; refreshToken: string }> {
      const now = opts.now();
      const expiresAt = new Date(now.getTime() + opts.sessionDays * DAY_MS);
      const refreshToken = newRefreshToken();
      const row = await prisma.dashboardSession.create({
        data: {
          id: randomUUID(),
          userId: profile.id,
          username: profile.username,
          globalName: profile.globalName,
          avatar: profile.avatar,
          discordGuilds: profile.guilds.map((g) => ({ id: g.id, name: g.name, icon: g.icon })),
          createdAt: now,
          expiresAt,
          refreshTokens: { create: { id: randomUUID(), tokenHash: hashToken(refreshToken), createdAt: now, expiresAt } },
        },
      });
      return { family: toFamily(row), refreshToken };
    },

    /** Spends the token for the next one, in one transaction; UnauthorizedError when it is not the family's newest. */
    async rotate(refreshToken: string): Promise<{ family: SessionFamily; refreshToken: string }> {
      const now = opts.now();
      const outcome = await prisma.$transaction(async (tx) => {
        const row = await tx.dashboardRefreshToken.findUnique({ where: { tokenHash: hashToken(refreshToken) }, include: { family: true } });
        if (!row) return { refused: 'This session is unknown: log in again.' } as const;
        if (row.family.revokedAt) return { refused: 'This session has ended: log in again.' } as const;
        if (row.family.expiresAt <= now || row.expiresAt <= now) return { refused: 'This session has expired: log in again.' } as const;
        // Spent only if still unspent: of two refreshes racing with one token, one spends it and the other reuses it.
        const spent = await tx.dashboardRefreshToken.updateMany({ where: { id: row.id, rotatedAt: null }, data: { rotatedAt: now } });
        if (spent.count === 0) {
          await tx.dashboardSession.updateMany({ where: { id: row.familyId, revokedAt: null }, data: { revokedAt: now, revokedReason: 'reuse' } });
          return { refused: 'This refresh token was already used: the session is ended for safety; log in again.', reuse: true } as const;
        }
        const next = newRefreshToken();
        await tx.dashboardRefreshToken.create({ data: { id: randomUUID(), familyId: row.familyId, tokenHash: hashToken(next), createdAt: now, expiresAt: row.family.expiresAt } });
        return { family: toFamily(row.family), refreshToken: next } as const;
      });
      if ('refused' in outcome) throw new UnauthorizedError(outcome.refused);
      return outcome;
    },

    /** Logout: the family's every token stops working. A spent token ends it too, as a reuse; an unknown one ends nothing. */
    async revoke(refreshToken: string): Promise<void> {
      const row = await prisma.dashboardRefreshToken.findUnique({ where: { tokenHash: hashToken(refreshToken) }, select: { familyId: true, rotatedAt: true } });
      if (!row) return;
      await prisma.dashboardSession.updateMany({ where: { id: row.familyId, revokedAt: null }, data: { revokedAt: opts.now(), revokedReason: row.rotatedAt ? 'reuse' : 'logout' } });
    },

    /** The family while it still works (not revoked, not expired); null otherwise. */
    async active(familyId: string): Promise<SessionFamily | null> {
      const row = await prisma.dashboardSession.findUnique({ where: { id: familyId } });
      return row && !row.revokedAt && row.expiresAt > opts.now() ? toFamily(row) : null;
    },
  };
}
export type SessionStore = ReturnType<typeof createSessionStore>;
