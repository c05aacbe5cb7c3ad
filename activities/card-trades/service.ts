import type pg from 'pg';
import { ValidationError } from '../../lib/errors';
import type { CardTradeLineInput, CardTradeTerms } from '../../lib/flows/card-trades';
import type { PrismaClient } from '../../prisma/client';
import { inTransaction } from '../../prisma/transactions';
import { auditTrade, flowActor, memberActor, termsSummary } from './audit';
import { alreadyRated, cardsNotAvailable, cashUnavailable, messageKeyReused, notParty, proposalNotFound, proposalState } from './errors';

/**
 * Trade proposals in the database: open (reserve the offerer's cards), counter (a new version: the old
 * terms' reservations released, the new offerer's cards reserved), accept (the answerer's cards reserved
 * too), end (everything released), complete (cards moved between collections), ratings and disputes.
 *
 * A copy is never promised twice: `reserved` only grows by a conditional UPDATE (`quantity - reserved >=
 * wanted`, the CHECK backs it), inside the transaction that records the reservation row — unique per
 * (proposal, version, item), so a repeated step takes nothing twice. Items are locked in id order.
 * Every function is idempotent: a step the workflow repeats finds its work done and answers the same.
 * Each state change is audited (./audit.ts) in its transaction, only when its guarded write took effect.
 */

const MAX_LINES = 30;
const MAX_COPIES = 1000;
const MAX_CASH_CENTS = 10_000_000;
const MAX_MESSAGE = 1000;

export type ProposalRow = NonNullable<Awaited<ReturnType<typeof findProposal>>>;

export interface OpenProposal {
  proposalId: string;
  guildId: string;
  proposerId: string;
  recipientId: string;
  terms: CardTradeTerms;
  expiresAt: Date;
  /** Whether this deployment can hold cash in escrow; cash is refused otherwise. */
  cashAllowed: boolean;
}

interface Line {
  fromUserId: string;
  collectionItemId: bigint;
  quantity: number;
}

/** The terms' lines, checked: whole positive quantities, one line per item, the cash with its payer. */
function linesOf(terms: CardTradeTerms, offererId: string, answererId: string, cashAllowed: boolean): { lines: Line[]; cashCents: number; cashPayerId: string | null; message: string | null } {
  const lines: Line[] = [];
  const seen = new Set<string>();
  const add = (list: CardTradeLineInput[] | undefined, fromUserId: string) => {
    for (const l of list ?? []) {
      if (!/^\d{1,18}$/.test(String(l.collectionItemId))) throw new ValidationError(`Not a collection item id: ${JSON.stringify(l.collectionItemId)}.`);
      if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > MAX_COPIES) throw new ValidationError(`A quantity is a whole number from 1 to ${MAX_COPIES}.`);
      if (seen.has(String(l.collectionItemId))) throw new ValidationError('Each card appears once in a trade: add up its copies in one line.');
      seen.add(String(l.collectionItemId));
      lines.push({ fromUserId, collectionItemId: BigInt(l.collectionItemId), quantity: l.quantity });
    }
  };
  add(terms.offered, offererId);
  add(terms.asked, answererId);
  if (lines.length === 0) throw new ValidationError('A trade needs at least one card.');
  if (lines.length > MAX_LINES) throw new ValidationError(`A trade has at most ${MAX_LINES} cards.`);
  const cashCents = terms.cashCents ?? 0;
  if (!Number.isInteger(cashCents) || cashCents < 0 || cashCents > MAX_CASH_CENTS) throw new ValidationError('Cash is a whole number of cents from 0 to 100,000 dollars.');
  const cashPayerId = cashCents > 0 ? (terms.cashPayerId ?? null) : null;
  if (cashCents > 0 && cashPayerId !== offererId && cashPayerId !== answererId) throw new ValidationError('Cash needs its payer: one of the two members of the trade.');
  if (cashCents > 0 && !cashAllowed) throw cashUnavailable();
  const message = terms.message?.trim() || null;
  if (message && message.length > MAX_MESSAGE) throw new ValidationError(`A message has at most ${MAX_MESSAGE} characters.`);
  return { lines, cashCents, cashPayerId, message };
}

