import { Prisma, type PrismaClient } from '../../prisma/client';
import { CARD_FITS, fill, unitPrice } from './match-rules';

/**
 * Two-way matches: the other members who have what I want AND want what I have.
 *
 * A have fills a want when they belong to different members and
 *   - the card fits: the same printing, or (an any-printing want) any printing with the want's oracle id;
 *   - the copy's condition is at least the want's worst condition (NM > LP > MP > HP > DMG);
 *   - a foil-required want gets a foil or etched copy;
 *   - with a maximum price, the copy's current price (its finish's, from the catalog) is known and not above it;
 *   - copies are free to trade: least(offered, held − reserved) > 0.
 *
 * Who is looked at (scope):
 *   - 'guild': members of this server (the `members` table, not left), both of us;
 *   - 'all': members of any server we both are in. A member whose lists are not public (card_traders.
 *     lists_public = false) is only matched in the server where the search is made (they share it with me).
 *
 * Score (0–1000): half how balanced the values are (the smaller side's value over the larger's; both
 * unpriced counts as balanced), half how much of what I want they cover, weighted by my wants'
 * priorities (1–5). Per want, the best-valued have counts (quantity capped at what I want).
 *
 * It is one set-based query for both scopes (the searched servers are a CTE). It starts from MY haves and
 * MY wants (a few hundred rows) and reaches the other side through covering indexes, read without the
 * tables (card_wants by printing id and by oracle id; card_collection_items by printing id; card_haves by
 * item), so its cost grows with how popular my cards are, not with the number of members. Who wants
 * something of mine is found first; only those members' copies of what I want are looked up as haves,
 * and only members on both sides are scored. `npm run bench -- cards-matching` measures it against a
 * naive join (`naiveMatchesSql`).
 */

export type MatchScope = 'guild' | 'all';

export interface CardMatch {
  userId: string;
  score: number;
  /** What they have that I want: distinct wants of mine filled, and their value (cents). */
  theyGive: { wants: number; valueCents: number; cards: string[] };
  /** What I have that they want. */
  iGive: { wants: number; valueCents: number; cards: string[] };
}

export interface MatchPage {
  matches: CardMatch[];
  /** The offset of the next page, or null. */
  next: number | null;
}

const FILL = fill();

/** Value of the copies that fill a want: least(wanted, free) × the copy's price (0 when unpriced). */
const value = (p = Prisma.raw('p')) => Prisma.sql`LEAST(w.quantity, h.quantity, i.quantity - i.reserved) * ${unitPrice(p)}`;
const VALUE = value();

/**
 * The servers searched, as rows of the query: (guild_id, private lists count too). 'guild': this server
 * only; 'all': also every other server I am in, where only public lists count.
 */
function scopeGuilds(userId: string, guildId: string, scope: MatchScope): Prisma.Sql {
  return Prisma.sql`
  SELECT ${guildId}::text AS guild_id, true AS any_list
  UNION ALL
  SELECT a.guild_id, false FROM members a
  WHERE ${scope === 'all'} AND a.user_id = ${userId} AND a.left_at IS NULL AND a.guild_id <> ${guildId}`;
}

/** Whether `s.other` is in scope: a member (not left) of a searched server, with public lists or where private ones count. */
const IN_SCOPE = Prisma.sql`EXISTS (
    SELECT 1 FROM scope_guilds g JOIN members m ON m.guild_id = g.guild_id AND m.user_id = s.other AND m.left_at IS NULL
    WHERE g.any_list OR COALESCE((SELECT t.lists_public FROM card_traders t WHERE t.user_id = s.other), true))`;

