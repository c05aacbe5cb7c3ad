import { setTimeout as delay } from 'node:timers/promises';
import { AppError } from '../errors';
import { createTokenBuckets } from '../token-bucket';
import { toPrinting, type ScryfallCard, type ScryfallPrinting } from './cards';

/**
 * The Scryfall API endpoints the card catalog uses: a card by fuzzy name, a search, a printing by set and
 * collector number, name autocompletion. Only the base URL differs between Scryfall and the project's
 * fake (test/fakes/scryfall.ts serves the same paths): SCRYFALL_API_URL.
 *
 * Scryfall asks for at most 10 requests per second, a User-Agent naming the application and an Accept
 * header (https://scryfall.com/docs/api). The limit is kept per base URL across the whole process — the
 * bot, the API and the worker may each build a client in one process (`npm start`), and they share it.
 *
 * Errors: "not found" is CardNotFoundError (404); 429 is waited out (Retry-After) up to `maxRetries`
 * times, then, like 5xx, timeouts and network errors, ScryfallUnavailableError (503, callers may retry);
 * anything else Scryfall refuses is ScryfallRequestError (502).
 */

export class CardNotFoundError extends AppError {
  constructor(message: string) {
    super('card_not_found', message, 404);
  }
}

export class ScryfallUnavailableError extends AppError {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super('scryfall_unavailable', message, 503);
  }
}

class ScryfallRequestError extends AppError {
  constructor(
    message: string,
    readonly upstreamStatus: number,
  ) {
    super('scryfall_refused', message, 502);
  }
}

export interface ScryfallSearchPage {
  printings: ScryfallPrinting[];
  totalCards: number;
  hasMore: boolean;
}

export interface ScryfallClient {
  /** The card whose name best matches `name` (Scryfall's fuzzy match), or CardNotFoundError. */
  named(name: string): Promise<ScryfallPrinting>;
  /** One page (175 cards at most) of a Scryfall search; no match is an empty page, not an error. */
  search(query: string, opts?: { page?: number; unique?: 'cards' | 'prints' }): Promise<ScryfallSearchPage>;
  /** The printing with this set code and collector number, or CardNotFoundError. */
  printing(setCode: string, collectorNumber: string): Promise<ScryfallPrinting>;
  /** Up to 20 card names starting with or containing `partial` (empty under 2 characters). */
  autocomplete(partial: string): Promise<string[]>;
}

const SCRYFALL_USER_AGENT = 'Guildflow/1.0 (Discord card trading; +https://github.com/guildflow)';
/** Scryfall's published limit: 10 requests per second (50–100 ms apart). */
const REQUESTS_PER_SECOND = 10;
const limiters = new Map<string, ReturnType<typeof createTokenBuckets>>();

/** The process's one limiter for this Scryfall (shared by every client built for the same base URL). */
function limiterFor(base: string) {
  let limiter = limiters.get(base);
  if (!limiter) {
    limiter = createTokenBuckets({ perSecond: REQUESTS_PER_SECOND, burst: REQUESTS_PER_SECOND });
    limiters.set(base, limiter);
  }
  return limiter;
}

async function takeSlot(base: string): Promise<void> {
  const limiter = limiterFor(base);
  while (!limiter.take(base).allowed) await delay(1000 / REQUESTS_PER_SECOND);
}

interface ScryfallErrorBody {
  object?: string;
  code?: string;
  details?: string;
}