/** The proposal, locked for this transaction; a refusal when there is none. */
async function lockProposal(client: pg.PoolClient, proposalId: string): Promise<DbProposal> {
  const { rows } = await client.query<DbProposal>(
    `SELECT id, guild_id, proposer_id, recipient_id, version, offerer_id, turn_user_id, status, cash_cents, cash_payer_id,
            proposer_received_at, recipient_received_at FROM card_trade_proposals WHERE id = $1 FOR UPDATE`,
    [proposalId],
  );
  if (!rows[0]) throw proposalNotFound(proposalId);
  return rows[0];
}

interface DbProposal {
  id: string;
  guild_id: string;
  proposer_id: string;
  recipient_id: string;
  version: number;
  offerer_id: string;
  turn_user_id: string;
  status: string;
  cash_cents: number;
  cash_payer_id: string | null;
  proposer_received_at: Date | null;
  recipient_received_at: Date | null;
}

const otherParty = (p: { proposer_id: string; recipient_id: string }, userId: string) => (userId === p.proposer_id ? p.recipient_id : p.proposer_id);

/** Checks each line's item belongs to its giver and records the lines of a version. */
async function insertLines(client: pg.PoolClient, proposalId: string, version: number, lines: Line[]): Promise<void> {
  const ids = lines.map((l) => l.collectionItemId.toString());
  const { rows } = await client.query<{ id: string; user_id: string }>('SELECT id::text, user_id FROM card_collection_items WHERE id = ANY($1::bigint[])', [ids]);
  const owner = new Map(rows.map((r) => [r.id, r.user_id]));
  for (const l of lines) {
    if (owner.get(l.collectionItemId.toString()) !== l.fromUserId) {
      throw new ValidationError(`Card #${l.collectionItemId} is not in <@${l.fromUserId}>'s collection.`);
    }
  }
  for (const l of lines) {
    await client.query('INSERT INTO card_trade_lines (proposal_id, version, from_user_id, collection_item_id, quantity) VALUES ($1, $2, $3, $4, $5)', [
      proposalId,
      version,
      l.fromUserId,
      l.collectionItemId.toString(),
      l.quantity,
    ]);
  }
}

/**
 * Reserves `fromUserId`'s lines of the version: once per (proposal, version, item); refused — and the
 * whole transaction rolled back — when an item has fewer free copies than wanted.
 */
async function reserveLines(client: pg.PoolClient, proposalId: string, version: number, fromUserId: string): Promise<void> {
  const { rows: lines } = await client.query<{ collection_item_id: string; quantity: number }>(
    'SELECT collection_item_id::text, quantity FROM card_trade_lines WHERE proposal_id = $1 AND version = $2 AND from_user_id = $3 ORDER BY collection_item_id',
    [proposalId, version, fromUserId],
  );
  for (const l of lines) {
    const taken = await client.query(
      'INSERT INTO card_trade_reservations (proposal_id, version, collection_item_id, quantity) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [proposalId, version, l.collection_item_id, l.quantity],
    );
    if (taken.rowCount === 0) continue; // reserved by an earlier attempt of this step
    const updated = await client.query(
      'UPDATE card_collection_items SET reserved = reserved + $2, updated_at = now() WHERE id = $1 AND user_id = $3 AND quantity - reserved >= $2',
      [l.collection_item_id, l.quantity, fromUserId],
    );
    if (updated.rowCount === 0) {
      const { rows } = await client.query<{ name: string | null; free: number | null }>(
        `SELECT p.name, i.quantity - i.reserved AS free FROM card_collection_items i JOIN card_printings p ON p.id = i.printing_id WHERE i.id = $1`,
        [l.collection_item_id],
      );
      throw cardsNotAvailable(rows[0]?.name ? `${rows[0].name} (#${l.collection_item_id})` : `card #${l.collection_item_id}`, Math.max(0, rows[0]?.free ?? 0), l.quantity);
    }
  }
}

/** Gives back every live reservation of the proposal (of every version). */
async function releaseAll(client: pg.PoolClient, proposalId: string): Promise<number> {
  const { rows } = await client.query<{ collection_item_id: string; quantity: number }>(
    `UPDATE card_trade_reservations SET released_at = now() WHERE proposal_id = $1 AND released_at IS NULL AND consumed_at IS NULL
     RETURNING collection_item_id::text, quantity`,
    [proposalId],
  );
  rows.sort((a, b) => (BigInt(a.collection_item_id) < BigInt(b.collection_item_id) ? -1 : 1));
  for (const r of rows) {
    await client.query('UPDATE card_collection_items SET reserved = reserved - $2, updated_at = now() WHERE id = $1', [r.collection_item_id, r.quantity]);
  }
  return rows.length;
}

