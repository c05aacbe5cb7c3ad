import type { GuildLevel } from '../api/client';

const RANK: Record<GuildLevel, number> = { user: 0, mod: 1, admin: 2, owner: 3 };

export function atLeast(level: GuildLevel, needed: GuildLevel): boolean {
  return RANK[level] >= RANK[needed];
}
