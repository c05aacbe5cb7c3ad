/**
 * What the workload did, as its clients saw it: every operation with the key it can be found by, and
 * whether the system ACKNOWLEDGED it (the API answered 2xx, the interaction got its success message, the
 * gateway took the payment). Only acknowledged operations are owed; each must be applied exactly once.
 */
export const OPERATION_KINDS = ['daily', 'give', 'adjust', 'purchase', 'timedRole', 'order', 'topup', 'deposit', 'withdraw', 'task', 'verify'] as const;
export type OperationKind = (typeof OPERATION_KINDS)[number];

export interface Operation {
  kind: OperationKind;
  /** The ledger key (or row id) the operation is applied under. */
  key: string;
  outcome: 'acknowledged' | 'refused' | 'unanswered';
  /** Why it was refused or not answered (a title, a status), for the counts. */
  detail?: string;
  /** How many requests carried this key (repeats to one or both API processes). */
  sends?: number;
  /** How many of those answers said they applied it (not a replay; a withdrawal: to deliver it): more than one is a violation. */
  firstApplications?: number;
}

export class OperationLog {
  private readonly ops: Operation[] = [];

  record(op: Operation): void {
    this.ops.push(op);
  }

  all(): readonly Operation[] {
    return this.ops;
  }

  acknowledged(kind: OperationKind): Operation[] {
    return this.ops.filter((o) => o.kind === kind && o.outcome === 'acknowledged');
  }

  /** Per kind: acknowledged / refused / unanswered, and the repeated sends of idempotent requests. */
  counts(): Record<OperationKind, { acknowledged: number; refused: number; unanswered: number; repeatedSends: number }> {
    const out = Object.fromEntries(OPERATION_KINDS.map((k) => [k, { acknowledged: 0, refused: 0, unanswered: 0, repeatedSends: 0 }])) as ReturnType<OperationLog['counts']>;
    for (const op of this.ops) {
      out[op.kind][op.outcome] += 1;
      out[op.kind].repeatedSends += Math.max(0, (op.sends ?? 1) - 1);
    }
    return out;
  }
}
