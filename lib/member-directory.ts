import type { PrismaClient } from '../prisma/client';
import { poolOf, type SqlPool } from '../prisma/transactions';

/**
 * The guild's members as the bot sees them on the gateway, kept in the `members` table so the API (a
 * separate process, no gateway) can list and search them. The bot writes: the whole list at READY and
 * GUILD_CREATE (`replaceGuildMembers`), one member per GUILD_MEMBER_ADD/UPDATE (`saveMembers`) and
 * REMOVE (`markMemberLeft`). Rows are never deleted: a member who left keeps the row with `left_at`.
 */
export interface MemberRecord {
  userId: string;
  username: string;
  /** The server nickname, else the global display name, else the username. */
  displayName: string;
  avatarUrl: string | null;
  isBot: boolean;
  joinedAt: Date | null;
}

/** Rows per INSERT: 1,000 members are ~150 KB of parameters, one round trip each. */
const BATCH = 1000;

/** Adds or refreshes members (present again if they had left). The guild's row must exist. */
export async function saveMembers(db: PrismaClient | SqlPool, guildId: string, members: readonly MemberRecord[]): Promise<void> {
  const pool = poolOf(db);
  for (let i = 0; i < members.length; i += BATCH) {
    const batch = members.slice(i, i + BATCH);
    await pool.query(
      `INSERT INTO members (guild_id, user_id, username, display_name, avatar_url, is_bot, joined_at, left_at, updated_at)
       SELECT $1, m.user_id, m.username, m.display_name, m.avatar_url, m.is_bot, m.joined_at, NULL, now()
         FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[], $7::timestamptz[])
              AS m(user_id, username, display_name, avatar_url, is_bot, joined_at)
       ON CONFLICT (guild_id, user_id) DO UPDATE
          SET username = EXCLUDED.username, display_name = EXCLUDED.display_name, avatar_url = EXCLUDED.avatar_url,
              is_bot = EXCLUDED.is_bot, joined_at = coalesce(EXCLUDED.joined_at, members.joined_at), left_at = NULL, updated_at = now()`,
      [
        guildId,
        batch.map((m) => m.userId),
        batch.map((m) => m.username),
        batch.map((m) => m.displayName),
        batch.map((m) => m.avatarUrl),
        batch.map((m) => m.isBot),
        batch.map((m) => m.joinedAt?.toISOString() ?? null),
      ],
    );
  }
}

/** A member left (GUILD_MEMBER_REMOVE): kept, no longer listed. */
export async function markMemberLeft(db: PrismaClient | SqlPool, guildId: string, userId: string): Promise<void> {
  await poolOf(db).query(`UPDATE members SET left_at = now(), updated_at = now() WHERE guild_id = $1 AND user_id = $2 AND left_at IS NULL`, [guildId, userId]);
}

/**
 * The guild's whole member list, fetched from the gateway when `fetchedFrom` (before the request): saves
 * them, and marks everyone else left — except rows written after `fetchedFrom`, whose member joined (or
 * changed) while the list was on its way and is newer than it.
 */
export async function replaceGuildMembers(db: PrismaClient | SqlPool, guildId: string, members: readonly MemberRecord[], fetchedFrom: Date): Promise<void> {
  const pool = poolOf(db);
  await saveMembers(pool, guildId, members);
  await pool.query(
    `UPDATE members SET left_at = now(), updated_at = now()
      WHERE guild_id = $1 AND left_at IS NULL AND updated_at < $3 AND NOT (user_id = ANY($2::text[]))`,
    [guildId, members.map((m) => m.userId), fetchedFrom],
  );
}
