import { createCardCatalog, pricesOf } from '../../activities/cards/catalog';
import { CardNotFoundError, createScryfallClient, ScryfallUnavailableError } from '../../lib/scryfall/client';
import { startFakeScryfall, type FakeScryfall } from '../fakes/scryfall';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

/**
 * The catalog over the production Scryfall client against the fake Scryfall: fuzzy names, printings by
 * set and number, the cache (a fresh answer makes no request, a stale one asks again, "not found" is
 * cached for less time) and Scryfall's 429s.
 */
describe('card catalog', () => {
  let db: TestDatabase;
  let scryfall: FakeScryfall;
  let clock: Date;
  const catalog = () =>
    createCardCatalog({ prisma: db.prisma, scryfall: createScryfallClient({ baseUrl: scryfall.url }), now: () => clock });

  beforeAll(async () => {
    [db, scryfall] = await Promise.all([createTestDatabase(), startFakeScryfall({ pageSize: 5 })]);
  });
  afterAll(async () => {
    await scryfall?.close();
    await db?.drop();
  });
  beforeEach(() => {
    clock = new Date('2026-12-04T12:00:00Z');
    scryfall.clearFaults();
  });

  it('finds a card by a fuzzy name (case, punctuation, partial words) and stores it with prices in cents', async () => {
    const shredder = await catalog().named('ledger shred');
    expect(shredder).toMatchObject({ name: 'Ledger Shredder', setCode: 'snc', collectorNumber: '46', rarity: 'rare', finishes: ['nonfoil', 'foil'] });
    expect(pricesOf(shredder)).toEqual({ nonfoil: 325, foil: 600, etched: null });
    expect((await catalog().named('URZAS SAGA')).name).toBe("Urza's Saga");
    expect((await catalog().named('fable mirror')).name).toBe('Fable of the Mirror-Breaker // Reflection of Kiki-Jiki');
    const row = await db.prisma.cardPrinting.findUniqueOrThrow({ where: { id: shredder.id } });
    expect(row.oracleId).toBe(scryfall.card('snc', '46').oracle_id);
  });

  it('a fresh cached answer makes no request; a stale printing is asked again with its new price', async () => {
    const first = await catalog().named('Tarmogoyf');
    const before = scryfall.requestCount();
    expect((await catalog().named('tarmogoyf')).id).toBe(first.id);
    expect((await catalog().printing('FUT', '153')).id).toBe(first.id);
    expect(scryfall.requestCount()).toBe(before);

    scryfall.setPrice('fut', '153', 'usd', '11.11');
    clock = new Date(clock.getTime() + 25 * 3600_000);
    const refreshed = await catalog().named('tarmogoyf');
    expect(pricesOf(refreshed).nonfoil).toBe(1111);
    expect(scryfall.requestCount('/cards/named')).toBeGreaterThan(0);
    expect(scryfall.requestCount()).toBe(before + 1);
  });

  it('a card that does not exist is a clear error, cached for an hour', async () => {
    await expect(catalog().named('Definitely Not A Card')).rejects.toThrow(CardNotFoundError);
    const before = scryfall.requestCount();
    await expect(catalog().named('definitely not a card')).rejects.toThrow(/No cards found/);
    expect(scryfall.requestCount()).toBe(before);
    clock = new Date(clock.getTime() + 61 * 60_000);
    await expect(catalog().named('definitely not a card')).rejects.toThrow(CardNotFoundError);
    expect(scryfall.requestCount()).toBe(before + 1);
    // An ambiguous name is "not found" too, with Scryfall's reason.
    await expect(catalog().named('bolt')).resolves.toMatchObject({ name: 'Lightning Bolt' });
    await expect(catalog().named('mox')).rejects.toThrow(/ambiguous/);
    await expect(catalog().printing('lea', '9999')).rejects.toThrow('No card is numbered 9999 in the set LEA.');
  });

  it('search and autocomplete are cached too', async () => {
    const found = await catalog().search('thoughtseize');
    expect(found.map((p) => p.name)).toEqual(['Thoughtseize']);
    const names = await catalog().autocomplete('light');
    expect(names).toEqual(['Lightning Bolt', 'Arclight Phoenix', 'Blightsteel Colossus']);
    const before = scryfall.requestCount();
    await catalog().search('Thoughtseize');
    await catalog().autocomplete('LIGHT');
    expect(scryfall.requestCount()).toBe(before);
  });

  it('a 429 is waited out (Retry-After) and the request made again; a lasting one is "unavailable"', async () => {
    scryfall.inject({ route: /^\/cards\/named/, status: 429, times: 1 });
    const before = scryfall.requestCount();
    const goyf = await createScryfallClient({ baseUrl: scryfall.url }).named('Snapcaster');
    expect(goyf.name).toBe('Snapcaster Mage');
    expect(scryfall.requestCount()).toBe(before + 2);
    const limited = scryfall.requests().filter((r) => r.fault === 429);
    expect(limited).toHaveLength(1);

    scryfall.inject({ route: /^\/cards\/named/, status: 429 });
    const client = createScryfallClient({ baseUrl: scryfall.url, maxRetries: 1 });
    await expect(client.named('Snapcaster')).rejects.toThrow(ScryfallUnavailableError);
    scryfall.clearFaults();
    scryfall.inject({ route: /^\/cards\//, status: 503, times: 1 });
    await expect(client.printing('isd', '78')).rejects.toMatchObject({ code: 'scryfall_unavailable', status: 503 });
  });

  it('keeps to 10 requests per second across clients of the process', async () => {
    const a = createScryfallClient({ baseUrl: scryfall.url });
    const b = createScryfallClient({ baseUrl: scryfall.url });
    const start = performance.now();
    await Promise.all(Array.from({ length: 25 }, (_, i) => (i % 2 ? a : b).printing('lea', '161')));
    // 25 requests with a bucket of 10: at least 1.5 s (the first 10 at once, then 10 per second).
    expect(performance.now() - start).toBeGreaterThanOrEqual(1400);
  });
});