/**
 * Opens a proposal: the row, version 1's lines and the proposer's offered cards reserved, in one
 * transaction. The same proposal id again answers the proposal as it is (nothing taken twice).
 */
export async function openProposal(prisma: PrismaClient, input: OpenProposal): Promise<ProposalRow> {
  if (input.proposerId === input.recipientId) throw new ValidationError('You cannot trade with yourself.');
  const existing = await findProposal(prisma, input.proposalId);
  if (existing) return existing;
  const { lines, cashCents, cashPayerId, message } = linesOf(input.terms, input.proposerId, input.recipientId, input.cashAllowed);
  await inTransaction(prisma, async (client) => {
    const inserted = await client.query(
      `INSERT INTO card_trade_proposals (id, guild_id, proposer_id, recipient_id, version, offerer_id, turn_user_id, status, cash_cents, cash_payer_id, message, expires_at, updated_at)
       VALUES ($1, $2, $3, $4, 1, $3, $4, 'proposed', $5, $6, $7, $8, now()) ON CONFLICT (id) DO NOTHING`,
      [input.proposalId, input.guildId, input.proposerId, input.recipientId, cashCents, cashPayerId, message, input.expiresAt],
    );
    if (inserted.rowCount === 0) return; // a concurrent attempt opened it
    await insertLines(client, input.proposalId, 1, lines);
    await reserveLines(client, input.proposalId, 1, input.proposerId);
    await auditTrade(client, {
      guildId: input.guildId,
      proposalId: input.proposalId,
      action: 'proposed',
      actor: memberActor(input.proposerId),
      data: { recipientId: input.recipientId, ...termsSummary(1, lines, input.proposerId, { cashCents, cashPayerId }) },
    });
  });
  return (await findProposal(prisma, input.proposalId))!;
}

/**
 * A counter by the party whose turn it is: version + 1 with their terms; the old terms' reservations are
 * released and the counterer's offered cards reserved, in one transaction (refused: nothing changes).
 */
export async function counterProposal(
  prisma: PrismaClient,
  input: { proposalId: string; userId: string; version: number; terms: CardTradeTerms; expiresAt: Date; cashAllowed: boolean },
): Promise<ProposalRow> {
  await inTransaction(prisma, async (client) => {
    const p = await lockProposal(client, input.proposalId);
    if (p.version >= input.version) return; // applied by an earlier attempt
    if (p.status !== 'proposed') throw proposalState(`This proposal is ${p.status}: it cannot be countered.`);
    if (p.version !== input.version - 1) throw proposalState(`This proposal is at version ${p.version}, not ${input.version - 1}.`);
    if (p.turn_user_id !== input.userId) throw proposalState('It is not your turn to answer this proposal.');
    const answerer = otherParty(p, input.userId);
    const { lines, cashCents, cashPayerId, message } = linesOf(input.terms, input.userId, answerer, input.cashAllowed);
    await releaseAll(client, input.proposalId);
    await insertLines(client, input.proposalId, input.version, lines);
    await reserveLines(client, input.proposalId, input.version, input.userId);
    const { rowCount } = await client.query(
      `UPDATE card_trade_proposals SET version = $2, offerer_id = $3, turn_user_id = $4, cash_cents = $5, cash_payer_id = $6, message = $7, expires_at = $8, updated_at = now()
       WHERE id = $1 AND version = $9 AND status = 'proposed'`,
      [input.proposalId, input.version, input.userId, answerer, cashCents, cashPayerId, message, input.expiresAt, p.version],
    );
    if (rowCount !== 1) return;
    await auditTrade(client, {
      guildId: p.guild_id,
      proposalId: input.proposalId,
      action: 'countered',
      actor: memberActor(input.userId),
      data: termsSummary(input.version, lines, input.userId, { cashCents, cashPayerId }),
    });
  });
  return (await findProposal(prisma, input.proposalId))!;
}

