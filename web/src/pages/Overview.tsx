import { api, unwrap } from '../api/client';
import { ErrorMessage, Link, Notice, amount, useLoad } from '../components/ui';
import { VolumeChart } from '../components/VolumeChart';
import { useLive } from '../live/use-live';
import { atLeast } from './levels';
import type { PageProps } from './types';

const DAYS = 30;
const STATS_EVERY_MS = 5_000;

function lastDays(n: number): string[] {
  const today = new Date();
  return Array.from({ length: n }, (_, i) => new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - (n - 1 - i))).toISOString().slice(0, 10));
}

/**
 * The guild at a glance: what members hold (the negative of what the system accounts hold: every entry
 * balances), volume per day and type, the top holders, its open flows by kind, and flows stuck on a step.
 */
export function OverviewPage({ guild }: PageProps) {
  const path = { guildId: guild.id };
  const days = lastDays(DAYS);
  // The figures come first: the volume query reads a month of entries and must not hold the page up.
  const data = useLoad(async () => {
    const [assets, system] = await Promise.all([
      api.GET('/api/guilds/{guildId}/ledger/assets', { params: { path } }).then(unwrap),
      api.GET('/api/guilds/{guildId}/ledger/accounts', { params: { path, query: { ownerType: 'system', limit: 500 } } }).then(unwrap),
    ]);
    const circulation = new Map<string, bigint>();
    for (const a of system.accounts) circulation.set(a.asset, (circulation.get(a.asset) ?? 0n) - BigInt(a.balance));
    return { assets: assets.assets, circulation };
  }, [guild.id]);
  const stats = useLoad(() => api.GET('/api/guilds/{guildId}/ledger/stats', { params: { path, query: { since: days[0], top: 10 } } }).then(unwrap), [guild.id]);
  useLive(['balance'], data.reload);
  // A month's volume and the top holders move slowly: reloaded every few seconds at most, however busy.
  useLive(['balance'], stats.reload, STATS_EVERY_MS);
  const isAdmin = atLeast(guild.level, 'admin');
  const isMod = atLeast(guild.level, 'mod');

  return (
    <>
      <h1>Overview</h1>
      <ErrorMessage error={data.error} />
      {data.data && (
        <section aria-labelledby="circulation">
          <h2 id="circulation">In circulation</h2>
          <ul className="cards">
            {data.data.assets.map((a) => (
              <li key={a.code} className="card">
                <span className="card-label">
                  {a.emoji} {a.name}
                </span>
                <span className="card-value" data-testid={`circulation-${a.code}`}>
                  {amount(data.data!.circulation.get(a.code) ?? 0n)}
                </span>
              </li>
            ))}
          </ul>
        </section>
      )}
      <ErrorMessage error={stats.error} />
      {!stats.data && !stats.error && <p aria-busy="true">Loading the volume of the last {DAYS} days…</p>}
      {stats.data && (
        <>
          <section aria-labelledby="volume">
            <h2 id="volume">Volume, last {DAYS} days</h2>
            <VolumeChart rows={stats.data.volume} days={days} />
            <table>
              <caption>Totals by type</caption>
              <thead>
                <tr>
                  <th scope="col">Type</th>
                  <th scope="col">Asset</th>
                  <th scope="col" className="num">
                    Entries
                  </th>
                  <th scope="col" className="num">
                    Volume
                  </th>
                </tr>
              </thead>
              <tbody>
                {stats.data.totals.map((t) => (
                  <tr key={`${t.type}/${t.asset}`}>
                    <td>{t.type}</td>
                    <td>{t.asset}</td>
                    <td className="num">{t.entries}</td>
                    <td className="num">{amount(t.volume)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section aria-labelledby="holders">
            <h2 id="holders">Top holders</h2>
            {stats.data.topHolders.map((h) => (
              <table key={h.asset}>
                <caption>{h.asset}</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">Member</th>
                    <th scope="col" className="num">
                      Balance
                    </th>
                    <th scope="col" className="num">
                      Held
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {h.holders.map((m, i) => (
                    <tr key={m.userId}>
                      <td>{i + 1}</td>
                      <td>
                        <Link href={`/guilds/${guild.id}/ledger?account=user:${m.userId}`}>{m.userId}</Link>
                      </td>
                      <td className="num">{amount(m.balance)}</td>
                      <td className="num">{amount(m.held)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ))}
          </section>
        </>
      )}
      {isMod && <OpenFlows guildId={guild.id} />}
      {isAdmin && <StuckFlows guildId={guild.id} />}
    </>
  );
}

/** A link that opens the Temporal UI beside the dashboard, or nothing when the API knows no UI. */
function TemporalLink({ href, label }: { href: string | null; label: string }) {
  return href ? (
    <a href={href} target="_blank" rel="noreferrer">
      {label}
    </a>
  ) : null;
}

/** The guild's running flows per kind, each opening the Temporal UI filtered to them (GuildId, FlowKind, running). */
function OpenFlows({ guildId }: { guildId: string }) {
  const flows = useLoad(() => api.GET('/api/guilds/{guildId}/flows/open', { params: { path: { guildId } } }).then(unwrap), [guildId]);
  return (
    <section aria-labelledby="open-flows">
      <h2 id="open-flows">Open flows</h2>
      <ErrorMessage error={flows.error} />
      {flows.data &&
        (flows.data.total === 0 ? (
          <p>No flow is running.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Kind</th>
                <th scope="col" className="num">
                  Running
                </th>
                <th scope="col">Temporal UI</th>
              </tr>
            </thead>
            <tbody>
              {flows.data.items.map((k) => (
                <tr key={k.kind} data-testid={`open-flows-${k.kind}`}>
                  <td>{k.kind}</td>
                  <td className="num">{k.count}</td>
                  <td>
                    <TemporalLink href={k.link} label={`Open ${k.kind} flows`} />
                  </td>
                </tr>
              ))}
            </tbody>
            <tfoot>
              <tr>
                <th scope="row">All</th>
                <td className="num">{flows.data.total}</td>
                <td>
                  <TemporalLink href={flows.data.link} label="All open flows" />
                </td>
              </tr>
            </tfoot>
          </table>
        ))}
      {flows.data && !flows.data.link && <Notice>Set TEMPORAL_UI_URL on the API to link these to the Temporal UI.</Notice>}
    </section>
  );
}

function StuckFlows({ guildId }: { guildId: string }) {
  const flows = useLoad(() => api.GET('/api/guilds/{guildId}/flows/stuck', { params: { path: { guildId } } }).then(unwrap), [guildId]);
  return (
    <section aria-labelledby="stuck">
      <h2 id="stuck">Stuck flows</h2>
      <ErrorMessage error={flows.error} />
      {flows.data &&
        (flows.data.items.length === 0 ? (
          <p>No flow is stuck.</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">Flow</th>
                <th scope="col">Kind</th>
                <th scope="col">Step</th>
                <th scope="col">Since</th>
                <th scope="col">Failure</th>
              </tr>
            </thead>
            <tbody>
              {flows.data.items.map((f) => (
                <tr key={f.workflowId}>
                  <td>
                    <code>{f.workflowId}</code>
                  </td>
                  <td>{f.kind ?? '—'}</td>
                  <td>{f.stuck?.step ?? f.step}</td>
                  <td>{f.stuck ? new Date(f.stuck.since).toLocaleString() : '—'}</td>
                  <td>{f.stuck?.failure ?? 'The flow did not answer in time (is a worker running?).'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ))}
    </section>
  );
}
