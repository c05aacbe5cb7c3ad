import type { APIActionRowComponent, APIButtonComponentWithCustomId, APIEmbed } from 'discord-api-types/v10';
import type { InteractionHandle, MessageRecord } from '../fakes/discord';
import { startE2E, type E2E } from '../e2e/harness';
import { CARD_TRADE_ACTIONS } from '../../activities/card-trades';
import { customId } from '../../lib/discord/custom-id';

/**
 * Card trades as members use them, through the fake Discord, the bot, Temporal and the database: /cards
 * propose, the buttons on the DMs (a button's proposal id is client data: a stranger or the wrong party
 * pressing it is refused by the flow), Confirm receipt on both sides, the Rate form, /cards profile.
 */
describe('card trade commands', () => {
  let e2e: E2E;
  let guildId: string;
  let seq = 0;

  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    // The whole stack on a loaded machine.
  }, 180_000);
  afterAll(() => e2e?.close());

  const embedOf = (r: { data?: unknown }): APIEmbed => ((r.data as { embeds?: APIEmbed[] }).embeds ?? [])[0] ?? {};
  const buttons = (m: MessageRecord | undefined) => (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components ?? []);
  const answer = async (h: InteractionHandle) => {
    await h.waitForResponse();
    // The outcome edits the deferred reply; a refusal is the router's follow-up, which takes the deferred message's place.
    return e2e.discord.waitFor((): APIEmbed | undefined => {
      const m = h.original();
      return m?.embeds[0] ?? (m?.content ? { description: m.content } : undefined);
    }, 20_000, 'the answer');
  };
  function member(name: string): string {
    const u = e2e.discord.createUser({ username: `${name}${++seq}` });
    e2e.discord.addMember(guildId, u.id);
    return u.id;
  }
  async function card(userId: string, quantity: number): Promise<string> {
    const printingId = `p-${userId}-${seq}`;
    await e2e.prisma.cardPrinting.create({ data: { id: printingId, name: 'Black Lotus', setCode: 'lea', setName: 'Alpha', collectorNumber: String(seq), rarity: 'rare', finishes: ['nonfoil'], fetchedAt: new Date() } });
    return (await e2e.prisma.cardCollectionItem.create({ data: { userId, printingId, quantity, condition: 'LP' } })).id.toString();
  }
  const dmAbout = (userId: string, title: string) => e2e.discord.waitFor(() => e2e.discord.dms(userId).find((m) => m.embeds[0]?.title === title), 20_000, `the "${title}" DM`);

  it('/cards propose → Accept on the DM (only by the party whose turn it is) → Confirm receipt twice → Rate; /cards profile', async () => {
    const alice = member('alice');
    const bob = member('bob');
    const mallory = member('mallory');
    const item = await card(alice, 2);

    const proposed = e2e.discord.slash(guildId, alice, 'cards', { member: bob, offer: `${item}x1`, message: 'a lotus for you' }, { subcommand: 'propose' });
    expect((await answer(proposed)).title).toBe('Trade proposed');
    const proposalId = proposed.id;
    expect((await e2e.prisma.cardCollectionItem.findUniqueOrThrow({ where: { id: BigInt(item) } })).reserved).toBe(1);

    const dm = await dmAbout(bob, 'New trade proposal');
    expect(buttons(dm).map((b) => b.label)).toEqual(['Accept', 'Decline', 'Counter']);
    const accept = customId(CARD_TRADE_ACTIONS.accept, proposalId);
    expect(buttons(dm)[0]!.custom_id).toBe(accept);

    // The id in the button says which proposal, not who may answer it.
    expect((await answer(e2e.discord.clickButton(dm, accept, mallory))).description).toMatch(/Only the two members/);
    expect((await answer(e2e.discord.clickButton(dm, accept, alice))).description).toMatch(/not your turn/);
    expect((await answer(e2e.discord.clickButton(dm, accept, bob))).title).toBe('Trade accepted');

    const shipped = await dmAbout(alice, 'Trade accepted: ship your cards');
    const confirm = buttons(shipped).find((b) => b.label === 'Confirm receipt')!.custom_id;
    expect((await answer(e2e.discord.clickButton(shipped, confirm, alice))).title).toBe('Receipt confirmed');
    const bobShipped = await dmAbout(bob, 'Trade accepted: ship your cards');
    expect((await answer(e2e.discord.clickButton(bobShipped, confirm, bob))).title).toBe('Receipt confirmed');
    await e2e.waitForWorkflow(`card-trade:${proposalId}`, 'COMPLETED');
    expect(await e2e.prisma.cardCollectionItem.findUniqueOrThrow({ where: { id: BigInt(item) } })).toMatchObject({ quantity: 1, reserved: 0 });

    const done = await dmAbout(bob, 'Trade completed');
    const rate = buttons(done).find((b) => b.label === 'Rate')!.custom_id;
    const form = e2e.discord.clickButton(done, rate, bob);
    await form.waitForResponse();
    const rated = e2e.discord.submitModal(form, customId(CARD_TRADE_ACTIONS.rateModal, proposalId), bob, { stars: '4', comment: 'as described' });
    expect(embedOf(await rated.waitForResponse()).title).toBe('Thanks for rating');
    expect(await e2e.prisma.cardTradeRating.findMany({ where: { proposalId } })).toMatchObject([{ raterId: bob, rateeId: alice, stars: 4, comment: 'as described' }]);

    const profile = await e2e.discord.slash(guildId, mallory, 'cards', { member: alice }, { subcommand: 'profile' }).waitForResponse();
    expect(embedOf(profile).title).toMatch(/Bronze trader$/);
    expect(JSON.stringify(embedOf(profile).fields)).toContain('4.00 ★ (1)');
  });
});
