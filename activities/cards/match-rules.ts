import { Prisma } from '../../prisma/client';

/**
 * When a have fills a want, as SQL fragments: one definition for every query that pairs them (the
 * matcher's rules, documented in ./matching.ts). Aliases: `w` the want, `h` the have, `i` its collection
 * item, `p` the item's printing (or the alias given, whose prices_cents are the item's printing's).
 */

const CONDITION_RANK = Prisma.sql`ARRAY['NM','LP','MP','HP','DMG']::text[]`;

/** The card fits: the same printing, or (an any-printing want) any printing with the want's oracle id. */
export const CARD_FITS = Prisma.sql`((NOT w.any_printing AND i.printing_id = w.printing_id) OR (w.any_printing AND p.oracle_id = w.oracle_id))`;

/** The want/have conditions besides the card: another member, condition, foil, maximum price, free copies. */
export const fill = (p = Prisma.raw('p')) => Prisma.sql`
      h.user_id <> w.user_id
  AND array_position(${CONDITION_RANK}, i.condition) <= array_position(${CONDITION_RANK}, w.min_condition)
  AND (NOT w.foil_required OR i.finish <> 'nonfoil')
  AND (w.max_price_cents IS NULL OR (${p}.prices_cents ->> i.finish)::int <= w.max_price_cents)
  AND LEAST(h.quantity, i.quantity - i.reserved) > 0`;

/** A copy's current price in cents (its finish's, from the catalog); 0 when unpriced. */
export const unitPrice = (p = Prisma.raw('p')) => Prisma.sql`COALESCE((${p}.prices_cents ->> i.finish)::int, 0)`;