export function createScryfallClient(opts: { baseUrl: string; timeoutMs?: number; maxRetries?: number; maxRetryAfterMs?: number; fetch?: typeof fetch }): ScryfallClient {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxRetries = opts.maxRetries ?? 2;
  // Longer waits are not done inside a Discord interaction or an API request: the caller is told instead.
  const maxRetryAfterMs = opts.maxRetryAfterMs ?? 5_000;

  async function get<T>(what: string, path: string): Promise<{ status: number; body: T | undefined }> {
    for (let attempt = 0; ; attempt++) {
      await takeSlot(base);
      let res: Response;
      try {
        res = await doFetch(`${base}${path}`, { headers: { accept: 'application/json', 'user-agent': SCRYFALL_USER_AGENT }, signal: AbortSignal.timeout(timeoutMs) });
      } catch (err) {
        throw new ScryfallUnavailableError(`Scryfall did not answer while Guildflow tried to ${what} (${(err as Error).message}). Try again in a minute.`);
      }
      const text = await res.text();
      let body: T | undefined;
      try {
        body = text ? (JSON.parse(text) as T) : undefined;
      } catch {
        body = undefined;
      }
      if (res.status === 429) {
        const seconds = Number(res.headers.get('retry-after'));
        const waitMs = Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 1000 * 2 ** attempt;
        if (attempt < maxRetries && waitMs <= maxRetryAfterMs) {
          await delay(waitMs);
          continue;
        }
        throw new ScryfallUnavailableError(`Scryfall is asking Guildflow to slow down while it tried to ${what}. Try again in a minute.`, waitMs);
      }
      if (res.status >= 500) throw new ScryfallUnavailableError(`Scryfall answered ${res.status} while Guildflow tried to ${what}. Try again in a minute.`);
      return { status: res.status, body };
    }
  }

  const details = (body: unknown) => (body as ScryfallErrorBody | undefined)?.details ?? 'no reason given';
  const isNotFound = (status: number, body: unknown) => status === 404 && (body as ScryfallErrorBody | undefined)?.code === 'not_found';

  return {
    async named(name) {
      const { status, body } = await get<ScryfallCard>(`look up the card “${name}”`, `/cards/named?fuzzy=${encodeURIComponent(name)}`);
      if (isNotFound(status, body)) throw new CardNotFoundError((body as ScryfallErrorBody).details ?? `No card matches “${name}”.`);
      if (status !== 200 || body?.object !== 'card') throw new ScryfallRequestError(`Scryfall refused the card look-up (${status}: ${details(body)}).`, status);
      return toPrinting(body);
    },
    async search(query, { page = 1, unique = 'cards' } = {}) {
      const path = `/cards/search?q=${encodeURIComponent(query)}&unique=${unique}&page=${page}`;
      const { status, body } = await get<{ object?: string; data?: ScryfallCard[]; total_cards?: number; has_more?: boolean }>(`search for “${query}”`, path);
      if (isNotFound(status, body)) return { printings: [], totalCards: 0, hasMore: false };
      if (status !== 200 || body?.object !== 'list' || !Array.isArray(body.data)) throw new ScryfallRequestError(`Scryfall refused the search (${status}: ${details(body)}).`, status);
      return { printings: body.data.map(toPrinting), totalCards: body.total_cards ?? body.data.length, hasMore: body.has_more === true };
    },
    async printing(setCode, collectorNumber) {
      const path = `/cards/${encodeURIComponent(setCode.toLowerCase())}/${encodeURIComponent(collectorNumber)}`;
      const { status, body } = await get<ScryfallCard>(`look up ${setCode.toUpperCase()} #${collectorNumber}`, path);
      if (isNotFound(status, body)) throw new CardNotFoundError(`No card is numbered ${collectorNumber} in the set ${setCode.toUpperCase()}.`);
      if (status !== 200 || body?.object !== 'card') throw new ScryfallRequestError(`Scryfall refused the printing look-up (${status}: ${details(body)}).`, status);
      return toPrinting(body);
    },
    async autocomplete(partial) {
      if (partial.trim().length < 2) return [];
      const { status, body } = await get<{ object?: string; data?: string[] }>(`complete “${partial}”`, `/cards/autocomplete?q=${encodeURIComponent(partial)}`);
      if (status !== 200 || body?.object !== 'catalog' || !Array.isArray(body.data)) throw new ScryfallRequestError(`Scryfall refused the autocompletion (${status}: ${details(body)}).`, status);
      return body.data.slice(0, 20);
    },
  };
}
