import type { APIActionRowComponent, APIButtonComponentWithCustomId, APIEmbed } from 'discord-api-types/v10';
import { REST, Routes } from 'discord.js';
import { createCardCatalog, type CardCatalog } from '../../activities/cards/catalog';
import { addHave, addWant } from '../../activities/cards/lists';
import { matchTerms, type TermLine } from '../../activities/cards/match-terms';
import { createApiToken } from '../../lib/api-tokens';
import { customId } from '../../lib/discord/custom-id';
import { closeDiscordRest } from '../../lib/discord/rest';
import { createScryfallClient } from '../../lib/scryfall/client';
import { waitFor } from '../../lib/wait';
import { snowflake } from '../helpers/ledger';
import { startE2E, type E2E } from '../e2e/harness';
import type { InteractionHandle, MessageRecord, ModalRecord } from '../fakes/discord';
import { startFakeScryfall, type FakeScryfall } from '../fakes/scryfall';
import { startFakeStripe, type FakeStripe } from '../fakes/stripe';

/**
 * Proposing from a match, through the fake Discord, the bot, Temporal and the database: /cards matches
 * shows a Propose button per match in this server; it opens the terms form filled with the match's
 * suggested terms, and submitting it proposes as /cards propose does (lines as rows, offered copies
 * reserved). The button's and the form's ids are client data: another member's page, a member of
 * another server, a match that no longer holds are refused and change nothing. The API answers the same
 * terms, which POST /card-trades proposes as they stand.
 */
