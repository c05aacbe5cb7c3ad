import { postTradeMessage } from '../../activities/card-trades';
import { confirmTradeReceipt, disputeTrade, resolveTradeDispute, respondToTrade, wakeTradeEscrow } from '../../lib/flows/card-trades.client';
import { waitFor } from '../../lib/wait';
import { recordHistories, type Scenarios } from '../helpers/histories';
import { newMember, ownCard, propose, type StandInEscrow, type TradeEnv } from './helpers';

/**
 * Records real histories of the card trade workflow into test/histories/card-trade-*.json for the replay
 * test (replay.test.ts). Run it after a change to workflows/card-trade.ts guarded by patched() (keep the
 * old files: both must replay):
 *
 *   GF_RECORD_HISTORIES=1 GF_HISTORY_SUFFIX=-v2 npx jest test/card-trades/replay.test.ts
 *
 * or only a new scenario: `GF_RECORD_HISTORIES=1 GF_HISTORY_ONLY=<scenario> npx jest test/card-trades/replay.test.ts`.
 */
export type HistoryEnv = TradeEnv & { escrow: StandInEscrow };

const id = (proposalId: string) => `card-trade:${proposalId}`;
const result = (env: TradeEnv, proposalId: string) => env.temporal.client.workflow.getHandle(id(proposalId)).result();

export const SCENARIOS: Scenarios<HistoryEnv> = {
  /** Proposed → countered → accepted → both receipts → cards moved → completed. */
  'card-trade-completed': async (env) => {
    const [a, b] = [newMember(env, 'history-a'), newMember(env, 'history-b')];
    const [x, y] = [await ownCard(env, a, 2), await ownCard(env, b, 1)];
    const { proposalId } = await propose(env, { proposerId: a, recipientId: b, terms: { offered: [{ collectionItemId: x, quantity: 2 }], asked: [{ collectionItemId: y, quantity: 1 }] } });
    await respondToTrade(env.temporal.client, proposalId, { userId: b, action: 'counter', terms: { offered: [{ collectionItemId: y, quantity: 1 }], asked: [{ collectionItemId: x, quantity: 1 }] } });
    await respondToTrade(env.temporal.client, proposalId, { userId: a, action: 'accept' });
    await confirmTradeReceipt(env.temporal.client, proposalId, a);
    await confirmTradeReceipt(env.temporal.client, proposalId, b);
    await result(env, proposalId);
    return id(proposalId);
  },
  /** Nobody answers: reminder, then the expiry releases the reservation. */
  'card-trade-expired': async (env) => {
    const [a, b] = [newMember(env, 'history-c'), newMember(env, 'history-d')];
    const x = await ownCard(env, a, 1);
    const { proposalId } = await propose(env, { proposerId: a, recipientId: b, expirySeconds: 3, reminderSeconds: 1, terms: { offered: [{ collectionItemId: x, quantity: 1 }], asked: [] } });
    await result(env, proposalId);
    return id(proposalId);
  },
  /** Accepted, disputed, a moderator cancels it against one party: reservations released. */
  'card-trade-dispute-cancelled': async (env) => {
    const [a, b] = [newMember(env, 'history-e'), newMember(env, 'history-f')];
    const x = await ownCard(env, a, 1);
    const { proposalId } = await propose(env, { proposerId: a, recipientId: b, terms: { offered: [{ collectionItemId: x, quantity: 1 }], asked: [] } });
    await respondToTrade(env.temporal.client, proposalId, { userId: b, action: 'accept' });
    await disputeTrade(env.temporal.client, proposalId, b, 'never arrived');
    await resolveTradeDispute(env.temporal.client, proposalId, { guildId: env.demo.guild.id, moderatorId: env.demo.owner.id, level: 'admin', outcome: 'cancel', loserId: a, note: null });
    await result(env, proposalId);
    return id(proposalId);
  },
  /** Cash: escrow opened, a signal then our check says held, receipts, cards moved, cash released. */
  'card-trade-cash-completed': async (env) => {
    const [a, b] = [newMember(env, 'history-g'), newMember(env, 'history-h')];
    const x = await ownCard(env, a, 1);
    env.escrow.status = 'pending';
    const { proposalId } = await propose(env, { proposerId: a, recipientId: b, escrowCheckSeconds: 60, terms: { offered: [{ collectionItemId: x, quantity: 1 }], asked: [], cashCents: 900, cashPayerId: b } });
    await respondToTrade(env.temporal.client, proposalId, { userId: b, action: 'accept' });
    await waitFor(() => env.escrow.named('open').some((c) => (c.input as { proposalId: string }).proposalId === proposalId), { timeoutMs: 10_000, what: 'the escrow opened' });
    env.escrow.status = 'held';
    await wakeTradeEscrow(env.temporal.client, proposalId);
    await waitFor(
      () => confirmTradeReceipt(env.temporal.client, proposalId, a).then(() => true),
      { timeoutMs: 10_000, what: 'the receipt accepted once the cash is held' },
    );
    await confirmTradeReceipt(env.temporal.client, proposalId, b);
    await result(env, proposalId);
    return id(proposalId);
  },
  /**
   * After `card-trade-message-relay` and `card-trade-confirm-deadline`: a message relayed to the other party
   * (`messagePosted` signal), accepted, one receipt, the deadline (`confirmSeconds` from the input) reminds
   * both and tells the admin log, the second receipt completes it.
   */
  'card-trade-message-overdue': async (env) => {
    const [a, b] = [newMember(env, 'history-i'), newMember(env, 'history-j')];
    const x = await ownCard(env, a, 1);
    const { proposalId } = await propose(env, { proposerId: a, recipientId: b, confirmSeconds: 2, terms: { offered: [{ collectionItemId: x, quantity: 1 }], asked: [] } });
    await postTradeMessage({ prisma: env.prisma, temporal: env.temporal.client }, { guildId: env.demo.guild.id, proposalId, authorId: b, body: 'Is it near mint?' });
    await env.discord.waitFor(() => env.discord.dms(a).find((m) => m.embeds[0]?.title === 'New message about your trade'), 10_000, 'the relayed message');
    await respondToTrade(env.temporal.client, proposalId, { userId: b, action: 'accept' });
    await confirmTradeReceipt(env.temporal.client, proposalId, a);
    await env.discord.waitFor(
      () => env.discord.messages(env.demo.channels.adminLog.id).find((m) => m.embeds[0]?.title === '⏰ Card trade overdue' && m.embeds[0]?.footer?.text?.includes(proposalId)),
      20_000,
      'the overdue notice',
    );
    await confirmTradeReceipt(env.temporal.client, proposalId, b);
    await result(env, proposalId);
    return id(proposalId);
  },
};

export function recordCardTradeHistories(env: HistoryEnv, suffix = ''): Promise<string[]> {
  return recordHistories(env, SCENARIOS, suffix);
}