/** The answerer accepts the current terms: their asked cards are reserved too (refused when short). */
export async function acceptProposal(prisma: PrismaClient, input: { proposalId: string; userId: string; version: number }): Promise<ProposalRow> {
  await inTransaction(prisma, async (client) => {
    const p = await lockProposal(client, input.proposalId);
    if (p.status === 'accepted' && p.version === input.version) return;
    if (p.status !== 'proposed') throw proposalState(`This proposal is ${p.status}: it cannot be accepted.`);
    if (p.version !== input.version) throw proposalState(`These terms (version ${input.version}) were replaced by version ${p.version}.`);
    if (p.turn_user_id !== input.userId) throw proposalState('It is not your turn to answer this proposal.');
    await reserveLines(client, input.proposalId, p.version, input.userId);
    const { rowCount } = await client.query(`UPDATE card_trade_proposals SET status = 'accepted', updated_at = now() WHERE id = $1 AND status = 'proposed' AND version = $2`, [
      input.proposalId,
      p.version,
    ]);
    if (rowCount !== 1) return;
    await auditTrade(client, { guildId: p.guild_id, proposalId: input.proposalId, action: 'accepted', actor: memberActor(input.userId), data: { version: p.version } });
  });
  return (await findProposal(prisma, input.proposalId))!;
}

/** Ends a proposal that will not complete (declined, cancelled, expired): every reservation given back. */
export async function endProposal(prisma: PrismaClient, input: { proposalId: string; status: 'declined' | 'cancelled' | 'expired'; reason: string; actorId?: string | null }): Promise<ProposalRow> {
  await inTransaction(prisma, async (client) => {
    const p = await lockProposal(client, input.proposalId);
    if (p.status === 'completed') throw proposalState('This trade is completed: it cannot end otherwise.');
    const released = await releaseAll(client, input.proposalId);
    if (['declined', 'cancelled', 'expired'].includes(p.status)) return;
    const { rowCount } = await client.query('UPDATE card_trade_proposals SET status = $2, ended_reason = $3, updated_at = now() WHERE id = $1 AND status = $4', [
      input.proposalId,
      input.status,
      input.reason,
      p.status,
    ]);
    if (rowCount !== 1) return;
    await auditTrade(client, {
      guildId: p.guild_id,
      proposalId: input.proposalId,
      action: input.status,
      // The member or moderator the flow names; the flow itself for expiry, unpaid cash, a cancel from Temporal.
      actor: input.actorId ? memberActor(input.actorId) : flowActor(input.proposalId),
      data: { version: p.version, from: p.status, reason: input.reason, released },
    });
  });
  return (await findProposal(prisma, input.proposalId))!;
}

/** A party confirms they received the other's cards (once; again changes nothing). */
export async function confirmReceipt(prisma: PrismaClient, input: { proposalId: string; userId: string }): Promise<{ proposer: boolean; recipient: boolean }> {
  return inTransaction(prisma, async (client) => {
    const p = await lockProposal(client, input.proposalId);
    if (input.userId !== p.proposer_id && input.userId !== p.recipient_id) throw notParty();
    if (p.status !== 'accepted' && p.status !== 'completed') throw proposalState(`This trade is ${p.status}: there is no receipt to confirm.`);
    const party = input.userId === p.proposer_id ? 'proposer' : 'recipient';
    const column = `${party}_received_at`;
    const { rowCount } = await client.query(`UPDATE card_trade_proposals SET ${column} = now(), updated_at = now() WHERE id = $1 AND ${column} IS NULL`, [input.proposalId]);
    if (rowCount === 1) await auditTrade(client, { guildId: p.guild_id, proposalId: input.proposalId, action: 'receipt_confirmed', actor: memberActor(input.userId), data: { party } });
    return { proposer: input.userId === p.proposer_id || p.proposer_received_at !== null, recipient: input.userId === p.recipient_id || p.recipient_received_at !== null };
  });
}

/**
 * Completes an accepted trade: each line's copies leave the giver's item (quantity and reserved) and join
 * the receiver's item of the same printing, condition, finish and language (created when missing), the
 * reservations are consumed and the proposal completed — one transaction; a second call changes nothing.
 */
