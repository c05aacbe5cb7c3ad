import { orderHoldKey } from '../../lib/flows/orders';
import { purchaseFlow } from '../../lib/flows/shop';
import { withdrawFlow } from '../../lib/flows/trades';
import type { SqlPool } from '../../prisma/transactions';

/** What the ledger holds under a domain row's hold key: nothing, or the entry's status. */
type HoldState = 'none' | 'pending' | 'posted' | 'voided';

/**
 * For each finished domain row, the hold states that agree with it. A row still running (a purchase or
 * order `pending`, a withdrawal `escrowed`, an order waiting for funds or an admin) is its flow's to
 * finish and is not judged here.
 */
const AGREES: Record<string, Record<string, readonly HoldState[]>> = {
  purchase: { completed: ['posted'], role_expired: ['posted'], failed: ['none', 'voided'] },
  order: { completed: ['posted'], failed: ['none', 'voided'], refunded: ['voided'] },
  // A partial delivery posts what was delivered: all of it voided when only pets arrived. A refusal can
  // come after the gems were escrowed (the pets could not be): released, never kept.
  withdrawal: { delivered: ['posted'], partial: ['posted', 'voided'], cancelled: ['voided'], expired: ['voided'], failed: ['voided'], refused: ['none', 'voided'] },
};

export interface DomainMismatch {
  kind: 'purchase' | 'order' | 'withdrawal';
  id: string;
  guildId: string;
  status: string;
  holdKey: string;
  hold: HoldState;
  problem: string;
}

/**
 * The ledger's `validate()` sees only the ledger; this compares what the domain says happened with the
 * money: a completed purchase or order whose hold was never posted (charged nothing), a failed one whose
 * hold is still pending or was posted (charged for nothing), a withdrawal whose escrow disagrees with its
 * outcome. Empty on a consistent database. Live and archived entries both count.
 */
export async function domainMismatches(pool: SqlPool, guildId?: string): Promise<DomainMismatch[]> {
  const { rows } = await pool.query<{ kind: DomainMismatch['kind']; id: string; guild_id: string; status: string; key: string; hold: HoldState }>(
    `WITH domain AS (
       SELECT 'purchase' AS kind, id, guild_id, status, $2 || id || $3 AS key FROM shop_purchases WHERE total > 0 AND ($1::text IS NULL OR guild_id = $1)
       UNION ALL
       SELECT 'order', id, guild_id, status, $4 || id || $5 FROM code_orders WHERE price > 0 AND ($1::text IS NULL OR guild_id = $1)
       UNION ALL
       SELECT 'withdrawal', id, guild_id, status, $6 || id || $7 FROM withdrawals WHERE gems > 0 AND ($1::text IS NULL OR guild_id = $1)
     )
     SELECT d.kind, d.id, d.guild_id, d.status, d.key, coalesce(e.status, a.status, 'none') AS hold
       FROM domain d
       LEFT JOIN ledger_entries e ON e.idempotency_key = d.key
       LEFT JOIN ledger_archived_entries a ON a.idempotency_key = d.key
      ORDER BY d.kind, d.id`,
    [guildId ?? null, ...keyParts((id) => `${purchaseFlow.id(id)}:hold`), ...keyParts(orderHoldKey), ...keyParts((id) => `${withdrawFlow.id(id)}:gems`)],
  );
  const out: DomainMismatch[] = [];
  for (const r of rows) {
    const agrees = AGREES[r.kind]?.[r.status];
    if (!agrees || agrees.includes(r.hold)) continue;
    out.push({ kind: r.kind, id: r.id, guildId: r.guild_id, status: r.status, holdKey: r.key, hold: r.hold, problem: `${r.kind} ${r.status} but its hold is ${r.hold} (expected ${agrees.join(' or ')})` });
  }
  return out;
}

/** What a hold key has before and after the row's id, from the function the flow names it with. */
function keyParts(key: (id: string) => string): [string, string] {
  const [before, after] = key('\u0000').split('\u0000');
  return [before!, after!];
}
