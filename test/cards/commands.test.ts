import type { APIActionRowComponent, APIButtonComponentWithCustomId, APIEmbed } from 'discord-api-types/v10';
import type { InteractionHandle, MessageRecord } from '../fakes/discord';
import { startFakeScryfall, type FakeScryfall } from '../fakes/scryfall';
import { startE2E, type E2E } from '../e2e/harness';
import { waitFor } from '../../lib/wait';

/**
 * `/cards` as members use it, through the fake Discord, the bot, Temporal and the database, with the
 * production Scryfall client pointed at the fake Scryfall.
 */
describe('/cards commands', () => {
  let e2e: E2E;
  let scryfall: FakeScryfall;
  let guildId: string;

  beforeAll(async () => {
    scryfall = await startFakeScryfall();
    e2e = await startE2E({ env: { SCRYFALL_API_URL: scryfall.url, CARD_ALERT_COLLECT_SECONDS: '2' } });
    guildId = e2e.demo.guild.id;
  });
  afterAll(async () => {
    await e2e?.close();
    await scryfall?.close();
  });

  const embedOf = (m: MessageRecord | undefined): APIEmbed => m?.embeds[0] ?? {};
  const buttons = (m: MessageRecord | undefined) =>
    (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components ?? []);
  /** The answer once the deferred reply was edited (or the direct reply). */
  const answer = async (h: InteractionHandle) => {
    await h.waitForResponse();
    return e2e.discord.waitFor(() => (h.original()?.embeds.length ? h.original() : undefined), 10_000, 'the answer');
  };
  const cards = (userId: string, options: Record<string, unknown>, subcommand: string, subcommandGroup?: string) =>
    e2e.discord.slash(guildId, userId, 'cards', options, { subcommand, ...(subcommandGroup ? { subcommandGroup } : {}) });
  async function newMember(name: string): Promise<string> {
    const u = e2e.discord.createUser({ username: name });
    e2e.discord.addMember(guildId, u.id);
    // The bot's member directory records the join (matching "in this server" reads it).
    await waitFor(() => e2e.prisma.member.findUnique({ where: { guildId_userId: { guildId, userId: u.id } } }), { timeoutMs: 15_000, what: `member ${name} in the directory` });
    return u.id;
  }

  it('/cards price shows the printing’s prices per finish; asking again makes no Scryfall request', async () => {
    const alice = await newMember('alice');
    const shown = await answer(cards(alice, { card: 'ragavan', set: 'mh2', number: '138' }, 'price'));
    expect(embedOf(shown).title).toBe('Ragavan, Nimble Pilferer (MH2) 138');
    expect(embedOf(shown).fields).toEqual([
      { name: 'nonfoil', value: '$48.00', inline: true },
      { name: 'foil', value: '$85.00', inline: true },
    ]);
    const before = scryfall.requestCount();
    const again = await answer(cards(alice, { card: 'Ragavan', set: 'MH2', number: '138' }, 'price'));
    expect(embedOf(again).title).toBe('Ragavan, Nimble Pilferer (MH2) 138');
    expect(scryfall.requestCount()).toBe(before);
    const missing = cards(alice, { card: 'Not a card at all' }, 'price');
    await e2e.discord.waitFor(() => missing.responses().find((r) => /No cards found/.test(JSON.stringify(r.data))), 10_000, 'the not-found answer');
  });

  it('have add / list / remove and want add / list through the bot', async () => {
    const bob = await newMember('bob');
    const added = await answer(cards(bob, { card: 'tarmogoyf', quantity: 2, condition: 'LP', min_value: 12.5 }, 'add', 'have'));
    expect(embedOf(added).description).toMatch(/^\*\*2 ×\*\* Tarmogoyf \(FUT\) 153 · have #\d+$/);
    const list = await answer(cards(bob, {}, 'list', 'have'));
    expect(embedOf(list).description).toMatch(/\*\*2 ×\*\* Tarmogoyf \(FUT\) 153 · LP · \$9\.00/);
    const have = await e2e.prisma.cardHave.findFirstOrThrow({ where: { userId: bob } });
    expect(have.minValueCents).toBe(1250);
    await answer(cards(bob, { id: Number(have.id), quantity: 1 }, 'remove', 'have'));
    expect((await e2e.prisma.cardHave.findUniqueOrThrow({ where: { id: have.id } })).quantity).toBe(1);

    await answer(cards(bob, { card: 'bolt', max_price: 2, priority: 4 }, 'add', 'want'));
    const wants = await answer(cards(bob, {}, 'list', 'want'));
    expect(embedOf(wants).description).toMatch(/\*\*1 ×\*\* Lightning Bolt \(any printing\) · LP\+ · at most \$2\.00 · priority 4/);
    // Someone else's have cannot be removed, and nothing changes.
    const carol = await newMember('carol');
    const refused = cards(carol, { id: Number(have.id) }, 'remove', 'have');
    await e2e.discord.waitFor(() => refused.responses().find((r) => /You have no have with that id/.test(JSON.stringify(r.data))), 10_000, 'the refusal');
    expect(await e2e.prisma.cardHave.count({ where: { id: have.id } })).toBe(1);
  });

  it('/cards import opens a form; the report lists the failed lines; an alerted want is told in ONE DM', async () => {
    const dave = await newMember('dave');
    const erin = await newMember('erin');
    await answer(cards(erin, { card: 'snapcaster mage', alert: true }, 'add', 'want'));
    await answer(cards(erin, { card: 'thoughtseize', alert: true }, 'add', 'want'));

    const open = cards(dave, { list: 'haves' }, 'import');
    const modal = await e2e.discord.waitFor(() => open.modal(), 10_000, 'the import form');
    const submitted = e2e.discord.submitModal(open, modal.customId, dave, { list: '2 Snapcaster Mage (ISD) 78\n1 Thoughtseize (THS) 107\n1 Nonexistent Card Name\n1 Liliana of the Veil' });
    const report = await answer(submitted);
    expect(embedOf(report).title).toBe('Imported 3 lines into your haves');
    expect(embedOf(report).description).toMatch(/line 3: `1 Nonexistent Card Name` — No cards found/);
    // One have more a moment later: still the same single DM.
    await answer(cards(dave, { card: 'snapcaster', set: 'isd', number: '78', condition: 'LP' }, 'add', 'have'));

    const dm = await e2e.discord.waitFor(() => e2e.discord.dms(erin).find((m) => embedOf(m).title?.includes('want')), 20_000, 'the alert DM');
    expect(embedOf(dm).description).toContain('Snapcaster Mage');
    expect(embedOf(dm).description).toContain('Thoughtseize');
    expect(embedOf(dm).description).toContain(`<@${dave}>`);
    await e2e.waitForWorkflow(`card-alerts:${erin}`, 'COMPLETED', 20_000);
    expect(e2e.discord.dms(erin)).toHaveLength(1);
  });

  it('/cards matches pages two-way matches with buttons, always the clicker’s own', async () => {
    const me = await newMember('frank');
    await answer(cards(me, { card: 'tarmogoyf' }, 'add', 'want'));
    await answer(cards(me, { card: 'wasteland', set: 'tmp', number: '330' }, 'add', 'have'));
    const traders = [];
    for (const name of ['g1', 'g2', 'g3', 'g4', 'g5', 'g6']) {
      const t = await newMember(name);
      await answer(cards(t, { card: 'tarmogoyf' }, 'add', 'have'));
      await answer(cards(t, { card: 'wasteland' }, 'add', 'want'));
      traders.push(t);
    }
    const first = await answer(cards(me, { server: true }, 'matches'));
    expect(embedOf(first).title).toBe('Your matches in this server');
    const mentioned = (m: MessageRecord | undefined) => [...(embedOf(m).description ?? '').matchAll(/<@(\d+)>/g)].map((x) => x[1]);
    expect(mentioned(first)).toHaveLength(5);
    const next = buttons(first).find((b) => b.label === 'Next')!;
    expect(next.disabled).toBe(false);
    const click = e2e.discord.clickButton(first!, next.custom_id, me);
    await click.waitForResponse();
    const second = await e2e.discord.waitFor(() => (mentioned(click.original()).length === 1 ? click.original() : undefined), 10_000, 'the second page');
    expect([...mentioned(first), ...mentioned(second)].sort()).toEqual([...traders].sort());
  });

  it('autocomplete is served by the router (commands declare it)', async () => {
    const { commands } = await import('../../bot/commands');
    const command = commands.find((c) => c.data.name === 'cards');
    expect(typeof command?.autocomplete).toBe('function');
  });
});
