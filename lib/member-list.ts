import type { PrismaClient } from '../prisma/client';
import { poolOf } from '../prisma/transactions';

/** One member as the dashboard lists them: the directory's row, balances from the ledger, the Roblox link. */
export interface MemberListing {
  userId: string;
  username: string | null;
  displayName: string | null;
  avatarUrl: string | null;
  isBot: boolean;
  joinedAt: string | null;
  /** Every asset of the guild (zeros included), in asset order; amounts are decimal strings. */
  balances: { asset: string; balance: string; held: string; available: string }[];
  roblox: { id: string; name: string; displayName: string; verifiedAt: string } | null;
}

/** Where a page starts: after the member with this name key and id (the list's order). */
export interface MemberKey {
  name: string;
  userId: string;
}

interface Row {
  user_id: string;
  username: string | null;
  display_name: string | null;
  avatar_url: string | null;
  is_bot: boolean;
  joined_at: Date | null;
  left_at: Date | null;
  name_key: string;
  balances: { asset: string; balance: string; held: string }[];
  roblox_id: string | null;
  roblox_name: string | null;
  roblox_display_name: string | null;
  verified_at: Date | null;
}

// The name key is the member_directory migration's index expression, so the page is an index range scan.
const NAME_KEY = `lower(coalesce(m.display_name, m.username, m.user_id))`;
// Balances per asset of the guild, read from the ledger's accounts (their unique key: guild, asset, owner).
const DETAILS = `
  coalesce((SELECT json_agg(json_build_object('asset', s.code, 'balance', coalesce(a.balance, 0)::text, 'held', coalesce(a.held, 0)::text) ORDER BY s.id)
              FROM ledger_assets s
              LEFT JOIN ledger_accounts a ON a.guild_id = s.guild_id AND a.asset_id = s.id AND a.owner_type = 'user' AND a.owner_id = p.user_id
             WHERE s.guild_id = $1), '[]'::json) AS balances,
  r.roblox_id::text AS roblox_id, r.roblox_name, r.roblox_display_name, r.verified_at`;

/** `%`, `_` and `\` in a search are literal characters. */
const likeLiteral = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * A page of the guild's current members (not those who left), in name order (case-insensitive, then user
 * id), after `after`: keyset paging, so members joining or leaving meanwhile never shift the pages already
 * read. `search` matches a part of the display name or username, case-insensitively, or the start of the
 * user id.
 */
export async function listMembers(
  prisma: PrismaClient,
  q: { guildId: string; search?: string; after?: MemberKey; limit: number },
): Promise<{ items: MemberListing[]; next: MemberKey | null }> {
  const params: unknown[] = [q.guildId];
  const param = (v: unknown) => `$${params.push(v)}`;
  const conditions = ['m.guild_id = $1', 'm.left_at IS NULL'];
  if (q.search) {
    // ILIKE on the columns themselves: their trigram indexes (pg_trgm) answer it.
    const like = param(`%${likeLiteral(q.search)}%`);
    const idPrefix = /^\d+$/.test(q.search) ? ` OR m.user_id LIKE ${param(`${q.search}%`)}` : '';
    conditions.push(`(m.display_name ILIKE ${like} OR m.username ILIKE ${like}${idPrefix})`);
  }
  if (q.after) conditions.push(`(${NAME_KEY}, m.user_id) > (${param(q.after.name)}, ${param(q.after.userId)})`);
  const take = param(q.limit + 1);
  const { rows } = await poolOf(prisma).query<Row>(
    `SELECT p.*, ${DETAILS}
       FROM (SELECT m.user_id, m.username, m.display_name, m.avatar_url, m.is_bot, m.joined_at, m.left_at, ${NAME_KEY} AS name_key
               FROM members m WHERE ${conditions.join(' AND ')}
              ORDER BY ${NAME_KEY}, m.user_id LIMIT ${take}) p
       LEFT JOIN roblox_links r ON r.guild_id = $1 AND r.user_id = p.user_id
      ORDER BY p.name_key, p.user_id`,
    params,
  );
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  return { items: page.map(toListing), next: rows.length > q.limit && last ? { name: last.name_key, userId: last.user_id } : null };
}

/** One member of the directory (also one who left: `leftAt`), or null when the bot never saw them. */
export async function findMember(prisma: PrismaClient, guildId: string, userId: string): Promise<(MemberListing & { leftAt: string | null }) | null> {
  const { rows } = await poolOf(prisma).query<Row>(
    `SELECT p.*, ${DETAILS}
       FROM (SELECT m.user_id, m.username, m.display_name, m.avatar_url, m.is_bot, m.joined_at, m.left_at, '' AS name_key
               FROM members m WHERE m.guild_id = $1 AND m.user_id = $2) p
       LEFT JOIN roblox_links r ON r.guild_id = $1 AND r.user_id = p.user_id`,
    [guildId, userId],
  );
  return rows[0] ? { ...toListing(rows[0]), leftAt: rows[0].left_at?.toISOString() ?? null } : null;
}

function toListing(r: Row): MemberListing {
  return {
    userId: r.user_id,
    username: r.username,
    displayName: r.display_name,
    avatarUrl: r.avatar_url,
    isBot: r.is_bot,
    joinedAt: r.joined_at?.toISOString() ?? null,
    balances: r.balances.map((b) => ({ ...b, available: (BigInt(b.balance) - BigInt(b.held)).toString() })),
    roblox: r.roblox_id ? { id: r.roblox_id, name: r.roblox_name!, displayName: r.roblox_display_name!, verifiedAt: r.verified_at!.toISOString() } : null,
  };
}
