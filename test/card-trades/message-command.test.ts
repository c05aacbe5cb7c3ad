import type { APIEmbed } from 'discord-api-types/v10';
import type { InteractionHandle } from '../fakes/discord';
import { startE2E, type E2E } from '../e2e/harness';

/**
 * `/cards trade message` through the fake Discord, the bot, Temporal and the database: a party's message is
 * recorded and relayed to the other party by DM; a member who is not a party is refused and nobody is told.
 */
describe('/cards trade message', () => {
  let e2e: E2E;
  let guildId: string;
  let seq = 0;

  beforeAll(async () => {
    e2e = await startE2E();
    guildId = e2e.demo.guild.id;
    // The whole stack on a loaded machine.
  }, 180_000);
  afterAll(() => e2e?.close());

  const answer = async (h: InteractionHandle) => {
    await h.waitForResponse();
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
  const message = (userId: string, trade: string, text: string) => e2e.discord.slash(guildId, userId, 'cards', { trade, text }, { subcommandGroup: 'trade', subcommand: 'message' });

  it('a party writes: the other party gets it by DM; a stranger is refused', async () => {
    const alice = member('alice');
    const bob = member('bob');
    const mallory = member('mallory');
    const printingId = `p-msg-${alice}`;
    await e2e.prisma.cardPrinting.create({ data: { id: printingId, name: 'Mox Pearl', setCode: 'lea', setName: 'Alpha', collectorNumber: '1', rarity: 'rare', finishes: ['nonfoil'], fetchedAt: new Date() } });
    const item = (await e2e.prisma.cardCollectionItem.create({ data: { userId: alice, printingId, quantity: 1, condition: 'NM' } })).id.toString();
    const proposed = e2e.discord.slash(guildId, alice, 'cards', { member: bob, offer: item }, { subcommand: 'propose' });
    expect((await answer(proposed)).title).toBe('Trade proposed');
    const proposalId = proposed.id;

    expect((await answer(message(bob, proposalId, 'Does it come sleeved?'))).title).toBe('Message sent');
    const dm = await e2e.discord.waitFor(() => e2e.discord.dms(alice).find((m) => m.embeds[0]?.title === 'New message about your trade'), 20_000, 'the relayed DM');
    expect(dm.embeds[0]?.description).toContain('Does it come sleeved?');
    expect(dm.embeds[0]?.description).toContain(`<@${bob}> wrote`);

    const refused = await answer(message(mallory, proposalId, 'sell it to me'));
    expect(refused.description).toMatch(/There is no trade proposal/);
    expect(await e2e.prisma.cardTradeMessage.findMany({ where: { proposalId }, select: { authorId: true } })).toEqual([{ authorId: bob }]);
    expect(e2e.discord.dms(bob).filter((m) => m.embeds[0]?.title === 'New message about your trade')).toHaveLength(0);
  }, 180_000);
});
