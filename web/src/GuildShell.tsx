import { Suspense, lazy, useEffect, useMemo, useRef, type ComponentType } from 'react';
import type { GuildLevel, Session } from './api/client';
import { Link } from './components/ui';
import { followEvents } from './live/event-stream';
import { LiveContext, type Subscribe } from './live/use-live';
import { atLeast } from './pages/levels';
import { MemberHome } from './pages/MemberHome';
import { OverviewPage } from './pages/Overview';
import type { Guild, PageProps } from './pages/types';

/**
 * The landing pages come with the app; every other page (and the request schemas its forms check with) is
 * loaded when first opened, so the first page is interactive sooner.
 */
const LedgerPage = lazy(() => import('./pages/Ledger').then((m) => ({ default: m.LedgerPage })));
const MembersPage = lazy(() => import('./pages/Members').then((m) => ({ default: m.MembersPage })));
const TasksPage = lazy(() => import('./pages/Tasks').then((m) => ({ default: m.TasksPage })));
const OrdersPage = lazy(() => import('./pages/Orders').then((m) => ({ default: m.OrdersPage })));
const ShopPage = lazy(() => import('./pages/Shop').then((m) => ({ default: m.ShopPage })));
const AnnouncementsPage = lazy(() => import('./pages/Announcements').then((m) => ({ default: m.AnnouncementsPage })));
const MessagesPage = lazy(() => import('./pages/Messages').then((m) => ({ default: m.MessagesPage })));
const SettingsPage = lazy(() => import('./pages/Settings').then((m) => ({ default: m.SettingsPage })));
const GrantsPage = lazy(() => import('./pages/Grants').then((m) => ({ default: m.GrantsPage })));
const ApiTokensPage = lazy(() => import('./pages/ApiTokens').then((m) => ({ default: m.ApiTokensPage })));
const AuditPage = lazy(() => import('./pages/Audit').then((m) => ({ default: m.AuditPage })));


interface PageDef {
  slug: string;
  label: string;
  /** The least level that sees the page (the API's read level for what it shows). */
  level: GuildLevel;
  /** Members (below mod) see only the pages meant for them. */
  onlyBelow?: GuildLevel;
  Page: ComponentType<PageProps>;
}

const PAGES: readonly PageDef[] = [
  { slug: '', label: 'Home', level: 'user', onlyBelow: 'mod', Page: MemberHome },
  { slug: '', label: 'Overview', level: 'mod', Page: OverviewPage },
  { slug: 'ledger', label: 'Ledger', level: 'mod', Page: LedgerPage },
  { slug: 'members', label: 'Members', level: 'mod', Page: MembersPage },
  { slug: 'tasks', label: 'Tasks', level: 'mod', Page: TasksPage },
  { slug: 'orders', label: 'Orders & top-ups', level: 'mod', Page: OrdersPage },
  { slug: 'shop', label: 'Shop', level: 'mod', Page: ShopPage },
  { slug: 'announcements', label: 'Announcements', level: 'mod', Page: AnnouncementsPage },
  { slug: 'messages', label: 'Messages', level: 'mod', Page: MessagesPage },
  { slug: 'settings', label: 'Settings', level: 'admin', Page: SettingsPage },
  { slug: 'grants', label: 'Grants', level: 'admin', Page: GrantsPage },
  { slug: 'api-tokens', label: 'API tokens', level: 'admin', Page: ApiTokensPage },
  { slug: 'audit', label: 'Audit log', level: 'admin', Page: AuditPage },
];

/** The live event kinds the pages follow (admins only: the stream needs an admin token). */
const LIVE_KINDS = ['balance', 'task', 'task_claim', 'order', 'topup', 'purchase', 'shop_item'] as const;

function useLiveStream(guild: Guild): Subscribe {
  const listeners = useRef(new Map<() => void, ReadonlySet<string>>());
  useEffect(() => {
    if (!atLeast(guild.level, 'admin')) return;
    const stop = new AbortController();
    void followEvents(
      guild.id,
      LIVE_KINDS,
      (e) => {
        for (const [listener, kinds] of listeners.current) if (kinds.has(e.kind) || e.kind === 'reset') listener();
      },
      stop.signal,
    );
    return () => stop.abort();
  }, [guild.id, guild.level]);
  return useMemo<Subscribe>(
    () => (kinds, listener) => {
      listeners.current.set(listener, new Set(kinds));
      return () => listeners.current.delete(listener);
    },
    [],
  );
}

/** One guild: navigation for the member's level, the open page, live updates. */
export function GuildShell({ session, guild, page, onLogout }: { session: Session; guild: Guild; page: string; onLogout: () => void }) {
  const pages = PAGES.filter((p) => atLeast(guild.level, p.level) && (!p.onlyBelow || !atLeast(guild.level, p.onlyBelow)));
  const current = pages.find((p) => p.slug === page);
  const subscribe = useLiveStream(guild);
  const title = current ? current.label : 'Not found';
  useEffect(() => {
    document.title = `${title} · ${guild.name} · Guildflow`;
  }, [title, guild.name]);
  const mainRef = useRef<HTMLElement>(null);
  useEffect(() => {
    mainRef.current?.focus();
  }, [page]);

  return (
    <div className="shell">
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="topbar">
        <Link href="/" className="brand">
          Guildflow
        </Link>
        <span className="guild-title">
          {guild.iconUrl && <img src={guild.iconUrl} alt="" width={24} height={24} />} {guild.name} <span className="level">{guild.level}</span>
        </span>
        <span className="user">
          {session.user.avatarUrl && <img src={session.user.avatarUrl} alt="" width={24} height={24} className="avatar" />}
          {session.user.globalName ?? session.user.username}
          <button type="button" onClick={onLogout}>
            Log out
          </button>
        </span>
      </header>
      <nav aria-label="Dashboard pages" className="sidebar">
        <ul>
          {pages.map((p) => (
            <li key={p.label}>
              <Link href={`/guilds/${guild.id}/${p.slug}`} aria-current={p === current ? 'page' : undefined}>
                {p.label}
              </Link>
            </li>
          ))}
          <li>
            <Link href="/">All servers</Link>
          </li>
        </ul>
      </nav>
      <main id="main" ref={mainRef} tabIndex={-1} className="content">
        <LiveContext.Provider value={subscribe}>
          {current ? (
            <Suspense fallback={<p role="status">Loading…</p>}>
              <current.Page key={`${guild.id}/${current.slug}`} guild={guild} />
            </Suspense>
          ) : (
            <>
              <h1>Not found</h1>
              <p>This page does not exist, or your level ({guild.level}) does not show it.</p>
            </>
          )}
        </LiveContext.Provider>
      </main>
    </div>
  );
}
