import { holdReversalKey } from '../../lib/flows/ledger';
import { orderHoldKey } from '../../lib/flows/orders';
import { purchaseFlow } from '../../lib/flows/shop';
import { taskRevokeKey } from '../../lib/flows/tasks';
import { withdrawFlow } from '../../lib/flows/trades';
import type { SqlPool } from '../../prisma/transactions';

/**
 * What the ledger holds under a key: nothing, or the entry's status; for a hold, 'reversed' when it was
 * posted and then taken back by undoHold's reversal entry (under `holdReversalKey(key)`).
 */
type LedgerState = 'none' | 'pending' | 'posted' | 'voided' | 'reversed';

/**
 * For each finished domain row, the hold states that agree with it. A row still running (a purchase or
 * order `pending`, a withdrawal `escrowed`, an order waiting for funds or an admin) is its flow's to
 * finish and is not judged here. 'reversed' (charged, then given back in full) agrees with every outcome
 * that delivered nothing, never with one that delivered.
 */
const AGREES: Record<string, Record<string, readonly LedgerState[]>> = {
  purchase: { completed: ['posted'], role_expired: ['posted'], failed: ['none', 'voided', 'reversed'] },
  order: { completed: ['posted'], failed: ['none', 'voided', 'reversed'], refunded: ['voided', 'reversed'] },
  // A partial delivery posts what was delivered: all of it voided when only pets arrived. A refusal can
  // come after the gems were escrowed (the pets could not be): released, never kept.
  withdrawal: {
    delivered: ['posted'],
    partial: ['posted', 'voided'],
    cancelled: ['voided', 'reversed'],
    expired: ['voided', 'reversed'],
    failed: ['voided', 'reversed'],
    refused: ['none', 'voided', 'reversed'],
  },
};


export interface DomainMismatch {
  kind: 'purchase' | 'order' | 'withdrawal' | 'task_claim';
  id: string;
  guildId: string;
  status: string;
  /** The ledger key checked: the row's hold, or a task claim's award or reversal. */
  key: string;
  /** What the ledger holds there. */
  ledger: LedgerState;
  problem: string;
}

/**
 * The ledger's `validate()` sees only the ledger; this compares what the domain says happened with the
 * money: a completed purchase or order whose hold was never posted (charged nothing), a failed one whose
 * hold is still pending or was posted and not reversed (charged for nothing), a withdrawal whose escrow
 * disagrees with its outcome, a task claim that says it paid an award (or took one back) the ledger does
 * not have. Empty on a consistent database. Live and archived entries both count.
 */
export async function domainMismatches(pool: SqlPool, guildId?: string): Promise<DomainMismatch[]> {
  const [holds, claims] = await Promise.all([holdMismatches(pool, guildId), taskClaimMismatches(pool, guildId)]);
  return [...holds, ...claims];
}

/** The status of the entry under `key` (live or archived), or 'none'; SQL for the columns of `key`. */
const entryStatus = (key: string) =>
  `coalesce((SELECT e.status FROM ledger_entries e WHERE e.idempotency_key = ${key}),
            (SELECT a.status FROM ledger_archived_entries a WHERE a.idempotency_key = ${key}), 'none')`;

async function holdMismatches(pool: SqlPool, guildId?: string): Promise<DomainMismatch[]> {
  const { rows } = await pool.query<{ kind: DomainMismatch['kind']; id: string; guild_id: string; status: string; key: string; hold: LedgerState; reversal: string }>(
    `WITH domain AS (
       SELECT 'purchase' AS kind, id, guild_id, status, $2 || id || $3 AS key FROM shop_purchases WHERE total > 0 AND ($1::text IS NULL OR guild_id = $1)
       UNION ALL
       SELECT 'order', id, guild_id, status, $4 || id || $5 FROM code_orders WHERE price > 0 AND ($1::text IS NULL OR guild_id = $1)
       UNION ALL
       SELECT 'withdrawal', id, guild_id, status, $6 || id || $7 FROM withdrawals WHERE gems > 0 AND ($1::text IS NULL OR guild_id = $1)
     )
     SELECT d.kind, d.id, d.guild_id, d.status, d.key, ${entryStatus('d.key')} AS hold, ${entryStatus('$8 || d.key || $9')} AS reversal
       FROM domain d
      ORDER BY d.kind, d.id`,
    [
      guildId ?? null,
      ...keyParts((id) => `${purchaseFlow.id(id)}:hold`),
      ...keyParts(orderHoldKey),
      ...keyParts((id) => `${withdrawFlow.id(id)}:gems`),
      ...keyParts(holdReversalKey),
    ],
  );
  const out: DomainMismatch[] = [];
  for (const r of rows) {
    const state: LedgerState = r.hold === 'posted' && r.reversal === 'posted' ? 'reversed' : r.hold;
    const agrees = AGREES[r.kind]?.[r.status];
    if (!agrees || agrees.includes(state)) continue;
    out.push({ kind: r.kind, id: r.id, guildId: r.guild_id, status: r.status, key: r.key, ledger: state, problem: `${r.kind} ${r.status} but its hold is ${state} (expected ${agrees.join(' or ')})` });
  }
  return out;
}

/**
 * Task claims against their awards (written by taskComplete: `reward_paid` and `award_key`) and reversals
 * (taskMarkRevoked: `reversed_amount`): a claim that paid a reward has a posted award entry under its
 * award key; a revoked claim that took something back has a posted reversal, and one that took nothing
 * back has none.
 */
async function taskClaimMismatches(pool: SqlPool, guildId?: string): Promise<DomainMismatch[]> {
  const { rows } = await pool.query<{ id: string; guild_id: string; status: string; paid: boolean; award_key: string | null; award: LedgerState; reversed: boolean; revoke_key: string; reversal: LedgerState }>(
    `SELECT c.id, c.guild_id, c.status, coalesce(c.reward_paid > 0, false) AS paid, c.award_key,
            ${entryStatus('c.award_key')} AS award,
            coalesce(c.reversed_amount > 0, false) AS reversed, $2 || c.id || $3 AS revoke_key,
            ${entryStatus('$2 || c.id || $3')} AS reversal
       FROM task_claims c
      WHERE (c.reward_paid IS NOT NULL OR c.status = 'revoked') AND ($1::text IS NULL OR c.guild_id = $1)
      ORDER BY c.id`,
    [guildId ?? null, ...keyParts(taskRevokeKey)],
  );
  const out: DomainMismatch[] = [];
  for (const r of rows) {
    const claim = { kind: 'task_claim' as const, id: r.id, guildId: r.guild_id, status: r.status };
    if (r.paid && r.award_key === null) {
      out.push({ ...claim, key: '', ledger: 'none', problem: `task claim ${r.status} says a reward was paid but names no award key` });
    } else if (r.paid && r.award !== 'posted') {
      out.push({ ...claim, key: r.award_key!, ledger: r.award, problem: `task claim ${r.status} says a reward was paid but its award is ${r.award} (expected posted)` });
    }
    if (r.status !== 'revoked') continue;
    const expected: LedgerState = r.reversed ? 'posted' : 'none';
    if (r.reversal !== expected) {
      out.push({
        ...claim,
        key: r.revoke_key,
        ledger: r.reversal,
        problem: `task claim revoked ${r.reversed ? 'says an award was taken back' : 'took nothing back'} but its reversal is ${r.reversal} (expected ${expected})`,
      });
    }
  }
  return out;
}

/** What a key has before and after the row's id, from the function the flow names it with. */
function keyParts(key: (id: string) => string): [string, string] {
  const [before, after] = key('\u0000').split('\u0000');
  return [before!, after!];
}