export async function completeTrade(prisma: PrismaClient, input: { proposalId: string }): Promise<ProposalRow> {
  await inTransaction(prisma, async (client) => {
    const p = await lockProposal(client, input.proposalId);
    if (p.status === 'completed') return;
    if (p.status !== 'accepted' && p.status !== 'disputed') throw proposalState(`This trade is ${p.status}: it cannot complete.`);
    const { rows: lines } = await client.query<{ from_user_id: string; collection_item_id: string; quantity: number }>(
      'SELECT from_user_id, collection_item_id::text, quantity FROM card_trade_lines WHERE proposal_id = $1 AND version = $2 ORDER BY collection_item_id',
      [input.proposalId, p.version],
    );
    const { rows: items } = await client.query<{ id: string; user_id: string; printing_id: string; condition: string; finish: string; language: string; quantity: number; reserved: number }>(
      'SELECT id::text, user_id, printing_id, condition, finish, language, quantity, reserved FROM card_collection_items WHERE id = ANY($1::bigint[]) ORDER BY id FOR UPDATE',
      [lines.map((l) => l.collection_item_id)],
    );
    const byId = new Map(items.map((i) => [i.id, i]));
    const moved: { collectionItemId: string; quantity: number; fromUserId: string; toUserId: string; toItemId: string }[] = [];
    for (const l of lines) {
      const item = byId.get(l.collection_item_id);
      if (!item || item.user_id !== l.from_user_id || item.reserved < l.quantity) {
        throw proposalState(`Card #${l.collection_item_id} is no longer held for this trade: an admin must look at it.`);
      }
      await client.query('UPDATE card_collection_items SET quantity = quantity - $2, reserved = reserved - $2, updated_at = now() WHERE id = $1', [item.id, l.quantity]);
      const toUserId = otherParty(p, l.from_user_id);
      const { rows: to } = await client.query<{ id: string }>(
        `INSERT INTO card_collection_items (user_id, printing_id, quantity, condition, finish, language, updated_at) VALUES ($1, $2, $3, $4, $5, $6, now())
         ON CONFLICT (user_id, printing_id, condition, finish, language) DO UPDATE SET quantity = card_collection_items.quantity + EXCLUDED.quantity, updated_at = now()
         RETURNING id::text`,
        [toUserId, item.printing_id, l.quantity, item.condition, item.finish, item.language],
      );
      moved.push({ collectionItemId: l.collection_item_id, quantity: l.quantity, fromUserId: l.from_user_id, toUserId, toItemId: to[0]!.id });
    }
    await client.query('UPDATE card_trade_reservations SET consumed_at = now() WHERE proposal_id = $1 AND version = $2 AND released_at IS NULL AND consumed_at IS NULL', [
      input.proposalId,
      p.version,
    ]);
    const { rowCount } = await client.query(`UPDATE card_trade_proposals SET status = 'completed', completed_at = now(), updated_at = now() WHERE id = $1 AND status = $2`, [
      input.proposalId,
      p.status,
    ]);
    // Under the row lock nothing else can complete it; a count of 0 would be a bug, and rolls the move back.
    if (rowCount !== 1) throw proposalState('This trade changed while it was completing; try again.');
    await auditTrade(client, {
      guildId: p.guild_id,
      proposalId: input.proposalId,
      action: 'completed',
      actor: flowActor(input.proposalId),
      data: { version: p.version, moved, cashCents: p.cash_cents, cashPayerId: p.cash_payer_id },
    });
  });
  return (await findProposal(prisma, input.proposalId))!;
}

