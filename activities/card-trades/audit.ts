import { cardTradeFlow } from '../../lib/flows/card-trades';
import type { Queryable } from '../../prisma/transactions';
import type { AuditActor } from '../shop/items';

/**
 * The audit trail of a trade proposal: one `card_trade.{action}` row (target `card_trade`, the proposal id)
 * per state change, written by the service inside the transaction that makes the change and only when its
 * guarded write changed a row — so a retried or overlapping step audits once, and a rolled-back one never.
 * Data holds ids, counts and outcomes; never the trade's message or conversation.
 */

export type CardTradeAuditAction =
  | 'proposed'
  | 'countered'
  | 'accepted'
  | 'declined'
  | 'cancelled'
  | 'expired'
  | 'receipt_confirmed'
  | 'disputed'
  | 'dispute_resolved'
  | 'completed'
  | 'rated';

/** A member (or a moderator) acting through Discord, as every feature records them. */
export const memberActor = (userId: string): AuditActor => ({ actorType: 'user', actorId: `discord:${userId}` });

/** The trade's own flow (expiry, completion, a cancelled flow), as other flows record themselves. */
export const flowActor = (proposalId: string): AuditActor => ({ actorType: 'system', actorId: `workflow:${cardTradeFlow.id(proposalId)}` });

/** A version's terms as audited: item ids × copies on each side, and the cash. */
export function termsSummary(
  version: number,
  lines: { fromUserId: string; collectionItemId: bigint | string; quantity: number }[],
  offererId: string,
  cash: { cashCents: number; cashPayerId: string | null },
) {
  const side = (offered: boolean) =>
    lines.filter((l) => (l.fromUserId === offererId) === offered).map((l) => ({ collectionItemId: l.collectionItemId.toString(), quantity: l.quantity }));
  return { version, offered: side(true), asked: side(false), cashCents: cash.cashCents, cashPayerId: cash.cashPayerId };
}

export async function auditTrade(
  client: Queryable,
  e: { guildId: string; proposalId: string; action: CardTradeAuditAction; actor: AuditActor; data: Record<string, unknown> },
): Promise<void> {
  await client.query(
    `INSERT INTO audit_events (guild_id, actor_type, actor_id, action, target_type, target_id, data)
     VALUES ($1, $2, $3, $4, 'card_trade', $5, $6::jsonb)`,
    [e.guildId, e.actor.actorType, e.actor.actorId, `card_trade.${e.action}`, e.proposalId, JSON.stringify(e.data)],
  );
}
