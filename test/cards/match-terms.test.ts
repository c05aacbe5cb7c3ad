import { addHave, addToCollection, addWant } from '../../activities/cards/lists';
import { matchTerms, matchTermsInGuild, type TermLine } from '../../activities/cards/match-terms';
import { findMatches } from '../../activities/cards/matching';
import { startCardsEnv, type CardsEnv } from './helpers';

/**
 * The terms a two-way match suggests, on a hand-built pair: exactly the copies each side's wants take
 * (priorities first, condition, foil, any printing, maximum price, have-list and free quantities), the
 * cash that balances them, and copies reserved by live proposals left out.
 */
describe('match terms', () => {
  let env: CardsEnv;
  const NAMES = ['me', 'A', 'B', 'X', 'L', 'G', 'H'];
  const id = (name: string) => String(100_000_000_000_000_000n + BigInt(NAMES.indexOf(name)));
  const items: Record<string, bigint> = {};

  beforeAll(async () => {
    env = await startCardsEnv();
    const c = env.catalog;
    const [goyf, boltLea, boltM10, snap, seize, ragavan] = await Promise.all([
      c.printing('fut', '153'), // $9.00
      c.printing('lea', '161'),
      c.printing('m10', '146'), // $1.75
      c.printing('isd', '78'), // $18.00
      c.printing('ths', '107'), // $11.00, foil $24.00
      c.printing('mh2', '138'), // $48.00
    ]);
    await env.seedGuild(id('G'), ['me', 'A', 'B'].map(id), [id('L')]);
    await env.seedGuild(id('H'), ['me', 'X'].map(id));
    const p = env.prisma;
    // Me: want 2 Tarmogoyf (priority 5), 3 of any Lightning Bolt LP or better (priority 2), Ragavan at most $40 (priority 4).
    await addWant(p, id('me'), { printing: goyf, quantity: 2, priority: 5 });
    await addWant(p, id('me'), { printing: boltLea, quantity: 3, anyPrinting: true, minCondition: 'LP', priority: 2 });
    await addWant(p, id('me'), { printing: ragavan, quantity: 1, maxPriceCents: 4000, priority: 4 });
    // Me: 3 Snapcasters on the have list (2 more only in the collection), a foil and 2 nonfoil Thoughtseizes.
    items.snap = (await addHave(p, id('me'), { printing: snap, quantity: 3, condition: 'NM' })).itemId;
    await addToCollection(p, id('me'), { printing: snap, quantity: 2, condition: 'NM' });
    items.seizeFoil = (await addHave(p, id('me'), { printing: seize, quantity: 1, condition: 'NM', finish: 'foil' })).itemId;
    items.seizePlain = (await addHave(p, id('me'), { printing: seize, quantity: 2, condition: 'NM', finish: 'nonfoil' })).itemId;
    // A: wants 4 Snapcasters (any printing, priority 3) and a foil Thoughtseize (priority 5).
    await addWant(p, id('A'), { printing: snap, quantity: 4, anyPrinting: true, priority: 3 });
    await addWant(p, id('A'), { printing: seize, quantity: 1, foilRequired: true, priority: 5 });
    // A: a Goyf NM, 2 Goyf LP, 2 Bolt (M10) LP, 4 Bolt HP (worse than LP), a $48 Ragavan (above my $40).
    items.goyfNm = (await addHave(p, id('A'), { printing: goyf, quantity: 1, condition: 'NM' })).itemId;
    items.goyfLp = (await addHave(p, id('A'), { printing: goyf, quantity: 2, condition: 'LP' })).itemId;
    items.boltLp = (await addHave(p, id('A'), { printing: boltM10, quantity: 2, condition: 'LP' })).itemId;
    items.boltHp = (await addHave(p, id('A'), { printing: boltM10, quantity: 4, condition: 'HP' })).itemId;
    await addHave(p, id('A'), { printing: ragavan, quantity: 1, condition: 'NM' });
    // B has what I want but wants nothing of mine; X matches but shares only H with me; L left G.
    await addHave(p, id('B'), { printing: goyf, quantity: 1 });
    for (const u of ['X', 'L']) {
      await addHave(p, id(u), { printing: goyf, quantity: 1 });
      await addWant(p, id(u), { printing: snap, quantity: 1 });
    }
  });
  afterAll(() => env?.close());

  const lines = (ls: TermLine[]) => ls.map((l) => [String(l.collectionItemId), l.quantity, l.unitPriceCents]);
  const reserve = (item: bigint, reserved: number) => env.prisma.cardCollectionItem.update({ where: { id: item }, data: { reserved } });

  it('offers my copies for their wants and asks theirs for mine, priorities first, with the cash that balances them', async () => {
    const terms = await matchTermsInGuild(env.prisma, { guildId: id('G'), userId: id('me'), otherUserId: id('A') });
    // Their priority 5 (the foil Thoughtseize, not the nonfoil ones), then 3 Snapcasters: the have list's copies, not the collection's 5.
    expect(lines(terms.offered)).toEqual([
      [String(items.seizeFoil), 1, 2400],
      [String(items.snap), 3, 1800],
    ]);
    // My priority 5: 2 Goyfs from two items (same price: the older item first); no Ragavan (above my maximum); 2 Bolts LP, not HP.
    expect(lines(terms.asked)).toEqual([
      [String(items.goyfNm), 1, 900],
      [String(items.goyfLp), 1, 900],
      [String(items.boltLp), 2, 175],
    ]);
    expect(terms.offered[0]).toMatchObject({ name: 'Thoughtseize', setCode: 'ths', collectorNumber: '107', condition: 'NM', finish: 'foil' });
    expect(terms).toMatchObject({ offeredValueCents: 2400 + 5400, askedValueCents: 1800 + 350, cashCents: 7800 - 2150, cashPayerId: id('A') });

    // The same cards the matcher shows for this match.
    const match = (await findMatches(env.prisma, { userId: id('me'), guildId: id('G'), scope: 'guild' })).matches.find((m) => m.userId === id('A'))!;
    expect(new Set(terms.offered.map((l) => l.name))).toEqual(new Set(match.iGive.cards));
    expect(new Set(terms.asked.map((l) => l.name))).toEqual(new Set(match.theyGive.cards));

    // From A's side: the same copies the other way round, and A is still the one who pays.
    const mirror = await matchTerms(env.prisma, { userId: id('A'), otherUserId: id('me') });
    expect({ offered: mirror.offered, asked: mirror.asked, cashCents: mirror.cashCents, cashPayerId: mirror.cashPayerId }).toEqual({
      offered: terms.asked,
      asked: terms.offered,
      cashCents: 5650,
      cashPayerId: id('A'),
    });
  });

  it('leaves out copies reserved by live proposals', async () => {
    await reserve(items.goyfNm!, 1);
    await reserve(items.snap!, 4); // 5 held, 4 reserved: 1 free
    try {
      const terms = await matchTerms(env.prisma, { userId: id('me'), otherUserId: id('A') });
      expect(lines(terms.offered)).toEqual([
        [String(items.seizeFoil), 1, 2400],
        [String(items.snap), 1, 1800],
      ]);
      expect(lines(terms.asked)).toEqual([
        [String(items.goyfLp), 2, 900],
        [String(items.boltLp), 2, 175],
      ]);
      expect(terms).toMatchObject({ cashCents: 4200 - 2150, cashPayerId: id('A') });

      await reserve(items.seizeFoil!, 1);
      const without = await matchTerms(env.prisma, { userId: id('me'), otherUserId: id('A') });
      expect(lines(without.offered)).toEqual([[String(items.snap), 1, 1800]]);
      // Now I get more than I give: I pay.
      expect(without).toMatchObject({ offeredValueCents: 1800, askedValueCents: 2150, cashCents: 350, cashPayerId: id('me') });
    } finally {
      for (const item of [items.goyfNm!, items.snap!, items.seizeFoil!]) await reserve(item, 0);
    }
  });

  it('refuses a member of another server, one who left, one who no longer matches, and myself', async () => {
    const inG = (other: string) => matchTermsInGuild(env.prisma, { guildId: id('G'), userId: id('me'), otherUserId: id(other) });
    await expect(inG('X')).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(inG('L')).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(inG('B')).rejects.toMatchObject({ code: 'no_match', status: 404 });
    await expect(inG('me')).rejects.toMatchObject({ code: 'invalid_input' });
    // X does match me where we meet.
    expect((await matchTermsInGuild(env.prisma, { guildId: id('H'), userId: id('me'), otherUserId: id('X') })).asked).toHaveLength(1);
  });
});
