import { useState } from 'react';
import { api, errorMessage, unwrap, type Answer, type QueryOf, type Schemas } from '../api/client';
import { claimReviewSchema, claimRevokeSchema } from '../../../lib/requests/tasks';
import { checked } from '../components/forms';
import { ErrorMessage, amount, useLoad, when } from '../components/ui';
import { useLive } from '../live/use-live';
import { atLeast } from './levels';
import { TaskManager } from './TaskEditor';
import type { PageProps } from './types';

/** A claim as the API sends it: its declared fields, and the other columns the card shows. */
type Claim = Schemas['TaskClaim'];
type ClaimStatus = NonNullable<QueryOf<'/api/guilds/{guildId}/tasks/claims'>['status']>;
/** A review's or revoke's answer: the workflow's word (`ok`, and its message). */
type ActionAnswer = Answer<'/api/guilds/{guildId}/tasks/{taskId}/claims/{userId}/review', 'post'>;
const STATUSES: ClaimStatus[] = ['submitted', 'claimed', 'completed', 'revoked', 'expired', 'abandoned', 'cancelled'];

/** The tasks (post, edit, close, remove, announce) and the claims queue. */
export function TasksPage({ guild }: PageProps) {
  return (
    <>
      <h1>Tasks</h1>
      <TaskManager guild={guild} />
      <ClaimsQueue guild={guild} />
    </>
  );
}

/** The claims queue: proofs waiting for review first; Accept / Reject / Revoke as the Discord buttons do. */
function ClaimsQueue({ guild }: PageProps) {
  const [status, setStatus] = useState<ClaimStatus | ''>('submitted');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const claims = useLoad(
    () => api.GET('/api/guilds/{guildId}/tasks/claims', { params: { path: { guildId: guild.id }, query: { status: status || undefined, cursor, limit: 25 } } }).then(unwrap),
    [guild.id, status, cursor],
  );
  useLive(['task_claim'], claims.reload);
  const canDecide = atLeast(guild.level, 'admin');

  return (
    <section aria-labelledby="claims-queue">
      <h2 id="claims-queue">Claims</h2>
      <div className="filters">
        <label>
          Claim status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as ClaimStatus | '');
              setCursors([undefined]);
            }}
          >
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={claims.error} />
      {claims.data && claims.data.items.length === 0 && <p>No claim{status ? ` is ${status}` : ''}.</p>}
      <ul className="claims">
        {claims.data?.items.map((c) => <ClaimCard key={c.id} guildId={guild.id} claim={c} canDecide={canDecide} onChanged={claims.reload} />)}
      </ul>
      <nav className="pager" aria-label="Claim pages">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!claims.data?.nextCursor} onClick={() => claims.data?.nextCursor && setCursors([...cursors, claims.data.nextCursor])}>
          Older
        </button>
      </nav>
    </section>
  );
}

function ClaimCard({ guildId, claim, canDecide, onChanged }: { guildId: string; claim: Claim; canDecide: boolean; onChanged: () => void }) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const path = { guildId, taskId: claim.taskId, userId: claim.userId };
  const act = async (send: () => Promise<{ data?: ActionAnswer; error?: unknown; response: Response }>) => {
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const res = await send();
      if (res.data?.ok) {
        setResult(String(res.data.message));
        onChanged();
      } else setError(errorMessage(res.error ?? res.data, res.response));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const reasonId = `reason-${claim.id}`;
  return (
    <li className="panel claim" data-claim-id={claim.id}>
      <h3>
        Task {claim.taskId} · member <code>{claim.userId}</code> · <span className="level">{claim.status}</span>
      </h3>
      <p>
        Claimed {when(claim.createdAt)}, due {when(claim.deadlineAt)}
        {claim.submittedAt && <>, proof sent {when(claim.submittedAt)}</>}
        {claim.rewardPaid && <>, paid {amount(claim.rewardPaid)}</>}
      </p>
      {claim.proofText && <blockquote className="proof">{claim.proofText}</blockquote>}
      {claim.proofUrls.length > 0 && (
        <ul>
          {claim.proofUrls.map((u) => (
            <li key={u}>
              <a href={u} target="_blank" rel="noreferrer noopener">
                {u}
              </a>
            </li>
          ))}
        </ul>
      )}
      {claim.rejectReason && <p>Rejected: {claim.rejectReason}</p>}
      {claim.awardFailure && <p className="error">Award failed: {claim.awardFailure}</p>}
      {claim.revokeReason && <p>Revoked: {claim.revokeReason}</p>}
      {canDecide && (claim.status === 'submitted' || claim.status === 'completed') && (
        <div className="actions">
          <label htmlFor={reasonId}>Reason (needed to reject or revoke)</label>
          <input id={reasonId} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={1000} />
          {claim.status === 'submitted' ? (
            <>
              <button type="button" className="primary" disabled={busy} onClick={() => void act(() => api.POST('/api/guilds/{guildId}/tasks/{taskId}/claims/{userId}/review', { params: { path }, body: checked(claimReviewSchema, { decision: 'accept' as const }) }))}>
                Accept
              </button>
              <button
                type="button"
                disabled={busy}
                onClick={() =>
                  void act(() => api.POST('/api/guilds/{guildId}/tasks/{taskId}/claims/{userId}/review', { params: { path }, body: checked(claimReviewSchema, { decision: 'reject' as const, reason: reason || undefined }) }))
                }
              >
                Reject
              </button>
            </>
          ) : (
            <button type="button" disabled={busy} onClick={() => void act(() => api.POST('/api/guilds/{guildId}/tasks/{taskId}/claims/{userId}/revoke', { params: { path }, body: checked(claimRevokeSchema, { reason }) }))}>
              Revoke
            </button>
          )}
        </div>
      )}
      <ErrorMessage error={error} />
      {result && <p role="status">{result}</p>}
    </li>
  );
}
