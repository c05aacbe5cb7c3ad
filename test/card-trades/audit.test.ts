import { randomUUID } from 'node:crypto';
import {
  acceptProposal,
  completeTrade,
  confirmReceipt,
  counterProposal,
  endProposal,
  openDispute,
  openProposal,
  rateTrade,
  resolveDispute,
} from '../../activities/card-trades';
import type { CardTradeState } from '../../lib/flows/card-trades';
import { confirmTradeReceipt, disputeTrade, resolveTradeDispute, respondToTrade } from '../../lib/flows/card-trades.client';
import { newMember, ownCard, propose, startTradeEnv, type TradeEnv } from './helpers';

/**
 * The card trade audit trail: one `card_trade.*` row per state change, with its actor, written by the real
 * activities as the real workflow runs — and exactly once when a step is repeated or two attempts overlap.
 */
describe('card trade audit events', () => {
  let env: TradeEnv;

  beforeAll(async () => {
    env = await startTradeEnv();
    await env.startWorker();
    // A database, a workflow bundle and a worker on a loaded machine.
  }, 240_000);
  afterAll(() => env?.close(), 60_000);

  const member = (userId: string) => ({ actorType: 'user', actorId: `discord:${userId}` });
  const theFlow = (proposalId: string) => ({ actorType: 'system', actorId: `workflow:card-trade:${proposalId}` });
  const eventsOf = (proposalId: string) =>
    env.prisma.auditEvent.findMany({ where: { targetType: 'card_trade', targetId: proposalId }, orderBy: { id: 'asc' } });
  const trail = async (proposalId: string) => (await eventsOf(proposalId)).map((e) => ({ action: e.action, actorType: e.actorType, actorId: e.actorId }));
  const resultOf = (id: string) => env.temporal.client.workflow.getHandle(`card-trade:${id}`).result() as Promise<CardTradeState>;
  const t = () => env.temporal.client;

  it('a full trade: proposed → countered → accepted → both receipts → completed → both rated, each once, by who did it', async () => {
    const alice = newMember(env, 'alice');
    const bob = newMember(env, 'bob');
    const bolt = await ownCard(env, alice, 4, 'Lightning Bolt');
    const ring = await ownCard(env, bob, 1, 'Sol Ring');
    const { proposalId: id, ok } = await propose(env, {
      proposerId: alice,
      recipientId: bob,
      terms: { offered: [{ collectionItemId: bolt, quantity: 3 }], asked: [{ collectionItemId: ring, quantity: 1 }], message: 'secret note: bolts for your ring?' },
    });
    expect(ok).toBe(true);
    expect(await respondToTrade(t(), id, { userId: bob, action: 'counter', terms: { offered: [{ collectionItemId: ring, quantity: 1 }], asked: [{ collectionItemId: bolt, quantity: 2 }] } })).toMatchObject({ ok: true });
    expect(await respondToTrade(t(), id, { userId: alice, action: 'accept' })).toMatchObject({ ok: true, status: 'accepted' });
    await confirmTradeReceipt(t(), id, alice);
    await confirmTradeReceipt(t(), id, bob);
    expect(await resultOf(id)).toMatchObject({ status: 'completed' });
    // Ratings come from the bot's and the API's calls to the service, after the flow.
    await rateTrade(env.prisma, { proposalId: id, raterId: alice, stars: 5, comment: 'fast shipping' });
    await rateTrade(env.prisma, { proposalId: id, raterId: bob, stars: 4 });

    expect(await trail(id)).toEqual([
      { action: 'card_trade.proposed', ...member(alice) },
      { action: 'card_trade.countered', ...member(bob) },
      { action: 'card_trade.accepted', ...member(alice) },
      { action: 'card_trade.receipt_confirmed', ...member(alice) },
      { action: 'card_trade.receipt_confirmed', ...member(bob) },
      { action: 'card_trade.completed', ...theFlow(id) },
      { action: 'card_trade.rated', ...member(alice) },
      { action: 'card_trade.rated', ...member(bob) },
    ]);
    const events = await eventsOf(id);
    expect(events.every((e) => e.guildId === env.demo.guild.id)).toBe(true);
    const data = events.map((e) => e.data);
    expect(data[0]).toEqual({ recipientId: bob, version: 1, offered: [{ collectionItemId: bolt, quantity: 3 }], asked: [{ collectionItemId: ring, quantity: 1 }], cashCents: 0, cashPayerId: null });
    expect(data[1]).toEqual({ version: 2, offered: [{ collectionItemId: ring, quantity: 1 }], asked: [{ collectionItemId: bolt, quantity: 2 }], cashCents: 0, cashPayerId: null });
    expect(data[2]).toEqual({ version: 2 });
    expect([data[3], data[4]]).toEqual([{ party: 'proposer' }, { party: 'recipient' }]);
    const bobsBolt = await env.prisma.cardCollectionItem.findFirstOrThrow({ where: { userId: bob, printing: { name: 'Lightning Bolt' } } });
    const alicesRing = await env.prisma.cardCollectionItem.findFirstOrThrow({ where: { userId: alice, printing: { name: 'Sol Ring' } } });
    expect(data[5]).toEqual({
      version: 2,
      moved: [
        { collectionItemId: bolt, quantity: 2, fromUserId: alice, toUserId: bob, toItemId: bobsBolt.id.toString() },
        { collectionItemId: ring, quantity: 1, fromUserId: bob, toUserId: alice, toItemId: alicesRing.id.toString() },
      ].sort((a, b) => (BigInt(a.collectionItemId) < BigInt(b.collectionItemId) ? -1 : 1)),
      cashCents: 0,
      cashPayerId: null,
    });
    expect([data[6], data[7]]).toEqual([{ rateeId: bob, stars: 5 }, { rateeId: alice, stars: 4 }]);
    // Neither the proposal's message nor a rating's comment is copied into the trail.
    expect(JSON.stringify(data)).not.toMatch(/secret note|fast shipping/);
  }, 240_000);

  it('declined by the recipient, cancelled by the proposer: the member is the actor', async () => {
    const alice = newMember(env, 'alice');
    const bob = newMember(env, 'bob');
    const card = await ownCard(env, alice, 2);
    const declined = await propose(env, { proposerId: alice, recipientId: bob, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    const cancelled = await propose(env, { proposerId: alice, recipientId: bob, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    expect(await respondToTrade(t(), declined.proposalId, { userId: bob, action: 'decline' })).toMatchObject({ ok: true, status: 'declined' });
    expect(await respondToTrade(t(), cancelled.proposalId, { userId: alice, action: 'cancel' })).toMatchObject({ ok: true, status: 'cancelled' });
    await resultOf(declined.proposalId);
    await resultOf(cancelled.proposalId);

    expect(await trail(declined.proposalId)).toEqual([
      { action: 'card_trade.proposed', ...member(alice) },
      { action: 'card_trade.declined', ...member(bob) },
    ]);
    expect(await trail(cancelled.proposalId)).toEqual([
      { action: 'card_trade.proposed', ...member(alice) },
      { action: 'card_trade.cancelled', ...member(alice) },
    ]);
    expect((await eventsOf(declined.proposalId))[1]!.data).toEqual({ version: 1, from: 'proposed', reason: `Declined by <@${bob}>.`, released: 1 });
  }, 240_000);

  it('expired: the flow is the actor', async () => {
    const alice = newMember(env, 'alice');
    const bob = newMember(env, 'bob');
    const card = await ownCard(env, alice, 1);
    const { proposalId } = await propose(env, { proposerId: alice, recipientId: bob, expirySeconds: 3, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    expect(await resultOf(proposalId)).toMatchObject({ status: 'expired' });
    expect(await trail(proposalId)).toEqual([
      { action: 'card_trade.proposed', ...member(alice) },
      { action: 'card_trade.expired', ...theFlow(proposalId) },
    ]);
    expect((await eventsOf(proposalId))[1]!.data).toMatchObject({ version: 1, from: 'proposed', released: 1 });
  }, 240_000);

  it('a dispute: opened by a party with its reason, resolved and the trade cancelled by the moderator', async () => {
    const alice = newMember(env, 'alice');
    const bob = newMember(env, 'bob');
    const mod = env.demo.owner.id;
    const card = await ownCard(env, alice, 1);
    const { proposalId } = await propose(env, { proposerId: alice, recipientId: bob, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    await respondToTrade(t(), proposalId, { userId: bob, action: 'accept' });
    expect(await disputeTrade(t(), proposalId, bob, 'The card arrived damaged')).toMatchObject({ ok: true, status: 'disputed' });
    const resolution = { guildId: env.demo.guild.id, moderatorId: mod, level: 'mod' as const, outcome: 'cancel' as const, loserId: alice, note: 'seller shipped a damaged card' };
    expect(await resolveTradeDispute(t(), proposalId, resolution)).toMatchObject({ ok: true, status: 'cancelled' });
    await resultOf(proposalId);

    expect(await trail(proposalId)).toEqual([
      { action: 'card_trade.proposed', ...member(alice) },
      { action: 'card_trade.accepted', ...member(bob) },
      { action: 'card_trade.disputed', ...member(bob) },
      { action: 'card_trade.dispute_resolved', ...member(mod) },
      { action: 'card_trade.cancelled', ...member(mod) },
    ]);
    const data = (await eventsOf(proposalId)).map((e) => e.data);
    expect(data[2]).toEqual({ reason: 'The card arrived damaged' });
    expect(data[3]).toEqual({ outcome: 'cancel', loserId: alice });
    expect(data[4]).toMatchObject({ from: 'disputed' });
  }, 240_000);

  describe('the service, step by step: a repeated or overlapping transition audits once', () => {
    let n = 0;
    const proposalId = () => `9${String(process.pid).padStart(7, '0')}${String(++n).padStart(4, '0')}${randomUUID().replace(/\D/g, '').slice(0, 5)}`;
    const countOf = async (id: string, action: string) => env.prisma.auditEvent.count({ where: { targetType: 'card_trade', targetId: id, action: `card_trade.${action}` } });
    const expiresAt = () => new Date(Date.now() + 3_600_000);

    it('open, counter, accept, receipts, complete and rate: twice and two at once, one row each', async () => {
      const alice = newMember(env, 'alice');
      const bob = newMember(env, 'bob');
      const bolt = await ownCard(env, alice, 4);
      const ring = await ownCard(env, bob, 2);
      const id = proposalId();
      const open = { proposalId: id, guildId: env.demo.guild.id, proposerId: alice, recipientId: bob, expiresAt: expiresAt(), cashAllowed: true };
      const terms = { offered: [{ collectionItemId: bolt, quantity: 2 }], asked: [{ collectionItemId: ring, quantity: 1 }], cashCents: 500, cashPayerId: bob };
      await Promise.all([openProposal(env.prisma, { ...open, terms }), openProposal(env.prisma, { ...open, terms })]);
      await openProposal(env.prisma, { ...open, terms });
      expect(await countOf(id, 'proposed')).toBe(1);
      expect((await eventsOf(id))[0]!.data).toMatchObject({ version: 1, offered: [{ collectionItemId: bolt, quantity: 2 }], asked: [{ collectionItemId: ring, quantity: 1 }], cashCents: 500, cashPayerId: bob });

      const counter = { proposalId: id, userId: bob, version: 2, terms: { offered: [{ collectionItemId: ring, quantity: 2 }], asked: [{ collectionItemId: bolt, quantity: 1 }] }, expiresAt: expiresAt(), cashAllowed: true };
      await Promise.all([counterProposal(env.prisma, counter), counterProposal(env.prisma, counter)]);
      await counterProposal(env.prisma, counter);
      expect(await countOf(id, 'countered')).toBe(1);

      const accept = { proposalId: id, userId: alice, version: 2 };
      await Promise.all([acceptProposal(env.prisma, accept), acceptProposal(env.prisma, accept)]);
      await acceptProposal(env.prisma, accept);
      expect(await countOf(id, 'accepted')).toBe(1);

      await Promise.all([confirmReceipt(env.prisma, { proposalId: id, userId: alice }), confirmReceipt(env.prisma, { proposalId: id, userId: alice })]);
      await confirmReceipt(env.prisma, { proposalId: id, userId: alice });
      expect(await countOf(id, 'receipt_confirmed')).toBe(1);
      await Promise.all([confirmReceipt(env.prisma, { proposalId: id, userId: bob }), confirmReceipt(env.prisma, { proposalId: id, userId: bob })]);
      expect(await countOf(id, 'receipt_confirmed')).toBe(2);

      await Promise.all([completeTrade(env.prisma, { proposalId: id }), completeTrade(env.prisma, { proposalId: id })]);
      await completeTrade(env.prisma, { proposalId: id });
      expect(await countOf(id, 'completed')).toBe(1);
      // The cards moved once, as the one row says.
      expect((await env.prisma.cardCollectionItem.findUniqueOrThrow({ where: { id: BigInt(bolt) } })).quantity).toBe(3);

      const rated = await Promise.allSettled([rateTrade(env.prisma, { proposalId: id, raterId: alice, stars: 3 }), rateTrade(env.prisma, { proposalId: id, raterId: alice, stars: 3 })]);
      expect(rated.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([expect.stringMatching(/already rated/)]);
      await expect(rateTrade(env.prisma, { proposalId: id, raterId: alice, stars: 3 })).rejects.toThrow(/already rated/);
      expect(await countOf(id, 'rated')).toBe(1);

      expect((await trail(id)).map((e) => e.action)).toEqual([
        'card_trade.proposed',
        'card_trade.countered',
        'card_trade.accepted',
        'card_trade.receipt_confirmed',
        'card_trade.receipt_confirmed',
        'card_trade.completed',
        'card_trade.rated',
      ]);
    }, 120_000);

    it('dispute, resolution and the end: twice and two at once, one row each; a refused step writes nothing', async () => {
      const alice = newMember(env, 'alice');
      const bob = newMember(env, 'bob');
      const mod = newMember(env, 'mod');
      const card = await ownCard(env, alice, 1);
      const id = proposalId();
      await openProposal(env.prisma, { proposalId: id, guildId: env.demo.guild.id, proposerId: alice, recipientId: bob, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] }, expiresAt: expiresAt(), cashAllowed: false });
      // Refused (not bob's terms to counter at version 5): rolled back with its change, no row.
      await expect(counterProposal(env.prisma, { proposalId: id, userId: bob, version: 5, terms: { offered: [], asked: [{ collectionItemId: card, quantity: 1 }] }, expiresAt: expiresAt(), cashAllowed: false })).rejects.toThrow(/version/);
      await acceptProposal(env.prisma, { proposalId: id, userId: bob, version: 1 });

      const dispute = { proposalId: id, userId: bob, reason: 'never arrived' };
      await Promise.all([openDispute(env.prisma, dispute), openDispute(env.prisma, dispute)]);
      await openDispute(env.prisma, dispute);
      expect(await countOf(id, 'disputed')).toBe(1);

      const resolve = { proposalId: id, moderatorId: mod, outcome: 'cancel' as const, loserId: alice, note: null };
      await Promise.all([resolveDispute(env.prisma, resolve), resolveDispute(env.prisma, resolve)]);
      await resolveDispute(env.prisma, resolve);
      expect(await countOf(id, 'dispute_resolved')).toBe(1);

      const end = { proposalId: id, status: 'cancelled' as const, reason: `A moderator (<@${mod}>) cancelled the trade after a dispute.`, actorId: mod };
      await Promise.all([endProposal(env.prisma, end), endProposal(env.prisma, end)]);
      await endProposal(env.prisma, end);
      expect(await trail(id)).toEqual([
        { action: 'card_trade.proposed', ...member(alice) },
        { action: 'card_trade.accepted', ...member(bob) },
        { action: 'card_trade.disputed', ...member(bob) },
        { action: 'card_trade.dispute_resolved', ...member(mod) },
        { action: 'card_trade.cancelled', ...member(mod) },
      ]);
      // An end after the end (another status) changes nothing and audits nothing.
      await endProposal(env.prisma, { proposalId: id, status: 'expired', reason: 'late timer' });
      expect(await eventsOf(id)).toHaveLength(5);
    }, 120_000);
  });
});
