import type { GuildLevel } from '../api/client';

const RANK: Record<GuildLevel, number> = { user: 0, mod: 1, admin: 2, owner: 3 };

export function atLeast(level: GuildLevel, needed: GuildLevel): boolean {
  return RANK[level] >= RANK[needed];
}

/** Whether the member may do what needs `level`, or holds the grant that stands in for it (as the API decides). */
export function mayAct(guild: { level: GuildLevel; grants: readonly string[] }, level: GuildLevel, grant?: string): boolean {
  return atLeast(guild.level, level) || (grant !== undefined && guild.grants.includes(grant));
}
