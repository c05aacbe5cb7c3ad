import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type FakeRequest, type FakeResponse, type FaultControls, type FaultStatus, startFakeServer } from './http-fake';

/**
 * A fake of the Scryfall API endpoints Guildflow uses, with Scryfall's JSON shapes: `card` objects, `list`
 * objects with `has_more`/`next_page`, `catalog` objects for autocompletion, and error objects
 * `{ object: 'error', status, code, details }`. The cards are real ones (scryfall-cards.tsv). Fuzzy names
 * match roughly as Scryfall's do: case and punctuation do not count, words may be partial and in any
 * order, a name that fits several cards is "ambiguous". Faults (429 with Retry-After, 5xx) come from the
 * shared plumbing; `requests()` lets tests assert that a cached answer made no request.
 */

export interface FakeCard {
  object: 'card';
  id: string;
  oracle_id: string;
  name: string;
  lang: 'en';
  set: string;
  set_name: string;
  collector_number: string;
  rarity: 'common' | 'uncommon' | 'rare' | 'mythic';
  finishes: ('nonfoil' | 'foil' | 'etched')[];
  image_uris: { small: string; normal: string };
  prices: { usd: string | null; usd_foil: string | null; usd_etched: string | null; eur: null; tix: null };
  uri: string;
}

export interface FakeScryfall extends FaultControls {
  url: string;
  cards(): FakeCard[];
  /** The printing with this set and number (throws when the fixture has none). */
  card(set: string, collectorNumber: string): FakeCard;
  /** Changes a printing's price from now on ("12.34" or null). */
  setPrice(set: string, collectorNumber: string, finish: 'usd' | 'usd_foil' | 'usd_etched', price: string | null): void;
  /** How many requests reached the fake (faults included), optionally only those whose path starts with `prefix`. */
  requestCount(prefix?: string): number;
  close(): Promise<void>;
}

const RARITY = { c: 'common', u: 'uncommon', r: 'rare', m: 'mythic' } as const;
const FINISH = { n: 'nonfoil', f: 'foil', e: 'etched' } as const;

/** A UUID-shaped id that stays the same from run to run (Scryfall's ids are UUIDs). */
function stableUuid(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

function loadFixtureCards(file = path.join(__dirname, 'scryfall-cards.tsv')): FakeCard[] {
  const cards: FakeCard[] = [];
  let set: { code: string; name: string } | undefined;
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trimEnd();
    if (!line || line.startsWith('#')) continue;
    const cols = line.split('\t');
    if (line.startsWith('=')) {
      set = { code: cols[0]!.slice(1), name: cols[1]! };
      continue;
    }
    if (!set) throw new Error(`scryfall-cards.tsv: a card before any set line: ${line}`);
    const [number, name, rarity, finishes, usd, usdFoil, usdEtched] = cols as [string, string, keyof typeof RARITY, string, string?, string?, string?];
    const id = stableUuid(`printing:${set.code}:${number}`);
    const fin = [...finishes].map((f) => FINISH[f as keyof typeof FINISH]);
    // Price columns follow the finishes listed: the first price is the first finish's.
    const columns = [usd, usdFoil, usdEtched];
    const price = (finish: (typeof fin)[number]) => (fin.includes(finish) ? (columns[fin.indexOf(finish)] ?? null) || null : null);
    cards.push({
      object: 'card',
      id,
      oracle_id: stableUuid(`oracle:${name}`),
      name,
      lang: 'en',
      set: set.code,
      set_name: set.name,
      collector_number: number,
      rarity: RARITY[rarity],
      finishes: fin,
      image_uris: { small: `https://cards.scryfall.io/small/front/${id}.jpg`, normal: `https://cards.scryfall.io/normal/front/${id}.jpg` },
      prices: {
        usd: price('nonfoil'),
        usd_foil: price('foil'),
        usd_etched: price('etched'),
        eur: null,
        tix: null,
      },
      uri: `https://api.scryfall.com/cards/${id}`,
    });
  }
  return cards;
}

