/**
 * Scryfall's card object (the fields Guildflow reads) and the printing the catalog stores: prices turned
 * from Scryfall's decimal strings ("0.25") into whole cents per finish.
 */
export interface ScryfallCard {
  object: 'card';
  id: string;
  oracle_id?: string;
  name: string;
  lang?: string;
  set: string;
  set_name: string;
  collector_number: string;
  rarity: string;
  finishes?: string[];
  image_uris?: { small?: string; normal?: string };
  card_faces?: { image_uris?: { small?: string; normal?: string } }[];
  prices?: { usd?: string | null; usd_foil?: string | null; usd_etched?: string | null };
}

export type Finish = 'nonfoil' | 'foil' | 'etched';
const FINISHES: readonly Finish[] = ['nonfoil', 'foil', 'etched'];

export interface PricesCents {
  nonfoil: number | null;
  foil: number | null;
  etched: number | null;
}

export interface ScryfallPrinting {
  id: string;
  oracleId: string | null;
  name: string;
  setCode: string;
  setName: string;
  collectorNumber: string;
  rarity: string;
  finishes: Finish[];
  lang: string;
  imageUrl: string | null;
  pricesCents: PricesCents;
}

/** "12.34" → 1234 (exactly, without floating point); null for a missing or malformed price. */
function priceToCents(price: string | null | undefined): number | null {
  if (typeof price !== 'string') return null;
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(price.trim());
  if (!m) return null;
  return Number(m[1]) * 100 + Number((m[2] ?? '0').padEnd(2, '0'));
}

export function toPrinting(card: ScryfallCard): ScryfallPrinting {
  const finishes = (card.finishes ?? ['nonfoil']).filter((f): f is Finish => (FINISHES as readonly string[]).includes(f));
  return {
    id: card.id,
    oracleId: card.oracle_id ?? null,
    name: card.name,
    setCode: card.set.toLowerCase(),
    setName: card.set_name,
    collectorNumber: card.collector_number,
    rarity: card.rarity,
    finishes,
    lang: card.lang ?? 'en',
    imageUrl: card.image_uris?.normal ?? card.card_faces?.[0]?.image_uris?.normal ?? null,
    pricesCents: {
      nonfoil: priceToCents(card.prices?.usd),
      foil: priceToCents(card.prices?.usd_foil),
      etched: priceToCents(card.prices?.usd_etched),
    },
  };
}

/** Cents as dollars for people: 1234 → "$12.34"; null → "no price". */
export function formatUsd(cents: number | null | undefined): string {
  if (cents === null || cents === undefined) return 'no price';
  return `$${Math.floor(cents / 100).toLocaleString('en-US')}.${String(cents % 100).padStart(2, '0')}`;
}