describe('propose from a match', () => {
  let e2e: E2E;
  let scryfall: FakeScryfall;
  let stripe: FakeStripe;
  let catalog: CardCatalog;
  let guildId: string;
  let seq = 0;

  beforeAll(async () => {
    [scryfall, stripe] = await Promise.all([startFakeScryfall(), startFakeStripe({ secretKey: 'sk_test_match_terms', webhookSecret: 'whsec_match_terms' })]);
    // Escrow on (the fake Stripe), so terms with cash are proposed, not refused.
    e2e = await startE2E({ env: { SCRYFALL_API_URL: scryfall.url, STRIPE_SECRET_KEY: 'sk_test_match_terms', STRIPE_WEBHOOK_SECRET: 'whsec_match_terms', STRIPE_API_URL: stripe.url } });
    guildId = e2e.demo.guild.id;
    catalog = createCardCatalog({ prisma: e2e.prisma, scryfall: createScryfallClient({ baseUrl: scryfall.url }) });
    // The whole stack on a loaded machine.
  }, 180_000);
  afterAll(async () => {
    await e2e?.close();
    await Promise.all([scryfall?.close(), stripe?.close()]);
  });

  const embedOf = (m: MessageRecord | undefined): APIEmbed => m?.embeds[0] ?? {};
  const buttons = (m: MessageRecord | undefined) => (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components ?? []);
  const answer = async (h: InteractionHandle) => {
    await h.waitForResponse();
    return e2e.discord.waitFor(() => (h.original()?.embeds.length ? h.original() : undefined), 20_000, 'the answer');
  };
  /** The refusal the router answers with (its words anywhere in the answer). */
  const refusal = (h: InteractionHandle, words: RegExp) =>
    e2e.discord.waitFor(() => [...h.responses().map((r) => JSON.stringify(r.data)), JSON.stringify(h.original() ?? {})].find((t) => words.test(t)), 20_000, `the refusal ${words}`);
  const prefilled = (modal: ModalRecord): Record<string, string> =>
    Object.fromEntries(
      modal.components.flatMap((row) => ((row as { components?: { custom_id: string; value?: string }[] }).components ?? []).map((c) => [c.custom_id, c.value ?? ''])),
    );
  async function member(name: string): Promise<string> {
    const u = e2e.discord.createUser({ username: `${name}${++seq}` });
    e2e.discord.addMember(guildId, u.id);
    await waitFor(() => e2e.prisma.member.findUnique({ where: { guildId_userId: { guildId, userId: u.id } } }), { timeoutMs: 20_000, what: `member ${name} in the directory` });
    return u.id;
  }
  /** Goyf-for-Snapcaster lists: `a` wants 2 Tarmogoyf and has Snapcasters; `b` the other way round. */
  async function matchingPair(a: string, b: string, aSnaps = 3) {
    const [goyf, snap] = await Promise.all([catalog.printing('fut', '153'), catalog.printing('isd', '78')]);
    await addWant(e2e.prisma, a, { printing: goyf, quantity: 2, priority: 5 });
    const snapItem = (await addHave(e2e.prisma, a, { printing: snap, quantity: aSnaps, condition: 'NM' })).itemId;
    await addWant(e2e.prisma, b, { printing: snap, quantity: 3, anyPrinting: true });
    const goyfItem = (await addHave(e2e.prisma, b, { printing: goyf, quantity: 2, condition: 'NM' })).itemId;
    return { snapItem, goyfItem };
  }
  const lineText = (ls: TermLine[]) => ls.map((l) => `${l.collectionItemId}x${l.quantity}`).join(', ');
  const counts = async () => ({
    proposals: await e2e.prisma.cardTradeProposal.count(),
    reserved: (await e2e.prisma.cardCollectionItem.aggregate({ _sum: { reserved: true } }))._sum.reserved ?? 0,
  });

  it('Propose on a match opens the form with its terms; submitted, it proposes them and reserves my copies; forged ids are refused', async () => {
    const me = await member('frank');
    const alice = await member('alice');
    const mallory = await member('mallory');
    const { snapItem, goyfItem } = await matchingPair(me, alice);
    // One of my 3 Snapcasters is promised elsewhere: 2 are free, and alice wants 3.
    await e2e.prisma.cardCollectionItem.update({ where: { id: snapItem }, data: { reserved: 1 } });
    // Outsider matches me too, but in another server only.
    const outsider = e2e.discord.createUser({ username: `outsider${++seq}` }).id;
    const elsewhere = snowflake();
    await e2e.prisma.guild.create({ data: { id: elsewhere, name: 'Elsewhere', ownerId: outsider } });
    await e2e.prisma.member.createMany({ data: [{ guildId: elsewhere, userId: me }, { guildId: elsewhere, userId: outsider }] });
    await addWant(e2e.prisma, outsider, { printing: await catalog.printing('isd', '78'), quantity: 1 });
    await addHave(e2e.prisma, outsider, { printing: await catalog.printing('fut', '153'), quantity: 1 });

    const suggested = await matchTerms(e2e.prisma, { userId: me, otherUserId: alice });
    expect(lineText(suggested.offered)).toBe(`${snapItem}x2`);
    expect(lineText(suggested.asked)).toBe(`${goyfItem}x2`);
    // 2 × $18.00 offered, 2 × $9.00 asked: alice pays $18.00.
    expect(suggested).toMatchObject({ offeredValueCents: 3600, askedValueCents: 1800, cashCents: 1800, cashPayerId: alice });

    const page = await answer(e2e.discord.slash(guildId, me, 'cards', {}, { subcommand: 'matches' }));
    expect(embedOf(page).description).toContain(`<@${outsider}>** · score`);
    expect(embedOf(page).description).toMatch(/in another server: propose from there/);
    const propose = buttons(page).filter((b) => b.label?.startsWith('Propose'));
    // Only alice is in this server: one Propose button, for her.
    expect(propose.map((b) => b.custom_id)).toEqual([customId('cards-match-propose', `${me}:${alice}`)]);
    const before = await counts();

    // Another member pressing my page's button: refused, no form.
    const stolen = e2e.discord.clickButton(page!, propose[0]!.custom_id, mallory);
    await refusal(stolen, /another member’s matches/);
    expect(stolen.modal()).toBeUndefined();

    // A button naming a member of another server (a tampered client): refused, no form.
    const rest = new REST({ api: e2e.discord.restUrl, retries: 0 }).setToken(e2e.discord.token);
    const forgedKey = `${me}:${outsider}`;
    const forged = (await rest.post(Routes.channelMessages(e2e.demo.channels.general), {
      body: { content: 'stale', components: [{ type: 1, components: [{ type: 2, style: 1, label: 'Propose', custom_id: customId('cards-match-propose', forgedKey) }] }] },
    })) as { id: string };
    closeDiscordRest(rest);
    const outside = e2e.discord.clickButton(forged.id, customId('cards-match-propose', forgedKey), me);
    await refusal(outside, /is not a member of this server/);
    expect(outside.modal()).toBeUndefined();
    // The form's id forged too (to the outsider, or as if mallory owned my page): refused, nothing proposed.
    const typed = { offer: `${snapItem}x1`, ask: '', cash: '', payer: '', message: 'forged' };
    await refusal(e2e.discord.submitModal(forged.id, customId('cards-match-form', forgedKey), me, typed), /is not a member of this server/);
    await refusal(e2e.discord.submitModal(forged.id, customId('cards-match-form', `${me}:${alice}`), mallory, typed), /another member’s matches/);
    expect(await counts()).toEqual(before);

    // The real thing: the form shows the suggested terms in /cards propose's words.
    const open = e2e.discord.clickButton(page!, propose[0]!.custom_id, me);
    const modal = await e2e.discord.waitFor(() => open.modal(), 20_000, 'the terms form');
    const values = prefilled(modal);
    expect(values).toEqual({ offer: `${snapItem}x2`, ask: `${goyfItem}x2`, cash: '18.00', payer: 'them', message: 'From our match: my Snapcaster Mage ×2 for your Tarmogoyf ×2.' });

    const submitted = e2e.discord.submitModal(open, modal.customId, me, values);
    expect(embedOf(await answer(submitted)).title).toBe('Trade proposed');
    const proposalId = submitted.id;
    expect(await e2e.prisma.cardTradeProposal.findUniqueOrThrow({ where: { id: proposalId } })).toMatchObject({
      guildId,
      proposerId: me,
      recipientId: alice,
      status: 'proposed',
      cashCents: suggested.cashCents,
      cashPayerId: alice,
      message: values.message,
    });
    const rows = await e2e.prisma.cardTradeLine.findMany({ where: { proposalId, version: 1 }, orderBy: { collectionItemId: 'asc' } });
    const expected = [...suggested.offered.map((l) => ({ fromUserId: me, ...l })), ...suggested.asked.map((l) => ({ fromUserId: alice, ...l }))]
      .map((l) => ({ fromUserId: l.fromUserId, collectionItemId: BigInt(l.collectionItemId), quantity: l.quantity }))
      .sort((a, b) => (a.collectionItemId < b.collectionItemId ? -1 : 1));
    expect(rows.map((r) => ({ fromUserId: r.fromUserId, collectionItemId: r.collectionItemId, quantity: r.quantity }))).toEqual(expected);
    // My two free copies are now reserved (3 of 3); alice's are reserved only if she accepts.
    expect((await e2e.prisma.cardCollectionItem.findUniqueOrThrow({ where: { id: snapItem } })).reserved).toBe(3);
    expect((await e2e.prisma.cardCollectionItem.findUniqueOrThrow({ where: { id: goyfItem } })).reserved).toBe(0);

    // Every Snapcaster of mine is promised now: the match no longer holds, and the button says so.
    const again = e2e.discord.clickButton(page!, propose[0]!.custom_id, me);
    await refusal(again, /no longer match both ways/);
    expect(again.modal()).toBeUndefined();
    expect(await e2e.prisma.cardTradeProposal.count()).toBe(before.proposals + 1);
  }, 240_000);

  it('the API answers the same terms, and POST /card-trades proposes them as they stand', async () => {
    const erin = await member('erin');
    const dave = await member('dave');
    const { snapItem } = await matchingPair(erin, dave);
    const token = async (userId: string) => (await createApiToken(e2e.prisma, { guildId, name: `member ${userId}`, level: 'user', createdBy: `discord:${userId}`, creatorLevel: 'owner' })).token;
    const call = async (t: string, method: string, path: string, body?: unknown) => {
      const res = await fetch(`${e2e.apiUrl}/api/guilds/${guildId}${path}`, {
        method,
        headers: { authorization: `Bearer ${t}`, ...(body ? { 'content-type': 'application/json' } : {}) },
        body: body ? JSON.stringify(body) : undefined,
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- bodies are checked field by field
      return { status: res.status, body: (await res.json()) as any };
    };
    const erinToken = await token(erin);
    const got = await call(erinToken, 'GET', `/cards/members/${erin}/matches/${dave}/terms`);
    expect(got.status).toBe(200);
    const suggested = await matchTerms(e2e.prisma, { userId: erin, otherUserId: dave });
    expect(got.body).toEqual({
      recipientId: dave,
      offered: suggested.offered.map(({ setCode, collectorNumber, ...l }) => ({ ...l, set: setCode, number: collectorNumber })),
      asked: suggested.asked.map(({ setCode, collectorNumber, ...l }) => ({ ...l, set: setCode, number: collectorNumber })),
      offeredValueCents: 5400,
      askedValueCents: 1800,
      cashCents: 3600,
      cashPayer: 'them',
    });
    // Another plain member may not read erin's terms.
    expect((await call(await token(dave), 'GET', `/cards/members/${erin}/matches/${dave}/terms`)).status).toBe(403);

    const proposed = await call(erinToken, 'POST', '/card-trades', { ...got.body, message: 'from the API', requestId: 'match-terms' });
    expect(proposed.status).toBe(201);
    const lines = await e2e.prisma.cardTradeLine.findMany({ where: { proposalId: proposed.body.proposalId }, orderBy: { collectionItemId: 'asc' } });
    expect(lines.map((l) => [l.fromUserId, String(l.collectionItemId), l.quantity])).toEqual(
      [...suggested.offered.map((l) => [erin, l.collectionItemId, l.quantity]), ...suggested.asked.map((l) => [dave, l.collectionItemId, l.quantity])].sort((a, b) =>
        BigInt(a[1]!) < BigInt(b[1]!) ? -1 : 1,
      ),
    );
    expect(await e2e.prisma.cardTradeProposal.findUniqueOrThrow({ where: { id: proposed.body.proposalId } })).toMatchObject({ cashCents: 3600, cashPayerId: dave });
    expect((await e2e.prisma.cardCollectionItem.findUniqueOrThrow({ where: { id: snapItem } })).reserved).toBe(3);
    // All of erin's copies promised: no match any more.
    expect((await call(erinToken, 'GET', `/cards/members/${erin}/matches/${dave}/terms`)).body.error.code).toBe('no_match');
  }, 240_000);
});
