import { importList, parseImport } from '../../activities/cards/import';
import { addHave, addWant, listHaves, listWants, removeHave, removeWant, setCollectionQuantity } from '../../activities/cards/lists';
import { startCardsEnv, type CardsEnv } from './helpers';

/** Collections, haves, wants and the text import on a real database, cards from the fake Scryfall. */
describe('card lists', () => {
  let env: CardsEnv;
  beforeAll(async () => {
    env = await startCardsEnv();
  });
  afterAll(() => env?.close());

  it('a have adds to the collection and to the offer; removing it keeps the collection', async () => {
    const bolt = await env.catalog.printing('lea', '161');
    const first = await addHave(env.prisma, 'u1', { printing: bolt, quantity: 2, condition: 'lp', minValueCents: 30000, notes: 'Signed' });
    const again = await addHave(env.prisma, 'u1', { printing: bolt, quantity: 1, condition: 'LP' });
    expect(again.haveId).toBe(first.haveId);
    const [have] = await listHaves(env.prisma, 'u1');
    expect(have).toMatchObject({ quantity: 3, minValueCents: 30000, notes: 'Signed', item: { quantity: 3, condition: 'LP', finish: 'nonfoil', printing: { name: 'Lightning Bolt' } } });

    await removeHave(env.prisma, 'u1', first.haveId, 1);
    expect((await listHaves(env.prisma, 'u1'))[0]!.quantity).toBe(2);
    // The collection cannot go below what is offered; after removing the offer it can.
    await expect(setCollectionQuantity(env.prisma, 'u1', first.itemId, 1)).rejects.toThrow(/You offer 2 of these/);
    await removeHave(env.prisma, 'u1', first.haveId);
    expect(await listHaves(env.prisma, 'u1')).toEqual([]);
    await setCollectionQuantity(env.prisma, 'u1', first.itemId, 1);
    expect((await env.prisma.cardCollectionItem.findUniqueOrThrow({ where: { id: first.itemId } })).quantity).toBe(1);
    // Another member's have is not theirs to remove.
    const other = await addHave(env.prisma, 'u2', { printing: bolt, quantity: 1 });
    await expect(removeHave(env.prisma, 'u1', other.haveId)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('bad input is a clear error and changes nothing', async () => {
    const goyf = await env.catalog.printing('fut', '153');
    const lea = await env.catalog.printing('lea', '232');
    const before = await env.prisma.cardCollectionItem.count();
    await expect(addHave(env.prisma, 'u3', { printing: goyf, quantity: 0 })).rejects.toThrow('The quantity must be a whole number from 1 to 9999, not 0.');
    await expect(addHave(env.prisma, 'u3', { printing: goyf, quantity: 1, condition: 'mint' })).rejects.toThrow(/must be one of NM, LP, MP, HP, DMG/);
    await expect(addHave(env.prisma, 'u3', { printing: lea, quantity: 1, finish: 'foil' })).rejects.toThrow('Black Lotus is not printed in foil (only nonfoil).');
    await expect(addWant(env.prisma, 'u3', { printing: goyf, quantity: 1, priority: 9 })).rejects.toThrow(/priority/);
    expect(await env.prisma.cardCollectionItem.count()).toBe(before);
    expect(await env.prisma.cardWant.count({ where: { userId: 'u3' } })).toBe(0);
  });

  it('a want for the same card and rule is updated, not doubled; any printing keeps the oracle id', async () => {
    const goyf = await env.catalog.printing('fut', '153');
    const a = await addWant(env.prisma, 'u4', { printing: goyf, quantity: 2, anyPrinting: true, maxPriceCents: 1000, alert: true });
    const b = await addWant(env.prisma, 'u4', { printing: goyf, quantity: 4, anyPrinting: true, priority: 5 });
    expect(b.wantId).toBe(a.wantId);
    const [want] = await listWants(env.prisma, 'u4');
    expect(want).toMatchObject({ quantity: 4, priority: 5, anyPrinting: true, oracleId: goyf.oracleId, maxPriceCents: null, alert: false });
    await removeWant(env.prisma, 'u4', a.wantId);
    await expect(removeWant(env.prisma, 'u4', a.wantId)).rejects.toThrow('You have no want with that id.');
  });

  it('parses the common text format', () => {
    const { lines, failed } = parseImport(
      ['# my binder', '', '4 Lightning Bolt (LEA) 161', '2x Snapcaster Mage', '1 Ragavan, Nimble Pilferer (MH2) 138 *F*', 'Tarmogoyf', 'Sideboard', '// note', '0 Opt', '1 Counterspell (MH2) 267 *E*'].join('\n'),
    );
    expect(lines).toEqual([
      { line: 3, text: '4 Lightning Bolt (LEA) 161', quantity: 4, name: 'Lightning Bolt', setCode: 'lea', collectorNumber: '161' },
      { line: 4, text: '2x Snapcaster Mage', quantity: 2, name: 'Snapcaster Mage' },
      { line: 5, text: '1 Ragavan, Nimble Pilferer (MH2) 138 *F*', quantity: 1, name: 'Ragavan, Nimble Pilferer', setCode: 'mh2', collectorNumber: '138', finish: 'foil' },
      { line: 6, text: 'Tarmogoyf', quantity: 1, name: 'Tarmogoyf' },
      { line: 10, text: '1 Counterspell (MH2) 267 *E*', quantity: 1, name: 'Counterspell', setCode: 'mh2', collectorNumber: '267', finish: 'etched' },
    ]);
    expect(failed).toEqual([{ line: 9, text: '0 Opt', reason: 'The quantity must be from 1 to 9999.' }]);
  });

  it('imports haves: good lines applied together, failed lines reported with why and changing nothing', async () => {
    const text = [
      '4 Lightning Bolt (LEA) 161',
      '2x snapcaster',
      '1 Ragavan, Nimble Pilferer (MH2) 138 *F*',
      '1 Black Lotus (LEA) 232 *F*',
      '3 Not A Real Card',
      '1 Tarmogoyf (LEA) 161',
      '1 Mox',
    ].join('\n');
    const report = await importList({ prisma: env.prisma, catalog: env.catalog }, 'imp', 'haves', text, { condition: 'NM' });
    expect(report.applied.map((a) => [a.line, a.quantity, a.name, a.finish])).toEqual([
      [1, 4, 'Lightning Bolt', 'nonfoil'],
      [2, 2, 'Snapcaster Mage', 'nonfoil'],
      [3, 1, 'Ragavan, Nimble Pilferer', 'foil'],
    ]);
    expect(report.failed).toEqual([
      { line: 4, text: '1 Black Lotus (LEA) 232 *F*', reason: 'Black Lotus (LEA) 232 is not printed in foil.' },
      { line: 5, text: '3 Not A Real Card', reason: expect.stringMatching(/No cards found/) },
      { line: 6, text: '1 Tarmogoyf (LEA) 161', reason: 'LEA #161 is Lightning Bolt, not Tarmogoyf.' },
      { line: 7, text: '1 Mox', reason: expect.stringMatching(/ambiguous/) },
    ]);
    const haves = await listHaves(env.prisma, 'imp');
    expect(haves.map((h) => [h.item.printing.name, h.quantity, h.item.finish])).toEqual([
      ['Lightning Bolt', 4, 'nonfoil'],
      ['Snapcaster Mage', 2, 'nonfoil'],
      ['Ragavan, Nimble Pilferer', 1, 'foil'],
    ]);
    expect(report.haveIds).toHaveLength(3);
  });

  it('imports wants: no set means any printing, a foil marker means foil required', async () => {
    const report = await importList({ prisma: env.prisma, catalog: env.catalog }, 'wimp', 'wants', '1 Thoughtseize\n2 Counterspell (MH2) 267 *F*');
    expect(report.failed).toEqual([]);
    const wants = await listWants(env.prisma, 'wimp');
    expect(wants.map((w) => [w.printing.name, w.quantity, w.anyPrinting, w.foilRequired])).toEqual([
      ['Thoughtseize', 1, true, false],
      ['Counterspell', 2, false, true],
    ]);
    await expect(importList({ prisma: env.prisma, catalog: env.catalog }, 'wimp', 'wants', '# nothing\n\n')).rejects.toThrow('The list has no card lines.');
  });
});
