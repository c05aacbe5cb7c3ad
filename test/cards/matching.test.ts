import { addHave, addWant, setListsPublic } from '../../activities/cards/lists';
import { alertPairsForHaves, findMatches, naiveMatchesSql, toMatch } from '../../activities/cards/matching';
import { startCardsEnv, type CardsEnv } from './helpers';

/**
 * Two-way matching on a hand-built fixture: exactly the members who have what "me" wants AND want what
 * "me" has, with every rule (condition, foil, any printing, max price, free copies, scope and privacy)
 * excluding someone who would otherwise match.
 */
describe('card matching', () => {
  let env: CardsEnv;
  // Discord ids are snowflakes (the guilds and members tables check it): one per name, and back.
  const NAMES = ['me', 'A', 'B', 'C', 'D', 'E', 'F', 'P', 'X', 'M', 'R', 'L', 'G', 'H', 'XG'];
  const id = (name: string) => String(100_000_000_000_000_000n + BigInt(NAMES.indexOf(name)));
  const nameOf = (snowflake: string) => NAMES[Number(BigInt(snowflake) - 100_000_000_000_000_000n)]!;
  const who = (page: { matches: { userId: string }[] }) => page.matches.map((m) => nameOf(m.userId));

  beforeAll(async () => {
    env = await startCardsEnv();
    const c = env.catalog;
    const [goyf, boltLea, boltM10, snap, seize, ragavan] = await Promise.all([
      c.printing('fut', '153'),
      c.printing('lea', '161'),
      c.printing('m10', '146'),
      c.printing('isd', '78'),
      c.printing('ths', '107'),
      c.printing('mh2', '138'),
    ]);
    await env.seedGuild(id('G'), ['me', 'A', 'B', 'C', 'D', 'E', 'M', 'R'].map(id), [id('L')]);
    await env.seedGuild(id('H'), ['me', 'F', 'P'].map(id));
    await env.seedGuild(id('XG'), [id('X')]);
    const p = env.prisma;
    // Me: wants Tarmogoyf (priority 5), any Lightning Bolt LP or better, a foil Thoughtseize, Ragavan at most $40; has 2 Snapcasters.
    await addWant(p, id('me'), { printing: goyf, quantity: 1, priority: 5 });
    await addWant(p, id('me'), { printing: boltLea, quantity: 1, anyPrinting: true, minCondition: 'LP' });
    await addWant(p, id('me'), { printing: seize, quantity: 1, foilRequired: true });
    await addWant(p, id('me'), { printing: ragavan, quantity: 1, maxPriceCents: 4000 });
    await addHave(p, id('me'), { printing: snap, quantity: 2, condition: 'NM' });
    const wantsSnap = (u: string) => addWant(p, id(u), { printing: snap, quantity: 1, anyPrinting: true });
    for (const u of ['A', 'B', 'C', 'D', 'E', 'F', 'P', 'X', 'M', 'R', 'L']) if (u !== 'E') await wantsSnap(u);
    await addHave(p, id('A'), { printing: goyf, quantity: 1, condition: 'NM' }); // ✓
    await addHave(p, id('B'), { printing: goyf, quantity: 1, condition: 'HP' }); // worse than LP
    await addHave(p, id('C'), { printing: boltM10, quantity: 3, condition: 'LP' }); // ✓ another printing of an any-printing want
    await addHave(p, id('D'), { printing: seize, quantity: 1, finish: 'nonfoil' }); // foil required
    await addHave(p, id('E'), { printing: goyf, quantity: 1 }); // wants nothing of mine
    await addHave(p, id('F'), { printing: goyf, quantity: 1 }); // ✓ in scope "all" (shares H with me)
    await addHave(p, id('P'), { printing: goyf, quantity: 1 }); // private lists, only in H
    await setListsPublic(p, id('P'), false);
    await addHave(p, id('X'), { printing: goyf, quantity: 1 }); // shares no server
    await addHave(p, id('M'), { printing: ragavan, quantity: 1 }); // $48 > my max $40
    const r = await addHave(p, id('R'), { printing: goyf, quantity: 1 }); // every copy reserved
    await p.cardCollectionItem.update({ where: { id: r.itemId }, data: { reserved: 1 } });
    await addHave(p, id('L'), { printing: goyf, quantity: 1 }); // left the server
  });
  afterAll(() => env?.close());

  it('finds exactly the two-way matches in this server, the more balanced and covering first', async () => {
    const page = await findMatches(env.prisma, { userId: id('me'), guildId: id('G'), scope: 'guild' });
    expect(who(page)).toEqual(['A', 'C']);
    const [a, c] = page.matches;
    expect(a).toEqual({ userId: id('A'), score: expect.any(Number), theyGive: { wants: 1, valueCents: 900, cards: ['Tarmogoyf'] }, iGive: { wants: 1, valueCents: 1800, cards: ['Snapcaster Mage'] } });
    expect(c!.theyGive).toEqual({ wants: 1, valueCents: 175, cards: ['Lightning Bolt'] });
    // A: balance 900/1800, coverage 5/14 of my priorities (5 + 3 + 3 + 3); C: balance 175/1800, coverage 3/14.
    expect(a!.score).toBe(Math.round(500 * 0.5 + (500 * 5) / 14));
    expect(c!.score).toBe(Math.round((500 * 175) / 1800 + (500 * 3) / 14));
    expect(page.next).toBeNull();
  });

  it('in every shared server: public lists of other servers too, private ones only where I look', async () => {
    const fromG = await findMatches(env.prisma, { userId: id('me'), guildId: id('G'), scope: 'all' });
    expect(who(fromG).sort()).toEqual(['A', 'C', 'F']);
    const fromH = await findMatches(env.prisma, { userId: id('me'), guildId: id('H'), scope: 'all' });
    expect(who(fromH).sort()).toEqual(['A', 'C', 'F', 'P']);
    const page1 = await findMatches(env.prisma, { userId: id('me'), guildId: id('H'), scope: 'all', limit: 3 });
    const page2 = await findMatches(env.prisma, { userId: id('me'), guildId: id('H'), scope: 'all', limit: 3, offset: page1.next! });
    expect(page1.next).toBe(3);
    expect([...page1.matches, ...page2.matches].map((m) => m.userId)).toEqual(fromH.matches.map((m) => m.userId));
    expect(page2.next).toBeNull();
  });

  it('this server only: everyone here, private lists too, and no one from my other servers', async () => {
    const fromH = await findMatches(env.prisma, { userId: id('me'), guildId: id('H'), scope: 'guild' });
    expect(who(fromH).sort()).toEqual(['F', 'P']);
    const naive = (await env.prisma.$queryRaw<Parameters<typeof toMatch>[0][]>(naiveMatchesSql(id('me'), id('H'), 'guild', 50, 0))).map(toMatch);
    expect(naive).toEqual(fromH.matches);
  });

  it('the naive join gives the same answer', async () => {
    for (const [guild, scope] of [['G', 'guild'], ['G', 'all'], ['H', 'all']] as const) {
      const guildId = id(guild);
      const fast = await findMatches(env.prisma, { userId: id('me'), guildId, scope, limit: 50 });
      const naive = (await env.prisma.$queryRaw<Parameters<typeof toMatch>[0][]>(naiveMatchesSql(id('me'), guildId, scope, 50, 0))).map(toMatch);
      expect(naive).toEqual(fast.matches);
    }
  });

  it('alert pairs: a new have fills the alerted wants of members sharing a server', async () => {
    const goyf = await env.catalog.printing('fut', '153');
    await addWant(env.prisma, id('A'), { printing: goyf, quantity: 1, alert: true });
    await addWant(env.prisma, id('X'), { printing: goyf, quantity: 1, alert: true, anyPrinting: true });
    const { haveId } = await addHave(env.prisma, id('E'), { printing: goyf, quantity: 1 });
    const pairs = await alertPairsForHaves(env.prisma, [haveId]);
    expect([...pairs.keys()]).toEqual([id('A')]); // X shares no server with E
    expect(pairs.get(id('A'))).toEqual([{ wantId: expect.any(String), haveId: String(haveId) }]);
  });
});
