import { traderProfile } from '../../activities/card-trades';
import { cardTradeStatusQuery, type CardTradeState } from '../../lib/flows/card-trades';
import { confirmTradeReceipt, disputeTrade, readTradeStatus, resolveTradeDispute, respondToTrade, wakeTradeEscrow } from '../../lib/flows/card-trades.client';
import { FlowRefusedError } from '../../lib/flows/client';
import { waitFor } from '../../lib/wait';
import { itemOf, newMember, ownCard, propose, StandInEscrow, startTradeEnv, type TradeEnv } from './helpers';

/**
 * The trade flow at worker level: real workflow bundle and activities, test database, fake Discord.
 * Assertions are on collection rows (quantity, reserved), the proposal row, DMs and the flow's state.
 */
describe('card trade workflow', () => {
  let env: TradeEnv;
  let worker: { stop(): Promise<void> };
  const escrow = new StandInEscrow();

  beforeAll(async () => {
    env = await startTradeEnv();
    worker = await env.startWorker({ escrow });
    // A database, a workflow bundle and a worker on a loaded machine.
  }, 180_000);
  afterAll(() => env?.close(), 60_000);

  const t = () => env.temporal.client;
  const proposalRow = (id: string) => env.prisma.cardTradeProposal.findUniqueOrThrow({ where: { id } });
  const stateOf = (id: string) => t().workflow.getHandle(`card-trade:${id}`).query(cardTradeStatusQuery);
  const waitForState = (id: string, ok: (s: CardTradeState) => boolean, what: string) =>
    waitFor(async () => {
      const s = await stateOf(id);
      return ok(s) ? s : null;
    }, { timeoutMs: 30_000, what });
  const resultOf = (id: string) => t().workflow.getHandle(`card-trade:${id}`).result() as Promise<CardTradeState>;
  const receiverItem = (userId: string, fromItemId: string) =>
    itemOf(env, fromItemId).then((giver) =>
      env.prisma.cardCollectionItem.findUnique({ where: { userId_printingId_condition_finish_language: { userId, printingId: giver.printingId, condition: giver.condition, finish: giver.finish, language: giver.language } } }),
    );

  it('propose → counter → accept → both confirm → completed: cards moved, reputation +1 each, everyone told', async () => {
    const alice = newMember(env, 'alice');
    const bob = newMember(env, 'bob');
    const bolt = await ownCard(env, alice, 4, 'Lightning Bolt');
    const ring = await ownCard(env, bob, 1, 'Sol Ring');
    const opened = await propose(env, { proposerId: alice, recipientId: bob, terms: { offered: [{ collectionItemId: bolt, quantity: 3 }], asked: [{ collectionItemId: ring, quantity: 1 }], message: 'bolts for your ring?' } });
    expect(opened.ok).toBe(true);
    const id = opened.proposalId;
    expect((await itemOf(env, bolt)).reserved).toBe(3);
    const received = await env.discord.waitFor(() => env.discord.dms(bob).find((m) => m.embeds[0]?.footer?.text?.includes(id)), 10_000, 'the proposal DM');
    expect(received.embeds[0]?.title).toBe('New trade proposal');
    expect(received.embeds[0]?.description).toContain('3 × Lightning Bolt');

    // Bob counters: 2 bolts only. Alice's 3 are released, Bob's ring reserved, the turn is Alice's.
    const countered = await respondToTrade(t(), id, { userId: bob, action: 'counter', terms: { offered: [{ collectionItemId: ring, quantity: 1 }], asked: [{ collectionItemId: bolt, quantity: 2 }] } });
    expect(countered).toMatchObject({ ok: true, status: 'proposed' });
    expect((await itemOf(env, bolt)).reserved).toBe(0);
    expect((await itemOf(env, ring)).reserved).toBe(1);
    expect(await proposalRow(id)).toMatchObject({ version: 2, offererId: bob, turnUserId: alice });
    await env.discord.waitFor(() => env.discord.dms(alice).find((m) => m.embeds[0]?.title === 'Trade countered'), 10_000, 'the counter DM');

    // Bob cannot answer his own counter; Alice accepts, her 2 bolts are reserved too.
    await expect(respondToTrade(t(), id, { userId: bob, action: 'accept' })).rejects.toThrow(/not your turn/);
    expect(await respondToTrade(t(), id, { userId: alice, action: 'accept' })).toMatchObject({ ok: true, status: 'accepted' });
    expect((await itemOf(env, bolt)).reserved).toBe(2);

    expect(await confirmTradeReceipt(t(), id, alice)).toMatchObject({ ok: true });
    await expect(confirmTradeReceipt(t(), id, alice)).rejects.toThrow(/already confirmed/);
    await confirmTradeReceipt(t(), id, bob);
    const end = await resultOf(id);
    expect(end).toMatchObject({ status: 'completed', version: 2 });

    expect(await itemOf(env, bolt)).toMatchObject({ quantity: 2, reserved: 0 });
    expect(await itemOf(env, ring)).toMatchObject({ quantity: 0, reserved: 0 });
    expect(await receiverItem(bob, bolt)).toMatchObject({ quantity: 2, reserved: 0, condition: 'NM', finish: 'foil' });
    expect(await receiverItem(alice, ring)).toMatchObject({ quantity: 1, reserved: 0 });
    expect(await proposalRow(id)).toMatchObject({ status: 'completed' });
    expect(await env.prisma.cardTradeReservation.count({ where: { proposalId: id, consumedAt: null, releasedAt: null } })).toBe(0);
    expect((await traderProfile(env.prisma, alice)).completedTrades).toBe(1);
    expect((await traderProfile(env.prisma, bob)).completedTrades).toBe(1);
    await env.discord.waitFor(() => env.discord.dms(alice).find((m) => m.embeds[0]?.title === 'Trade completed'), 10_000, 'the completed DM');

    const status = await readTradeStatus(t(), id);
    expect(status).toMatchObject({ status: 'COMPLETED', state: { status: 'completed' } });
    const d = await t().workflow.getHandle(`card-trade:${id}`).describe();
    expect(d.searchAttributes).toMatchObject({ GuildId: [env.demo.guild.id], DiscordUserId: [alice], FlowKind: ['card-trade'] });
  });

  it('a card offered beyond its free copies is refused clearly and nothing is reserved', async () => {
    const alice = newMember(env, 'alice');
    const bob = newMember(env, 'bob');
    const carol = newMember(env, 'carol');
    const card = await ownCard(env, alice, 2);
    const first = await propose(env, { proposerId: alice, recipientId: bob, terms: { offered: [{ collectionItemId: card, quantity: 2 }], asked: [] } });
    expect(first.ok).toBe(true);
    const second = await propose(env, { proposerId: alice, recipientId: carol, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    expect(second).toMatchObject({ ok: false, status: 'refused' });
    expect(second.message).toMatch(/Not enough copies .*1 wanted, 0 not already promised/);
    expect(await itemOf(env, card)).toMatchObject({ quantity: 2, reserved: 2 });
    expect(await env.prisma.cardTradeProposal.count({ where: { id: second.proposalId } })).toBe(0);
    // The first proposal's cancel frees them.
    expect(await respondToTrade(t(), first.proposalId, { userId: alice, action: 'cancel' })).toMatchObject({ ok: true, status: 'cancelled' });
    expect(await itemOf(env, card)).toMatchObject({ reserved: 0 });
  });

  it('accept and decline at the same moment: exactly one outcome', async () => {
    const alice = newMember(env, 'alice');
    const bob = newMember(env, 'bob');
    const card = await ownCard(env, alice, 1);
    const { proposalId } = await propose(env, { proposerId: alice, recipientId: bob, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    const answers = await Promise.allSettled([respondToTrade(t(), proposalId, { userId: bob, action: 'accept' }), respondToTrade(t(), proposalId, { userId: bob, action: 'decline' })]);
    const ok = answers.filter((a) => a.status === 'fulfilled' && a.value.ok);
    const refused = answers.filter((a) => a.status === 'rejected' || !a.value.ok);
    expect(ok).toHaveLength(1);
    expect(refused).toHaveLength(1);
    const row = await proposalRow(proposalId);
    const state = await stateOf(proposalId);
    expect(['accepted', 'declined']).toContain(row.status);
    expect(state.status).toBe(row.status);
    expect((await itemOf(env, card)).reserved).toBe(row.status === 'accepted' ? 1 : 0);
  });

  it('only the party whose turn it is answers; only the proposer cancels; strangers are refused', async () => {
    const alice = newMember(env, 'alice');
    const bob = newMember(env, 'bob');
    const mallory = newMember(env, 'mallory');
    const card = await ownCard(env, alice, 1);
    const { proposalId } = await propose(env, { proposerId: alice, recipientId: bob, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    await expect(respondToTrade(t(), proposalId, { userId: alice, action: 'accept' })).rejects.toBeInstanceOf(FlowRefusedError);
    await expect(respondToTrade(t(), proposalId, { userId: mallory, action: 'decline' })).rejects.toThrow(/Only the two members/);
    await expect(respondToTrade(t(), proposalId, { userId: bob, action: 'cancel' })).rejects.toThrow(/Only the member who proposed/);
    await expect(confirmTradeReceipt(t(), proposalId, bob)).rejects.toThrow(/no receipt to confirm/);
    expect(await proposalRow(proposalId)).toMatchObject({ status: 'proposed', version: 1 });
    await respondToTrade(t(), proposalId, { userId: alice, action: 'cancel' });
  });

  it('expiry releases the reservations after a reminder (durations from the input)', async () => {
    const alice = newMember(env, 'alice');
    const bob = newMember(env, 'bob');
    const card = await ownCard(env, alice, 3);
    const { proposalId } = await propose(env, { proposerId: alice, recipientId: bob, expirySeconds: 4, reminderSeconds: 2, terms: { offered: [{ collectionItemId: card, quantity: 2 }], asked: [] } });
    expect((await itemOf(env, card)).reserved).toBe(2);
    const end = await resultOf(proposalId);
    expect(end.status).toBe('expired');
    expect(await itemOf(env, card)).toMatchObject({ quantity: 3, reserved: 0 });
    expect(await proposalRow(proposalId)).toMatchObject({ status: 'expired' });
    expect(env.discord.dms(bob).some((m) => m.embeds[0]?.title === 'Trade proposal expiring soon' && m.embeds[0]?.footer?.text?.includes(proposalId))).toBe(true);
    await env.discord.waitFor(() => env.discord.dms(alice).find((m) => m.embeds[0]?.title === 'Trade proposal expired' && m.embeds[0]?.footer?.text?.includes(proposalId)), 10_000, 'the expiry DM');
    await expect(respondToTrade(t(), proposalId, { userId: bob, action: 'accept' })).rejects.toThrow(/over/);
  });

  it('dispute stops completion until a moderator resolves it; the loser counts against reputation', async () => {
    const alice = newMember(env, 'alice');
    const bob = newMember(env, 'bob');
    const card = await ownCard(env, alice, 1);
    const wanted = await ownCard(env, bob, 1);
    const { proposalId } = await propose(env, { proposerId: alice, recipientId: bob, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [{ collectionItemId: wanted, quantity: 1 }] } });
    await respondToTrade(t(), proposalId, { userId: bob, action: 'accept' });
    await confirmTradeReceipt(t(), proposalId, alice);
    expect(await disputeTrade(t(), proposalId, bob, 'The card arrived damaged')).toMatchObject({ ok: true, status: 'disputed' });
    await expect(confirmTradeReceipt(t(), proposalId, bob)).rejects.toThrow(/disputed/);
    const notice = await env.discord.waitFor(() => env.discord.messages(env.demo.channels.adminLog.id).find((m) => m.embeds[0]?.footer?.text?.includes(proposalId)), 10_000, 'the admin log');
    expect(notice.embeds[0]?.description).toContain('arrived damaged');

    const resolution = { guildId: env.demo.guild.id, moderatorId: env.demo.owner.id, level: 'mod' as const, outcome: 'cancel' as const, loserId: alice, note: 'seller shipped a damaged card' };
    await expect(resolveTradeDispute(t(), proposalId, { ...resolution, level: 'user' })).rejects.toThrow(/Only moderators/);
    await expect(resolveTradeDispute(t(), proposalId, { ...resolution, guildId: '1' })).rejects.toThrow(/another server/);
    expect(await resolveTradeDispute(t(), proposalId, resolution)).toMatchObject({ ok: true, status: 'cancelled' });
    const end = await resultOf(proposalId);
    expect(end.status).toBe('cancelled');
    expect(await itemOf(env, card)).toMatchObject({ quantity: 1, reserved: 0 });
    expect(await itemOf(env, wanted)).toMatchObject({ quantity: 1, reserved: 0 });
    expect(await env.prisma.cardTradeDispute.findUniqueOrThrow({ where: { proposalId } })).toMatchObject({ status: 'resolved', outcome: 'cancel', loserId: alice, resolvedBy: env.demo.owner.id });
    expect(await traderProfile(env.prisma, alice)).toMatchObject({ disputesLost: 1, completedTrades: 0, tier: 'New' });
  });

  it('the completion step failing then succeeding: cards moved exactly once', async () => {
    await worker.stop();
    let failures = 0;
    const flaky = await env.startWorker({
      escrow,
      wrap: (a) => {
        const real = a.cardTradeComplete as (i: { proposalId: string }) => Promise<unknown>;
        a.cardTradeComplete = async (i: { proposalId: string }) => {
          // The first attempt moves the cards and then loses its reply; the next fails outright.
          if (failures === 0) {
            failures += 1;
            await real(i);
            throw new Error('connection reset after commit');
          }
          if (failures === 1) {
            failures += 1;
            throw new Error('database unavailable');
          }
          return real(i);
        };
      },
    });
    try {
      const alice = newMember(env, 'alice');
      const bob = newMember(env, 'bob');
      const card = await ownCard(env, alice, 5);
      const { proposalId } = await propose(env, { proposerId: alice, recipientId: bob, terms: { offered: [{ collectionItemId: card, quantity: 2 }], asked: [] } });
      await respondToTrade(t(), proposalId, { userId: bob, action: 'accept' });
      await confirmTradeReceipt(t(), proposalId, alice);
      await confirmTradeReceipt(t(), proposalId, bob);
      expect((await resultOf(proposalId)).status).toBe('completed');
      expect(failures).toBe(2);
      expect(await itemOf(env, card)).toMatchObject({ quantity: 3, reserved: 0 });
      expect(await receiverItem(bob, card)).toMatchObject({ quantity: 2 });
    } finally {
      await flaky.stop();
      worker = await env.startWorker({ escrow });
    }
  });

  it('a worker restart mid-proposal: the proposal waits, the next worker carries it on', async () => {
    const alice = newMember(env, 'alice');
    const bob = newMember(env, 'bob');
    const card = await ownCard(env, alice, 1);
    const { proposalId } = await propose(env, { proposerId: alice, recipientId: bob, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    await worker.stop();
    worker = await env.startWorker({ escrow });
    expect(await respondToTrade(t(), proposalId, { userId: bob, action: 'accept' })).toMatchObject({ ok: true });
    await confirmTradeReceipt(t(), proposalId, alice);
    await confirmTradeReceipt(t(), proposalId, bob);
    expect((await resultOf(proposalId)).status).toBe('completed');
    expect(await receiverItem(bob, card)).toMatchObject({ quantity: 1 });
  });

  describe('cash through the escrow stand-ins', () => {
    it('held only after our check says held; released on completion', async () => {
      escrow.status = 'pending';
      const alice = newMember(env, 'alice');
      const bob = newMember(env, 'bob');
      const card = await ownCard(env, alice, 1);
      const { proposalId } = await propose(env, {
        proposerId: alice,
        recipientId: bob,
        escrowCheckSeconds: 60,
        terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [], cashCents: 1500, cashPayerId: bob },
      });
      await respondToTrade(t(), proposalId, { userId: bob, action: 'accept' });
      // The escrow's open call itself, then the flow's state that shows its pay link.
      const open = await waitFor(() => escrow.named('open').find((c) => (c.input as { proposalId: string }).proposalId === proposalId), { timeoutMs: 30_000, what: 'the escrow opened' });
      expect(open.input).toMatchObject({ proposalId, payerId: bob, payeeId: alice, amountCents: 1500, currency: 'usd' });
      const pending = await waitForState(proposalId, (s) => s.escrow === 'pending', 'the flow to show the open escrow');
      expect(pending.payUrl).toBe(`https://pay.example/${proposalId}`);
      // A signal alone proves nothing: the check still says pending.
      const checks = escrow.named('check').length;
      await wakeTradeEscrow(t(), proposalId);
      await waitFor(() => escrow.named('check').length > checks, { timeoutMs: 10_000, what: 'a check after the signal' });
      expect((await stateOf(proposalId)).escrow).toBe('pending');
      await expect(confirmTradeReceipt(t(), proposalId, alice)).rejects.toThrow(/not paid yet/);
      escrow.status = 'held';
      await wakeTradeEscrow(t(), proposalId);
      await waitForState(proposalId, (s) => s.escrow === 'held', 'the escrow held');
      await confirmTradeReceipt(t(), proposalId, alice);
      await confirmTradeReceipt(t(), proposalId, bob);
      expect(await resultOf(proposalId)).toMatchObject({ status: 'completed', escrow: 'released' });
      expect(escrow.named('release').map((c) => c.input)).toEqual([{ proposalId }]);
      expect(escrow.named('refund').filter((c) => (c.input as { proposalId: string }).proposalId === proposalId)).toHaveLength(0);
    });

    it('refunded when nothing is paid before the expiry', async () => {
      escrow.status = 'pending';
      const alice = newMember(env, 'alice');
      const bob = newMember(env, 'bob');
      const card = await ownCard(env, alice, 1);
      const { proposalId } = await propose(env, {
        proposerId: alice,
        recipientId: bob,
        expirySeconds: 3,
        escrowCheckSeconds: 1,
        terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [], cashCents: 700, cashPayerId: bob },
      });
      await respondToTrade(t(), proposalId, { userId: bob, action: 'accept' });
      expect(await resultOf(proposalId)).toMatchObject({ status: 'expired', escrow: 'refunded' });
      expect(escrow.named('refund').filter((c) => (c.input as { proposalId: string }).proposalId === proposalId)).toHaveLength(1);
      expect(await itemOf(env, card)).toMatchObject({ quantity: 1, reserved: 0 });
    });
  });
});