/** Opens the proposal's dispute (once): completion waits for a moderator. */
export async function openDispute(prisma: PrismaClient, input: { proposalId: string; userId: string; reason: string }): Promise<void> {
  const reason = input.reason.trim();
  if (!reason || reason.length > MAX_MESSAGE) throw new ValidationError(`A dispute needs a reason (at most ${MAX_MESSAGE} characters).`);
  await inTransaction(prisma, async (client) => {
    const p = await lockProposal(client, input.proposalId);
    if (input.userId !== p.proposer_id && input.userId !== p.recipient_id) throw notParty();
    if (p.status === 'disputed') return;
    if (p.status !== 'accepted') throw proposalState(`This trade is ${p.status}: only an accepted trade can be disputed.`);
    await client.query('INSERT INTO card_trade_disputes (proposal_id, opened_by, reason) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [input.proposalId, input.userId, reason]);
    const { rowCount } = await client.query(`UPDATE card_trade_proposals SET status = 'disputed', updated_at = now() WHERE id = $1 AND status = 'accepted'`, [input.proposalId]);
    if (rowCount === 1) await auditTrade(client, { guildId: p.guild_id, proposalId: input.proposalId, action: 'disputed', actor: memberActor(input.userId), data: { reason } });
  });
}

/** Records a moderator's resolution (once); the flow then completes or cancels the trade. */
export async function resolveDispute(
  prisma: PrismaClient,
  input: { proposalId: string; moderatorId: string; outcome: 'complete' | 'cancel'; loserId: string | null; note: string | null },
): Promise<void> {
  await inTransaction(prisma, async (client) => {
    const p = await lockProposal(client, input.proposalId);
    if (input.loserId && input.loserId !== p.proposer_id && input.loserId !== p.recipient_id) throw new ValidationError('The party a dispute goes against is one of its two members.');
    const { rowCount } = await client.query(
      `UPDATE card_trade_disputes SET status = 'resolved', outcome = $2, loser_id = $3, resolved_by = $4, note = $5, resolved_at = now() WHERE proposal_id = $1 AND status = 'open'`,
      [input.proposalId, input.outcome, input.loserId, input.moderatorId, input.note],
    );
    if (rowCount === 0) {
      const { rows } = await client.query('SELECT 1 FROM card_trade_disputes WHERE proposal_id = $1', [input.proposalId]);
      if (!rows[0]) throw proposalState('This trade has no dispute to resolve.');
      return; // resolved by an earlier attempt
    }
    if (input.outcome === 'complete') await client.query(`UPDATE card_trade_proposals SET status = 'accepted', updated_at = now() WHERE id = $1`, [input.proposalId]);
    await auditTrade(client, {
      guildId: p.guild_id,
      proposalId: input.proposalId,
      action: 'dispute_resolved',
      actor: memberActor(input.moderatorId),
      data: { outcome: input.outcome, loserId: input.loserId },
    });
  });
}

/** A party rates the other after a completed trade: 1–5 stars and a comment, once. */
export async function rateTrade(prisma: PrismaClient, input: { proposalId: string; raterId: string; stars: number; comment?: string | null }): Promise<void> {
  if (!Number.isInteger(input.stars) || input.stars < 1 || input.stars > 5) throw new ValidationError('A rating is 1 to 5 stars.');
  const comment = input.comment?.trim() || null;
  if (comment && comment.length > MAX_MESSAGE) throw new ValidationError(`A comment has at most ${MAX_MESSAGE} characters.`);
  const p = await findProposal(prisma, input.proposalId);
  if (!p) throw proposalNotFound(input.proposalId);
  if (input.raterId !== p.proposerId && input.raterId !== p.recipientId) throw notParty();
  if (p.status !== 'completed') throw proposalState('A trade is rated once it is completed.');
  const rateeId = input.raterId === p.proposerId ? p.recipientId : p.proposerId;
  const rated = await inTransaction(prisma, async (client) => {
    const { rowCount } = await client.query(
      'INSERT INTO card_trade_ratings (proposal_id, rater_id, ratee_id, stars, comment) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING',
      [input.proposalId, input.raterId, rateeId, input.stars, comment],
    );
    if (rowCount !== 1) return false;
    await auditTrade(client, { guildId: p.guildId, proposalId: input.proposalId, action: 'rated', actor: memberActor(input.raterId), data: { rateeId, stars: input.stars } });
    return true;
  });
  if (!rated) throw alreadyRated();
}

export function findProposal(prisma: PrismaClient, proposalId: string) {
  return prisma.cardTradeProposal.findUnique({ where: { id: proposalId }, include: { lines: true, dispute: true } });
}

/** The proposal if `userId` is one of its parties (anyone else gets the same answer as for no proposal). */
export async function proposalForParty(prisma: PrismaClient, proposalId: string, userId: string): Promise<ProposalRow> {
  const p = await findProposal(prisma, proposalId);
  if (!p || (p.proposerId !== userId && p.recipientId !== userId)) throw proposalNotFound(proposalId);
  return p;
}

/** The member's proposals in the guild, newest first, `limit + 1` rows after the cursor's row (createdAt, id). */
export function listProposals(prisma: PrismaClient, input: { guildId: string; userId: string; before?: { createdAt: Date; id: string } | null; limit: number }) {
  const b = input.before;
  return prisma.cardTradeProposal.findMany({
    where: {
      guildId: input.guildId,
      AND: [{ OR: [{ proposerId: input.userId }, { recipientId: input.userId }] }, ...(b ? [{ OR: [{ createdAt: { lt: b.createdAt } }, { createdAt: b.createdAt, id: { lt: b.id } }] }] : [])],
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: input.limit + 1,
  });
}

/** Lines of the current terms, with what they are. */
export async function currentLines(prisma: PrismaClient, p: Pick<ProposalRow, 'id' | 'version'>) {
  const lines = await prisma.cardTradeLine.findMany({ where: { proposalId: p.id, version: p.version }, orderBy: { collectionItemId: 'asc' } });
  const items = await prisma.cardCollectionItem.findMany({ where: { id: { in: lines.map((l) => l.collectionItemId) } }, include: { printing: true } });
  const byId = new Map(items.map((i) => [i.id, i]));
  return lines.map((l) => ({ ...l, item: byId.get(l.collectionItemId) ?? null }));
}

/** A message of the proposal's conversation, by one of its parties. */
/**
 * Stores a party's message. With the client's idempotency key, a retry (after an error answer) finds the
 * message stored the first time: two racing retries insert once (ON CONFLICT DO NOTHING) and both read it.
 */
export async function postMessage(prisma: PrismaClient, input: { proposalId: string; authorId: string; body: string; idempotencyKey?: string }) {
  const body = input.body.trim();
  if (!body || body.length > 2000) throw new ValidationError('A message has 1 to 2000 characters.');
  await proposalForParty(prisma, input.proposalId, input.authorId);
  const { proposalId, authorId, idempotencyKey } = input;
  if (idempotencyKey === undefined) return prisma.cardTradeMessage.create({ data: { proposalId, authorId, body } });
  await prisma.cardTradeMessage.createMany({ data: [{ proposalId, authorId, body, idempotencyKey }], skipDuplicates: true });
  const message = await prisma.cardTradeMessage.findUniqueOrThrow({ where: { proposalId_authorId_idempotencyKey: { proposalId, authorId, idempotencyKey } } });
  if (message.body !== body) throw messageKeyReused();
  return message;
}

export async function listMessages(prisma: PrismaClient, input: { proposalId: string; userId: string; after?: bigint; limit: number }) {
  await proposalForParty(prisma, input.proposalId, input.userId);
  return prisma.cardTradeMessage.findMany({
    where: { proposalId: input.proposalId, ...(input.after !== undefined ? { id: { gt: input.after } } : {}) },
    orderBy: { id: 'asc' },
    take: input.limit + 1,
  });
}

/** A guild's card trade settings (card_settings; its defaults while the guild has no row). */
export interface CardTradeSettings {
  proposalExpiryHours: number;
  reminderHours: number;
  confirmDays: number;
}

const DEFAULT_SETTINGS: CardTradeSettings = { proposalExpiryHours: 120, reminderHours: 24, confirmDays: 14 };

export async function cardTradeSettings(prisma: PrismaClient, guildId: string): Promise<CardTradeSettings> {
  const s = await prisma.cardSettings.findUnique({ where: { guildId } });
  return s ? { proposalExpiryHours: s.proposalExpiryHours, reminderHours: s.reminderHours, confirmDays: s.confirmDays } : { ...DEFAULT_SETTINGS };
}

/** Changes some of the guild's card trade settings; trades proposed from now on use them. */
export async function updateCardTradeSettings(prisma: PrismaClient, guildId: string, patch: Partial<CardTradeSettings>): Promise<CardTradeSettings> {
  const next = { ...(await cardTradeSettings(prisma, guildId)), ...patch };
  if (next.reminderHours >= next.proposalExpiryHours) throw new ValidationError('The reminder comes before the expiry: reminder hours must be fewer than the proposal’s expiry hours.');
  await prisma.cardSettings.upsert({ where: { guildId }, create: { guildId, ...next }, update: next });
  return next;
}

/** The guild's expiry, reminder and receipt deadline, in seconds (card_settings, or its defaults). */
export async function tradeTimings(prisma: PrismaClient, guildId: string): Promise<{ expirySeconds: number; reminderSeconds: number; confirmSeconds: number }> {
  const s = await cardTradeSettings(prisma, guildId);
  return { expirySeconds: s.proposalExpiryHours * 3600, reminderSeconds: s.reminderHours * 3600, confirmSeconds: s.confirmDays * 86_400 };
}
