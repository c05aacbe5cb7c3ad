import { InteractionResponseType } from 'discord-api-types/v10';
import type { InteractionHandle } from '../fakes/discord';
import { startFakeScryfall, type FakeScryfall } from '../fakes/scryfall';
import { startE2E, type E2E } from '../e2e/harness';
import { switchFeatures } from '../../lib/feature-switches';

/**
 * What a member sees while typing `/cards price card:…`: the autocomplete interaction goes through the
 * fake Discord to the bot, which answers with the catalog's names (fake Scryfall behind the production
 * client); and the guild's `cards` switch: off, /cards answers one line and suggests nothing.
 */
describe('/cards autocomplete and the cards switch, through the fake Discord', () => {
  let e2e: E2E;
  let scryfall: FakeScryfall;
  let guildId: string;
  let member: string;

  beforeAll(async () => {
    scryfall = await startFakeScryfall();
    e2e = await startE2E({ env: { SCRYFALL_API_URL: scryfall.url } });
    guildId = e2e.demo.guild.id;
    const u = e2e.discord.createUser({ username: 'typist' });
    e2e.discord.addMember(guildId, u.id);
    member = u.id;
  }, 240_000);
  afterAll(async () => {
    await e2e?.close();
    await scryfall?.close();
  });

  const typing = (typed: string, field = 'card') => e2e.discord.autocomplete(guildId, member, 'cards', field, typed, {}, { subcommand: 'price' });
  /** The choices the bot answered the interaction with (Discord's autocomplete result callback). */
  const choicesOf = async (h: InteractionHandle) => {
    const r = await h.waitForResponse(15_000);
    expect(r.type).toBe(InteractionResponseType.ApplicationCommandAutocompleteResult);
    return (r.data as { choices: { name: string; value: string }[] }).choices;
  };

  it('answers the names the catalog has for what was typed: prefix matches first, then names that contain it', async () => {
    expect(await choicesOf(typing('baneslay'))).toEqual([{ name: 'Baneslayer Angel', value: 'Baneslayer Angel' }]);
    const titans = await choicesOf(typing('TITAN'));
    expect(titans.map((c) => c.value)).toEqual(['Grave Titan', 'Inferno Titan', 'Jareth, Leonine Titan', 'Primeval Titan', "Uro, Titan of Nature's Wrath"]);
    // One letter is too little to search: nothing is suggested.
    expect(await choicesOf(typing('b'))).toEqual([]);
    // Asked again, the answer comes from the cache: no new Scryfall request.
    const before = scryfall.requestCount('/cards/autocomplete');
    expect((await choicesOf(typing('baneslay'))).map((c) => c.value)).toEqual(['Baneslayer Angel']);
    expect(scryfall.requestCount('/cards/autocomplete')).toBe(before);
  }, 120_000);

  it('with the cards switch off: /cards price answers the one-line refusal and autocomplete suggests nothing', async () => {
    await switchFeatures(e2e.prisma, guildId, { cards: false }, { actorType: 'system', actorId: 'test' });
    try {
      const price = e2e.discord.slash(guildId, member, 'cards', { card: 'Baneslayer Angel' }, { subcommand: 'price' });
      const refusal = await e2e.discord.waitFor(
        () => price.responses().find((r) => /Card trading is switched off in this server/.test(JSON.stringify(r.data))),
        15_000,
        'the switched-off refusal',
      );
      expect(refusal.ephemeral).toBe(true);
      expect(await choicesOf(typing('baneslay'))).toEqual([]);
    } finally {
      await switchFeatures(e2e.prisma, guildId, { cards: true }, { actorType: 'system', actorId: 'test' });
    }
    expect((await choicesOf(typing('baneslay'))).map((c) => c.value)).toEqual(['Baneslayer Angel']);
  }, 120_000);
});