/** The page of matches, scored and ordered; `userId` must be a member of `guildId` (callers check). */
export function matchesSql(userId: string, guildId: string, scope: MatchScope, limit: number, offset: number): Prisma.Sql {
  return Prisma.sql`
WITH scope_guilds AS MATERIALIZED (${scopeGuilds(userId, guildId, scope)}
), my_wants AS MATERIALIZED (
  SELECT * FROM card_wants WHERE user_id = ${userId}
), my_want_printings AS MATERIALIZED (
  -- Each want with the printings that fit it, so the other side is one index range per printing.
  SELECT w.*, p.id AS fit_printing_id, p.name, p.prices_cents FROM my_wants w JOIN card_printings p ON p.id = w.printing_id WHERE NOT w.any_printing
  UNION ALL
  SELECT w.*, p.id, p.name, p.prices_cents FROM my_wants w JOIN card_printings p ON p.oracle_id = w.oracle_id WHERE w.any_printing
), my_haves AS MATERIALIZED (
  SELECT h.*, i.printing_id, p.oracle_id FROM card_haves h JOIN card_collection_items i ON i.id = h.collection_item_id JOIN card_printings p ON p.id = i.printing_id
  WHERE h.user_id = ${userId}
), gives AS (
  SELECT w.user_id AS other, w.id AS want_id, w.priority, p.name, ${VALUE} AS value
  FROM my_haves h
  JOIN card_collection_items i ON i.id = h.collection_item_id
  JOIN card_printings p ON p.id = i.printing_id
  JOIN card_wants w ON w.printing_id = h.printing_id AND NOT w.any_printing
  WHERE ${FILL}
  UNION ALL
  SELECT w.user_id, w.id, w.priority, p.name, ${VALUE}
  FROM my_haves h
  JOIN card_collection_items i ON i.id = h.collection_item_id
  JOIN card_printings p ON p.id = i.printing_id
  JOIN card_wants w ON w.oracle_id = h.oracle_id AND w.any_printing
  WHERE ${FILL}
), give_best AS (
  SELECT DISTINCT ON (other, want_id) other, want_id, priority, name, value FROM gives ORDER BY other, want_id, value DESC
), give_sum AS MATERIALIZED (
  SELECT other, count(*)::int AS wants, sum(value)::bigint AS value, array_agg(name ORDER BY value DESC) AS cards
  FROM give_best GROUP BY other
), gets AS (
  -- Only from the members who want something of mine (a have's owner is its item's): the other side
  -- of the match is what limits the have lookups.
  SELECT h.user_id AS other, w.id AS want_id, w.priority, w.name, ${value(Prisma.raw('w'))} AS value
  FROM my_want_printings w
  JOIN card_collection_items i ON i.printing_id = w.fit_printing_id
  JOIN give_sum v ON v.other = i.user_id
  JOIN card_haves h ON h.collection_item_id = i.id
  WHERE ${fill(Prisma.raw('w'))}
), get_best AS (
  SELECT DISTINCT ON (other, want_id) other, want_id, priority, name, value FROM gets ORDER BY other, want_id, value DESC
), get_sum AS (
  SELECT other, count(*)::int AS wants, sum(value)::bigint AS value, sum(priority)::int AS priority, array_agg(name ORDER BY value DESC) AS cards
  FROM get_best GROUP BY other
), s AS MATERIALIZED (
  SELECT g.other, g.wants AS get_wants, g.value AS get_value, g.cards AS get_cards, v.wants AS give_wants, v.value AS give_value, v.cards AS give_cards,
         g.priority::float8 / GREATEST(1, (SELECT sum(priority) FROM my_wants)) AS coverage,
         CASE WHEN GREATEST(g.value, v.value) = 0 THEN 1.0 ELSE LEAST(g.value, v.value)::float8 / GREATEST(g.value, v.value) END AS balance
  FROM get_sum g JOIN give_sum v USING (other)
)
SELECT s.other AS user_id, round(500 * s.balance + 500 * s.coverage)::int AS score,
       s.get_wants, s.get_value, s.get_cards[1:5] AS get_cards, s.give_wants, s.give_value, s.give_cards[1:5] AS give_cards
FROM s
WHERE ${IN_SCOPE}
ORDER BY score DESC, s.get_value + s.give_value DESC, s.other
LIMIT ${limit} OFFSET ${offset}`;
}

/**
 * The same answer from the obvious query: my wants joined to every have (and every want to my haves) with
 * the card rule as one OR condition, which no index serves. Kept for the benchmark and a test that both agree.
 */
