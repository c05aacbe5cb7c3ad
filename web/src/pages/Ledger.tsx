import { useState, type FormEvent } from 'react';
import { api, authorization, errorMessage, unwrap, type Answer, type QueryOf } from '../api/client';
import { ErrorMessage, amount, useLoad, when } from '../components/ui';
import { useLive } from '../live/use-live';
import { atLeast } from './levels';
import type { PageProps } from './types';

type Filters = Pick<QueryOf<'/api/guilds/{guildId}/ledger/entries'>, (typeof FILTER_NAMES)[number]>;
type AccountRef = Answer<'/api/guilds/{guildId}/ledger/entries'>['entries'][number]['postings'][number]['account'];
type ValidationReport = Answer<'/api/guilds/{guildId}/ledger/validate', 'post'>;
const FILTER_NAMES = ['account', 'asset', 'type', 'status', 'since', 'until'] as const;
const PAGE_SIZE = 25;

function filtersFromUrl(): Filters {
  const q = new URLSearchParams(window.location.search);
  const f: Filters = {};
  for (const name of FILTER_NAMES) {
    const v = q.get(name);
    if (v) f[name] = v;
  }
  return f;
}

const present = (f: Filters): Filters => Object.fromEntries(Object.entries(f).filter(([, v]) => v)) as Filters;

function accountLabel(a: AccountRef): string {
  return `${a.ownerType}:${a.ownerId}`;
}

/** The guild's ledger: filtered, paged by cursor, downloadable as CSV, checked by validate (admins). */
export function LedgerPage({ guild }: PageProps) {
  const [draft, setDraft] = useState<Filters>(filtersFromUrl);
  const [filters, setFilters] = useState<Filters>(filtersFromUrl);
  /** The cursors of the pages before this one (empty on the first page) and this page's. */
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const path = { guildId: guild.id };
  const page = useLoad(
    () => api.GET('/api/guilds/{guildId}/ledger/entries', { params: { path, query: { ...present(filters), cursor, limit: PAGE_SIZE } } }).then(unwrap),
    [guild.id, JSON.stringify(filters), cursor],
  );
  // New entries appear on the first page only (later pages are stable by their cursor).
  useLive(['balance'], () => {
    if (cursor === undefined) page.reload();
  });

  const apply = (e: FormEvent) => {
    e.preventDefault();
    setFilters(present(draft));
    setCursors([undefined]);
    const q = new URLSearchParams(present(draft) as Record<string, string>).toString();
    window.history.replaceState(null, '', `${window.location.pathname}${q ? `?${q}` : ''}`);
  };

  return (
    <>
      <h1>Ledger</h1>
      <form className="filters" onSubmit={apply} aria-label="Ledger filters">
        <label>
          Account
          <input value={draft.account ?? ''} placeholder="user:123… or system:issuance" onChange={(e) => setDraft({ ...draft, account: e.target.value.trim() })} />
        </label>
        <label>
          Asset
          <input value={draft.asset ?? ''} placeholder="currency" onChange={(e) => setDraft({ ...draft, asset: e.target.value.trim() })} />
        </label>
        <label>
          Types
          <input value={draft.type ?? ''} placeholder="give,daily" onChange={(e) => setDraft({ ...draft, type: e.target.value.replace(/\s/g, '') })} />
        </label>
        <label>
          Status
          <select value={draft.status ?? ''} onChange={(e) => setDraft({ ...draft, status: e.target.value })}>
            <option value="">any</option>
            <option value="posted">posted</option>
            <option value="pending">pending</option>
            <option value="voided">voided</option>
          </select>
        </label>
        <label>
          Since
          <input type="date" value={draft.since ?? ''} onChange={(e) => setDraft({ ...draft, since: e.target.value })} />
        </label>
        <label>
          Until
          <input type="date" value={draft.until ?? ''} onChange={(e) => setDraft({ ...draft, until: e.target.value })} />
        </label>
        <button type="submit" className="primary">
          Apply filters
        </button>
      </form>
      <div className="toolbar">
        <CsvDownload guildId={guild.id} filters={present(filters)} />
        {atLeast(guild.level, 'admin') && <Validate guildId={guild.id} />}
      </div>
      <ErrorMessage error={page.error} />
      <table className="entries" aria-busy={page.loading}>
        <caption>Entries, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Id</th>
            <th scope="col">When</th>
            <th scope="col">Type</th>
            <th scope="col">Status</th>
            <th scope="col">Postings</th>
            <th scope="col">Actor</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {page.data?.entries.map((e) => (
            <tr key={e.id} data-entry-key={e.key}>
              <td>{e.id}</td>
              <td>{when(e.postedAt ?? e.createdAt)}</td>
              <td>{e.type}</td>
              <td>{e.status}</td>
              <td>
                <ul className="postings">
                  {(e.postings.length ? e.postings : e.hold ? [{ account: e.hold.from, asset: e.hold.asset, amount: `-${e.hold.amount}`, accountId: '', balanceAfter: '' }] : []).map((p, i) => (
                    <li key={i}>
                      {accountLabel(p.account)} <span className={p.amount.startsWith('-') ? 'neg' : 'pos'}>{amount(p.amount)}</span> {p.asset}
                    </li>
                  ))}
                </ul>
              </td>
              <td>
                {e.actor.type}:{e.actor.id}
              </td>
              <td>{e.reason ?? ''}</td>
            </tr>
          ))}
          {page.data && page.data.entries.length === 0 && (
            <tr>
              <td colSpan={7}>No entry matches these filters.</td>
            </tr>
          )}
        </tbody>
      </table>
      <nav className="pager" aria-label="Ledger pages">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!page.data?.nextCursor} onClick={() => page.data?.nextCursor && setCursors([...cursors, page.data.nextCursor])}>
          Older
        </button>
      </nav>
    </>
  );
}