/** Scryfall ignores case and punctuation in names: "Urza's Saga" ≈ "urzas saga". */
function normaliseName(name: string): string {
  return name
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/['’`]/g, '')
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
}

function scryError(status: number, code: string, details: string, type?: string): FakeResponse {
  return { status, json: { object: 'error', status, code, ...(type ? { type } : {}), details } };
}

function faultResponse(status: FaultStatus): FakeResponse {
  if (status === 429) {
    return { ...scryError(429, 'rate_limited', 'You are sending requests too quickly. Please wait a moment and try again.'), headers: { 'Retry-After': '1' } };
  }
  return scryError(status, 'internal_server_error', 'Scryfall is experiencing an issue. Please try again later.');
}

export async function startFakeScryfall(opts: { pageSize?: number } = {}): Promise<FakeScryfall> {
  const cards = loadFixtureCards();
  const pageSize = opts.pageSize ?? 175;
  let base = '';

  const faceNames = (card: FakeCard) => [card.name, ...card.name.split(' // ')].map(normaliseName);
  /** The newest printing of each name comes last in the fixture's set order; Scryfall answers the newest. */
  const newest = (list: FakeCard[]) => list[list.length - 1]!;

  const fuzzy = (query: string): FakeResponse => {
    const q = normaliseName(query);
    if (!q) return scryError(400, 'bad_request', 'You must supply a fuzzy or exact name.');
    const exact = cards.filter((c) => faceNames(c).includes(q));
    if (exact.length) return { status: 200, json: newest(exact) };
    const words = q.split(' ');
    const partial = cards.filter((c) => {
      const nameWords = normaliseName(c.name).split(' ');
      return words.every((w) => nameWords.some((n) => n.startsWith(w)));
    });
    const loose = partial.length ? partial : cards.filter((c) => normaliseName(c.name).replace(/ /g, '').includes(q.replace(/ /g, '')));
    const names = new Set(loose.map((c) => c.name));
    if (names.size === 1) return { status: 200, json: newest(loose) };
    if (names.size > 1) {
      return scryError(404, 'not_found', `Too many cards match ambiguous name “${query}”. Add more words to refine your search.`, 'ambiguous');
    }
    return scryError(404, 'not_found', 'No cards found matching “' + query + '”');
  };

  /** A tiny subset of Scryfall's syntax: words in the name, !"exact name", set:xxx, oracleid:xxx. */
  const searchMatches = (q: string): FakeCard[] => {
    let rest = q;
    const filters: ((c: FakeCard) => boolean)[] = [];
    rest = rest.replace(/!"([^"]+)"/g, (_m, name: string) => {
      filters.push((c) => faceNames(c).includes(normaliseName(name)));
      return ' ';
    });
    rest = rest.replace(/\b(?:set|s|e):(\w+)/gi, (_m, code: string) => {
      filters.push((c) => c.set === code.toLowerCase());
      return ' ';
    });
    rest = rest.replace(/\boracleid:([0-9a-f-]+)/gi, (_m, id: string) => {
      filters.push((c) => c.oracle_id === id.toLowerCase());
      return ' ';
    });
    const words = normaliseName(rest).split(' ').filter(Boolean);
    return cards.filter((c) => filters.every((f) => f(c)) && words.every((w) => normaliseName(c.name).includes(w)));
  };

  const search = (req: FakeRequest): FakeResponse => {
    const q = req.url.searchParams.get('q') ?? '';
    if (!q.trim()) return scryError(400, 'bad_request', 'You didn’t enter anything to search for.');
    const unique = req.url.searchParams.get('unique') ?? 'cards';
    const page = Math.max(1, Number(req.url.searchParams.get('page') ?? '1') || 1);
    let found = searchMatches(q);
    if (unique === 'cards') {
      const byName = new Map<string, FakeCard>();
      for (const c of found) byName.set(c.name, c); // the last (newest) printing of each name
      found = [...byName.values()];
    }
    found = [...found].sort((a, b) => a.name.localeCompare(b.name));
    if (!found.length) return scryError(404, 'not_found', 'Your query didn’t match any cards. Adjust your search terms or refer to the syntax guide at https://scryfall.com/docs/reference');
    const data = found.slice((page - 1) * pageSize, page * pageSize);
    if (!data.length) return scryError(422, 'bad_request', 'You have paginated beyond the end of these results.');
    const hasMore = page * pageSize < found.length;
    const next = new URL(`${base}/cards/search`);
    next.searchParams.set('q', q);
    next.searchParams.set('unique', unique);
    next.searchParams.set('page', String(page + 1));
    return { status: 200, json: { object: 'list', total_cards: found.length, has_more: hasMore, ...(hasMore ? { next_page: next.toString() } : {}), data } };
  };

  const autocomplete = (req: FakeRequest): FakeResponse => {
    const q = normaliseName(req.url.searchParams.get('q') ?? '');
    if (q.length < 2) return { status: 200, json: { object: 'catalog', total_values: 0, data: [] } };
    const names = [...new Set(cards.map((c) => c.name))];
    const starts = names.filter((n) => normaliseName(n).startsWith(q)).sort();
    const contains = names.filter((n) => !normaliseName(n).startsWith(q) && normaliseName(n).includes(q)).sort();
    const data = [...starts, ...contains].slice(0, 20);
    return { status: 200, json: { object: 'catalog', total_values: data.length, data } };
  };

  const handle = (req: FakeRequest): FakeResponse => {
    if (req.method !== 'GET') return scryError(405, 'method_not_allowed', 'Only GET is allowed here.');
    if (!/application\/json|\*\/\*/.test(String(req.headers.accept ?? ''))) return scryError(406, 'not_acceptable', 'Send an Accept header (application/json).');
    if (!req.headers['user-agent']) return scryError(400, 'bad_request', 'Send a User-Agent header naming your application.');
    const p = req.url.pathname;
    if (p === '/cards/named') {
      const name = req.url.searchParams.get('fuzzy') ?? req.url.searchParams.get('exact');
      return fuzzy(name ?? '');
    }
    if (p === '/cards/search') return search(req);
    if (p === '/cards/autocomplete') return autocomplete(req);
    const m = /^\/cards\/([a-z0-9]{2,6})\/([^/]+)$/i.exec(p);
    if (m) {
      const card = cards.find((c) => c.set === m[1]!.toLowerCase() && c.collector_number === decodeURIComponent(m[2]!));
      return card ? { status: 200, json: card } : scryError(404, 'not_found', 'No card found with the given ID or set code and collector number.');
    }
    return scryError(404, 'not_found', 'The requested endpoint was not found.');
  };

  const server = await startFakeServer({ handle, faultResponse });
  base = server.url;
  const find = (set: string, number: string) => {
    const card = cards.find((c) => c.set === set && c.collector_number === number);
    if (!card) throw new Error(`fake Scryfall has no card ${set} #${number}`);
    return card;
  };
  return {
    ...server,
    cards: () => cards.map((c) => ({ ...c })),
    card: (set, number) => ({ ...find(set, number) }),
    setPrice: (set, number, finish, price) => {
      find(set, number).prices[finish] = price;
    },
    requestCount: (prefix) => server.requests().filter((r) => !prefix || r.path.startsWith(prefix)).length,
  };
}
