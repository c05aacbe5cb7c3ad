import { CardNotFoundError, type ScryfallClient } from '../../lib/scryfall/client';
import type { PricesCents, ScryfallPrinting } from '../../lib/scryfall/cards';
import type { CardPrinting, Prisma, PrismaClient } from '../../prisma/client';
import { catalogOff } from './errors';

/**
 * The card catalog: Scryfall's answers cached in card_printings (each printing with its prices) and
 * card_lookups (each query's answer, by kind and normalised query). A fresh cached answer makes no
 * request; a stale one is asked again. Prices move daily, so printings live `printingMs` (24 h); a "not
 * found" lives `notFoundMs` (1 h: a new set's card may appear); name look-ups and autocompletions live as
 * long as printings (names do not change, and a stale printing is refreshed on its own).
 */
export interface CatalogTtl {
  printingMs: number;
  lookupMs: number;
  notFoundMs: number;
}

const DEFAULT_CATALOG_TTL: CatalogTtl = { printingMs: 24 * 3600_000, lookupMs: 24 * 3600_000, notFoundMs: 3600_000 };

export interface CardCatalog {
  /** The card whose name best matches (Scryfall's fuzzy match, newest printing), or CardNotFoundError. */
  named(name: string): Promise<CardPrinting>;
  /** One printing by set code and collector number, or CardNotFoundError. */
  printing(setCode: string, collectorNumber: string): Promise<CardPrinting>;
  /** Cards matching a Scryfall search (first page), one printing per card. */
  search(query: string): Promise<CardPrinting[]>;
  /** Card names for autocompletion (at most 20). */
  autocomplete(partial: string): Promise<string[]>;
  /** A stored printing with prices no older than the TTL (asked again when stale). */
  fresh(printingId: string): Promise<CardPrinting>;
}

/** Query keys ignore case, spacing and punctuation, as Scryfall's fuzzy names do. */
export function normaliseQuery(text: string): string {
  return text
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9:!"/ -]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export function pricesOf(printing: Pick<CardPrinting, 'pricesCents'>): PricesCents {
  const p = (printing.pricesCents ?? {}) as Partial<PricesCents>;
  return { nonfoil: p.nonfoil ?? null, foil: p.foil ?? null, etched: p.etched ?? null };
}

export function createCardCatalog({
  prisma,
  scryfall,
  ttl = DEFAULT_CATALOG_TTL,
  now = () => new Date(),
}: {
  prisma: PrismaClient;
  scryfall: ScryfallClient | null | undefined;
  ttl?: CatalogTtl;
  now?: () => Date;
}): CardCatalog {
  const isFresh = (fetchedAt: Date, ms: number) => now().getTime() - fetchedAt.getTime() < ms;
  const client = () => {
    if (!scryfall) throw catalogOff();
    return scryfall;
  };

  async function store(p: ScryfallPrinting): Promise<CardPrinting> {
    const data = {
      oracleId: p.oracleId,
      name: p.name,
      setCode: p.setCode,
      setName: p.setName,
      collectorNumber: p.collectorNumber,
      rarity: p.rarity,
      finishes: p.finishes,
      lang: p.lang,
      imageUrl: p.imageUrl,
      pricesCents: p.pricesCents as unknown as Prisma.InputJsonValue,
      fetchedAt: now(),
    };
    return prisma.cardPrinting.upsert({ where: { id: p.id }, create: { id: p.id, ...data }, update: data });
  }

  async function remember(key: string, result: unknown, notFound = false): Promise<void> {
    const data = { result: result as Prisma.InputJsonValue, notFound, fetchedAt: now() };
    await prisma.cardLookup.upsert({ where: { key }, create: { key, ...data }, update: data });
  }

  /** A cached "not found" still fresh: answered again without asking Scryfall. */
  async function cached(key: string): Promise<{ result: unknown; notFound: boolean } | null> {
    const row = await prisma.cardLookup.findUnique({ where: { key } });
    if (!row) return null;
    if (!isFresh(row.fetchedAt, row.notFound ? ttl.notFoundMs : ttl.lookupMs)) return null;
    return { result: row.result, notFound: row.notFound };
  }

  async function freshPrintings(ids: string[]): Promise<CardPrinting[] | null> {
    const rows = await prisma.cardPrinting.findMany({ where: { id: { in: ids } } });
    if (rows.length !== ids.length || rows.some((r) => !isFresh(r.fetchedAt, ttl.printingMs))) return null;
    const byId = new Map(rows.map((r) => [r.id, r]));
    return ids.map((id) => byId.get(id)!);
  }

  /** Runs `ask`; Scryfall's "not found" is cached under `key` and thrown again. */
  async function askOrRemember<T>(key: string, ask: () => Promise<T>): Promise<T> {
    try {
      return await ask();
    } catch (err) {
      if (err instanceof CardNotFoundError) await remember(key, { message: err.message }, true);
      throw err;
    }
  }

  const notFoundAgain = (result: unknown) => new CardNotFoundError((result as { message?: string } | null)?.message ?? 'No such card.');

  return {
    async named(name) {
      const q = normaliseQuery(name);
      if (!q) throw new CardNotFoundError('Name a card.');
      const key = `named:${q}`;
      const hit = await cached(key);
      if (hit?.notFound) throw notFoundAgain(hit.result);
      if (hit) {
        const rows = await freshPrintings(hit.result as string[]);
        if (rows) return rows[0]!;
      }
      const printing = await askOrRemember(key, () => client().named(name));
      const row = await store(printing);
      await remember(key, [row.id]);
      return row;
    },

    async printing(setCode, collectorNumber) {
      const set = setCode.trim().toLowerCase();
      const number = collectorNumber.trim();
      const row = await prisma.cardPrinting.findFirst({ where: { setCode: set, collectorNumber: number, lang: 'en' } });
      if (row && isFresh(row.fetchedAt, ttl.printingMs)) return row;
      const key = `printing:${set}/${number.toLowerCase()}`;
      const hit = await cached(key);
      if (hit?.notFound) throw notFoundAgain(hit.result);
      return store(await askOrRemember(key, () => client().printing(set, number)));
    },

    async search(query) {
      const q = normaliseQuery(query);
      if (!q) return [];
      const key = `search:${q}`;
      const hit = await cached(key);
      if (hit?.notFound) return [];
      if (hit) {
        const rows = await freshPrintings(hit.result as string[]);
        if (rows) return rows;
      }
      const page = await client().search(query);
      const rows = [];
      for (const p of page.printings) rows.push(await store(p));
      await remember(key, rows.map((r) => r.id), rows.length === 0);
      return rows;
    },

    async autocomplete(partial) {
      const q = normaliseQuery(partial);
      if (q.length < 2) return [];
      const key = `autocomplete:${q}`;
      const hit = await cached(key);
      if (hit) return hit.result as string[];
      const names = await client().autocomplete(partial);
      await remember(key, names);
      return names;
    },

    async fresh(printingId) {
      const row = await prisma.cardPrinting.findUnique({ where: { id: printingId } });
      if (!row) throw new CardNotFoundError(`No card ${printingId} is known.`);
      if (isFresh(row.fetchedAt, ttl.printingMs) || !scryfall) return row;
      return store(await scryfall.printing(row.setCode, row.collectorNumber));
    },
  };
}
