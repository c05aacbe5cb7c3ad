import { AppError, ValidationError } from '../../lib/errors';
import { Prisma, type PrismaClient } from '../../prisma/client';
import { CARD_FITS, fill, unitPrice } from './match-rules';

/**
 * The trade terms a two-way match suggests, to propose from it: the copies I offer (my haves that fill
 * their wants), the copies I ask (theirs that fill mine) and the cash that balances the two by price.
 *
 * Which copy fills which want is the matcher's rule (./match-rules.ts: card, condition, foil, maximum
 * price, copies free of reservations and on the have list). The wanter's higher priorities are served
 * first; a want takes copies up to its quantity, the best-priced copy first (as the matcher values a
 * want by its best copy), from as many items as it needs; an item's free copies are shared out, never
 * promised twice. A copy's value is its current price (0 when unpriced), as the matcher's.
 */

export interface TermLine {
  /** The collection item (decimal string), as /cards propose and POST /card-trades name it. */
  collectionItemId: string;
  quantity: number;
  name: string;
  setCode: string;
  collectorNumber: string;
  condition: string;
  finish: string;
  /** Current price of one copy (USD cents), 0 when unpriced. */
  unitPriceCents: number;
}

export interface MatchTerms {
  /** My copies that fill their wants (their priorities first). */
  offered: TermLine[];
  /** Their copies that fill my wants (my priorities first). */
  asked: TermLine[];
  offeredValueCents: number;
  askedValueCents: number;
  /** What balances the two values: paid by `cashPayerId` (the side that gets more) to the other; 0 and null when even. */
  cashCents: number;
  cashPayerId: string | null;
}

interface FillRow {
  want_id: bigint;
  wanted: number;
  item_id: bigint;
  free: number;
  unit_price: number;
  name: string;
  set_code: string;
  collector_number: string;
  condition: string;
  finish: string;
}

/** The copies `giverId` can give towards `wanterId`'s wants: wants by priority, each want's copies best-priced first. */
async function fillsOf(prisma: PrismaClient, wanterId: string, giverId: string): Promise<TermLine[]> {
  const rows = await prisma.$queryRaw<FillRow[]>(Prisma.sql`
    SELECT w.id AS want_id, w.quantity AS wanted, i.id AS item_id, LEAST(h.quantity, i.quantity - i.reserved) AS free,
           ${unitPrice()} AS unit_price, p.name, p.set_code, p.collector_number, i.condition, i.finish
    FROM card_wants w
    JOIN card_printings p ON p.id = w.printing_id OR p.oracle_id = w.oracle_id
    JOIN card_collection_items i ON i.printing_id = p.id AND i.user_id = ${giverId}
    JOIN card_haves h ON h.collection_item_id = i.id AND h.user_id = ${giverId}
    WHERE w.user_id = ${wanterId} AND ${CARD_FITS} AND ${fill()}
    ORDER BY w.priority DESC, w.id, unit_price DESC, i.id`);
  const left = new Map<bigint, number>();
  const wantLeft = new Map<bigint, number>();
  const lines = new Map<bigint, TermLine>();
  for (const r of rows) {
    const free = left.get(r.item_id) ?? r.free;
    const take = Math.min(wantLeft.get(r.want_id) ?? r.wanted, free);
    if (take <= 0) continue;
    left.set(r.item_id, free - take);
    wantLeft.set(r.want_id, (wantLeft.get(r.want_id) ?? r.wanted) - take);
    const line = lines.get(r.item_id);
    if (line) line.quantity += take;
    else {
      lines.set(r.item_id, {
        collectionItemId: String(r.item_id),
        quantity: take,
        name: r.name,
        setCode: r.set_code,
        collectorNumber: r.collector_number,
        condition: r.condition,
        finish: r.finish,
        unitPriceCents: r.unit_price,
      });
    }
  }
  return [...lines.values()];
}

const valueOf = (lines: TermLine[]) => lines.reduce((sum, l) => sum + l.quantity * l.unitPriceCents, 0);

/** The terms between two members' lists, whether or not they match both ways (either side may be empty). */
export async function matchTerms(prisma: PrismaClient, { userId, otherUserId }: { userId: string; otherUserId: string }): Promise<MatchTerms> {
  const [offered, asked] = await Promise.all([fillsOf(prisma, otherUserId, userId), fillsOf(prisma, userId, otherUserId)]);
  const offeredValueCents = valueOf(offered);
  const askedValueCents = valueOf(asked);
  const diff = askedValueCents - offeredValueCents;
  return { offered, asked, offeredValueCents, askedValueCents, cashCents: Math.abs(diff), cashPayerId: diff > 0 ? userId : diff < 0 ? otherUserId : null };
}

/**
 * The terms of a member's two-way match with another member of this server, to propose in it (a trade's
 * parties are members of its server): refused when either is not a member (any more) or when they no
 * longer match both ways.
 */
export async function matchTermsInGuild(prisma: PrismaClient, input: { guildId: string; userId: string; otherUserId: string }): Promise<MatchTerms> {
  await assertTradersInGuild(prisma, input);
  const terms = await matchTerms(prisma, input);
  if (!terms.offered.length || !terms.asked.length) {
    throw new AppError('no_match', `You and <@${input.otherUserId}> no longer match both ways: run /cards matches again.`, 404);
  }
  return terms;
}

/** Both members are in the server (not left) and are two people. */
export async function assertTradersInGuild(prisma: PrismaClient, { guildId, userId, otherUserId }: { guildId: string; userId: string; otherUserId: string }): Promise<void> {
  if (userId === otherUserId) throw new ValidationError('You cannot trade with yourself.');
  const members = await prisma.member.findMany({ where: { guildId, userId: { in: [userId, otherUserId] }, leftAt: null }, select: { userId: true } });
  const missing = [userId, otherUserId].find((u) => !members.some((m) => m.userId === u));
  if (missing) throw new AppError('not_found', `<@${missing}> is not a member of this server: trade with them in a server you share.`, 404);
}