/** The CSV export needs the bearer token, so it is fetched and handed to the browser as a file. */
function CsvDownload({ guildId, filters }: { guildId: string; filters: Filters }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      const q = new URLSearchParams(filters as Record<string, string>).toString();
      const res = await fetch(`/api/guilds/${guildId}/ledger/entries.csv${q ? `?${q}` : ''}`, { headers: authorization(), credentials: 'same-origin' });
      if (!res.ok) throw new Error(errorMessage(await res.json().catch(() => undefined), res));
      const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? `ledger-${guildId}.csv`;
      const url = URL.createObjectURL(await res.blob());
      const a = document.createElement('a');
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <>
      <button type="button" onClick={() => void download()} disabled={busy}>
        Download CSV
      </button>
      <ErrorMessage error={error} />
    </>
  );
}

function Validate({ guildId }: { guildId: string }) {
  const [report, setReport] = useState<ValidationReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(unwrap(await api.POST('/api/guilds/{guildId}/ledger/validate', { params: { path: { guildId } } })));
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  };
  const problems = report
    ? [
        ...report.assets.filter((a) => !a.ok).map((a) => `${a.asset}: balances sum to ${a.sumOfBalances}, postings to ${a.sumOfPostings}`),
        ...report.inconsistentEntries.map((e) => `${e.key}: ${e.problem}`),
        ...report.duplicateKeys.map((d) => `${d.key} applied ${d.entries} times`),
        ...(report.negativeUserAccounts.length ? [`${report.negativeUserAccounts.length} user account(s) below zero`] : []),
        ...(report.balanceMismatches.length ? [`${report.balanceMismatches.length} account balance(s) differ from their postings`] : []),
        ...(report.unbalancedEntries.length ? [`${report.unbalancedEntries.length} unbalanced entr(ies)`] : []),
        ...(report.domainMismatches.length ? [`${report.domainMismatches.length} purchase/order/withdrawal hold(s) disagree`] : []),
      ]
    : [];
  return (
    <>
      <button type="button" onClick={() => void run()} disabled={busy}>
        Validate ledger
      </button>
      <ErrorMessage error={error} />
      {report && (
        <div role="status" className={report.ok ? 'ok' : 'error'}>
          {report.ok ? `The ledger is consistent (checked ${when(report.checkedAt)}).` : 'The ledger has problems:'}
          {problems.length > 0 && (
            <ul>
              {problems.map((p) => (
                <li key={p}>{p}</li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}
