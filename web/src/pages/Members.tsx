import { useRef, useState, type FormEvent, type RefObject } from 'react';
import { ApiError, api, unwrap, type Schemas } from '../api/client';
import { balanceAdjustment } from '../../../lib/requests/economy';
import { checked } from '../components/forms';
import { ErrorMessage, amount, useLoad } from '../components/ui';
import { useLive } from '../live/use-live';
import { atLeast } from './levels';
import type { PageProps } from './types';

/** A row of the table: the member's name, picture, Roblox name and balance of the guild's currency. */
interface MemberRow {
  userId: string;
  displayName: string;
  avatarUrl: string | null;
  balance: string;
  robloxUsername: string | null;
}
const PAGE_SIZE = 50;
/** The ledger asset the table shows (the guild's currency). */
const CURRENCY = 'currency';

function rowOf(m: Schemas['Member']): MemberRow {
  return {
    userId: m.userId,
    displayName: m.displayName ?? m.username ?? m.userId,
    avatarUrl: m.avatarUrl,
    balance: m.balances.find((b) => b.asset === CURRENCY)?.balance ?? '0',
    robloxUsername: m.roblox?.name ?? null,
  };
}

/**
 * Members with their balances (GET /members), searchable and paged. Until an API process has the member
 * directory (404 from an older API), the ledger's holders stand in: ids and balances, no names.
 */
async function loadMembers(guildId: string, search: string, cursor: string | undefined): Promise<{ items: MemberRow[]; nextCursor: string | null; fromHolders: boolean }> {
  const path = { guildId };
  const res = await api.GET('/api/guilds/{guildId}/members', { params: { path, query: { search: search || undefined, cursor, limit: PAGE_SIZE } } });
  if (res.response.status !== 404 || (res.error as { error?: { code?: string } } | undefined)?.error?.code !== 'not_found') {
    const page = unwrap(res);
    return { items: page.members.map(rowOf), nextCursor: page.nextCursor, fromHolders: false };
  }
  const holders = unwrap(await api.GET('/api/guilds/{guildId}/ledger/holders', { params: { path, query: { asset: 'currency', limit: PAGE_SIZE, cursor } } }));
  const items = holders.holders.map((h) => ({ userId: h.userId, displayName: h.userId, avatarUrl: null, balance: h.balance, robloxUsername: null })).filter((m) => !search || m.userId.includes(search));
  return { items, nextCursor: holders.nextCursor, fromHolders: true };
}

export function MembersPage({ guild }: PageProps) {
  const [search, setSearch] = useState('');
  const [query, setQuery] = useState('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(() => loadMembers(guild.id, query, cursor), [guild.id, query, cursor]);
  useLive(['balance'], list.reload);
  const [target, setTarget] = useState('');
  const amountRef = useRef<HTMLInputElement>(null);
  const canAdjust = atLeast(guild.level, 'admin');

  return (
    <>
      <h1>Members</h1>
      <form
        className="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setQuery(search.trim());
          setCursors([undefined]);
        }}
      >
        <label>
          Search members
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name or id" />
        </label>
        <button type="submit">Search</button>
      </form>
      {list.data?.fromHolders && <p className="notice">The member directory is not available from this API yet: showing the currency’s holders by id.</p>}
      <ErrorMessage error={list.error} />
      <table aria-busy={list.loading}>
        <caption>Members and balances</caption>
        <thead>
          <tr>
            <th scope="col">Member</th>
            <th scope="col">Id</th>
            <th scope="col">Roblox</th>
            <th scope="col" className="num">
              Balance
            </th>
            {canAdjust && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((m) => (
            <tr key={m.userId} data-user-id={m.userId}>
              <td>
                {m.avatarUrl && <img src={m.avatarUrl} alt="" width={24} height={24} className="avatar" />} {m.displayName}
              </td>
              <td>
                <code>{m.userId}</code>
              </td>
              <td>{m.robloxUsername ?? ''}</td>
              <td className="num balance">{amount(m.balance)}</td>
              {canAdjust && (
                <td>
                  <button
                    type="button"
                    aria-label={`Adjust the balance of ${m.displayName}`}
                    onClick={() => {
                      setTarget(m.userId);
                      amountRef.current?.focus();
                    }}
                  >
                    Adjust
                  </button>
                </td>
              )}
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && (
            <tr>
              <td colSpan={canAdjust ? 5 : 4}>No member found.</td>
            </tr>
          )}
        </tbody>
      </table>
      <nav className="pager" aria-label="Member pages">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!list.data?.nextCursor} onClick={() => list.data?.nextCursor && setCursors([...cursors, list.data.nextCursor])}>
          Next
        </button>
      </nav>
      {canAdjust && <AdjustForm guildId={guild.id} userId={target} onUserId={setTarget} amountRef={amountRef} onDone={list.reload} />}
    </>
  );
}

/** An admin's balance adjustment: positive adds, negative removes; the reason is recorded with it. */
function AdjustForm({
  guildId,
  userId,
  onUserId,
  amountRef,
  onDone,
}: {
  guildId: string;
  userId: string;
  onUserId: (id: string) => void;
  amountRef: RefObject<HTMLInputElement | null>;
  onDone: () => void;
}) {
  const [value, setValue] = useState('');
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [result, setResult] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // One key per intended change: a retry of the same submission is not applied twice.
  const [key, setKey] = useState(() => crypto.randomUUID());

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    setResult(null);
    try {
      const res = unwrap(
        await api.POST('/api/guilds/{guildId}/economy/adjustments', { params: { path: { guildId } }, body: checked(balanceAdjustment, { userId: userId.trim(), amount: value.trim(), reason, idempotencyKey: key }) }),
      );
      setResult(`Done: ${userId}’s balance is now ${amount(res.balance)} ${res.currency.emoji} ${res.currency.name}.`);
      setValue('');
      setReason('');
      setKey(crypto.randomUUID());
      onDone();
    } catch (err) {
      setError(err instanceof ApiError || err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby="adjust-title">
      <h2 id="adjust-title">Adjust a balance</h2>
      <label>
        Member id
        <input value={userId} onChange={(e) => onUserId(e.target.value)} inputMode="numeric" required />
      </label>
      <label>
        Amount (negative removes)
        <input ref={amountRef} value={value} onChange={(e) => setValue(e.target.value)} inputMode="numeric" required placeholder="100 or -50" />
      </label>
      <label>
        Reason
        <input value={reason} onChange={(e) => setReason(e.target.value)} required maxLength={500} />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        Apply adjustment
      </button>
      <ErrorMessage error={error} />
      {result && <p role="status">{result}</p>}
    </form>
  );
}