export function naiveMatchesSql(userId: string, guildId: string, scope: MatchScope, limit: number, offset: number): Prisma.Sql {
  return Prisma.sql`
WITH scope_guilds AS (${scopeGuilds(userId, guildId, scope)}
), gets AS (
  SELECT h.user_id AS other, w.id AS want_id, w.priority, p.name, ${VALUE} AS value
  FROM card_wants w, card_haves h
  JOIN card_collection_items i ON i.id = h.collection_item_id
  JOIN card_printings p ON p.id = i.printing_id
  WHERE w.user_id = ${userId} AND ${CARD_FITS} AND ${FILL}
), gives AS (
  SELECT w.user_id AS other, w.id AS want_id, w.priority, p.name, ${VALUE} AS value
  FROM card_wants w, card_haves h
  JOIN card_collection_items i ON i.id = h.collection_item_id
  JOIN card_printings p ON p.id = i.printing_id
  WHERE h.user_id = ${userId} AND ${CARD_FITS} AND ${FILL}
), get_best AS (
  SELECT DISTINCT ON (other, want_id) other, want_id, priority, name, value FROM gets ORDER BY other, want_id, value DESC
), give_best AS (
  SELECT DISTINCT ON (other, want_id) other, want_id, priority, name, value FROM gives ORDER BY other, want_id, value DESC
), get_sum AS (
  SELECT other, count(*)::int AS wants, sum(value)::bigint AS value, sum(priority)::int AS priority, array_agg(name ORDER BY value DESC) AS cards
  FROM get_best GROUP BY other
), give_sum AS (
  SELECT other, count(*)::int AS wants, sum(value)::bigint AS value, array_agg(name ORDER BY value DESC) AS cards
  FROM give_best GROUP BY other
), s AS (
  SELECT g.other, g.wants AS get_wants, g.value AS get_value, g.cards AS get_cards, v.wants AS give_wants, v.value AS give_value, v.cards AS give_cards,
         g.priority::float8 / GREATEST(1, (SELECT sum(priority) FROM card_wants WHERE user_id = ${userId})) AS coverage,
         CASE WHEN GREATEST(g.value, v.value) = 0 THEN 1.0 ELSE LEAST(g.value, v.value)::float8 / GREATEST(g.value, v.value) END AS balance
  FROM get_sum g JOIN give_sum v USING (other)
)
SELECT s.other AS user_id, round(500 * s.balance + 500 * s.coverage)::int AS score,
       s.get_wants, s.get_value, s.get_cards[1:5] AS get_cards, s.give_wants, s.give_value, s.give_cards[1:5] AS give_cards
FROM s
WHERE ${IN_SCOPE}
ORDER BY score DESC, s.get_value + s.give_value DESC, s.other
LIMIT ${limit} OFFSET ${offset}`;
}

interface MatchRow {
  user_id: string;
  score: number;
  get_wants: number;
  get_value: bigint;
  get_cards: string[];
  give_wants: number;
  give_value: bigint;
  give_cards: string[];
}

export const toMatch = (r: MatchRow): CardMatch => ({
  userId: r.user_id,
  score: r.score,
  theyGive: { wants: r.get_wants, valueCents: Number(r.get_value), cards: r.get_cards },
  iGive: { wants: r.give_wants, valueCents: Number(r.give_value), cards: r.give_cards },
});

export async function findMatches(
  prisma: PrismaClient,
  { userId, guildId, scope, limit = 10, offset = 0 }: { userId: string; guildId: string; scope: MatchScope; limit?: number; offset?: number },
): Promise<MatchPage> {
  const rows = await prisma.$queryRaw<MatchRow[]>(matchesSql(userId, guildId, scope, limit + 1, offset));
  return { matches: rows.slice(0, limit).map(toMatch), next: rows.length > limit ? offset + limit : null };
}

/**
 * The alerted wants that these new haves fill (each pair once), grouped by the want's member; only
 * members who share a server with the have's owner are told.
 */
export async function alertPairsForHaves(prisma: PrismaClient, haveIds: bigint[]): Promise<Map<string, { wantId: string; haveId: string }[]>> {
  if (!haveIds.length) return new Map();
  const rows = await prisma.$queryRaw<{ wanter: string; want_id: bigint; have_id: bigint }[]>`
    SELECT w.user_id AS wanter, w.id AS want_id, h.id AS have_id
    FROM card_haves h
    JOIN card_collection_items i ON i.id = h.collection_item_id
    JOIN card_printings p ON p.id = i.printing_id
    JOIN card_wants w ON w.alert AND ${CARD_FITS}
    WHERE h.id = ANY(${haveIds}) AND ${FILL}
      AND EXISTS (SELECT 1 FROM members a JOIN members b ON b.guild_id = a.guild_id
                  WHERE a.user_id = h.user_id AND a.left_at IS NULL AND b.user_id = w.user_id AND b.left_at IS NULL)
    ORDER BY w.user_id, w.id, h.id`;
  const byUser = new Map<string, { wantId: string; haveId: string }[]>();
  for (const r of rows) {
    const list = byUser.get(r.wanter) ?? [];
    list.push({ wantId: String(r.want_id), haveId: String(r.have_id) });
    byUser.set(r.wanter, list);
  }
  return byUser;
}
