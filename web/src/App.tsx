import { useCallback, useEffect, useState } from 'react';
import type { Session } from './api/client';
import { loginUrl, logout, refreshSession } from './auth/session';
import { ErrorMessage, Link } from './components/ui';
import { GuildShell } from './GuildShell';
import { navigate, usePath } from './router';

type State = { kind: 'loading' } | { kind: 'anonymous'; error?: string } | { kind: 'signed-in'; session: Session };

/** The dashboard: the login page, the guild picker, or one guild's pages. */
export function App() {
  const path = usePath();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const onSession = useCallback((session: Session | null) => setState(session ? { kind: 'signed-in', session } : { kind: 'anonymous' }), []);

  useEffect(() => {
    refreshSession(onSession).then(onSession, (err: unknown) => setState({ kind: 'anonymous', error: err instanceof Error ? err.message : String(err) }));
  }, [onSession]);

  if (state.kind === 'loading') {
    return (
      <main className="center" aria-busy="true">
        <p>Loading…</p>
      </main>
    );
  }
  if (state.kind === 'anonymous') return <LoginPage next={path} error={state.error} />;

  const { session } = state;
  const match = /^\/guilds\/(\d+)(?:\/([a-z-]+))?\/?$/.exec(path);
  const guild = match ? session.guilds.find((g) => g.id === match[1]) : undefined;
  const signOut = () => {
    logout().finally(() => {
      setState({ kind: 'anonymous' });
      navigate('/');
    });
  };
  if (guild) return <GuildShell session={session} guild={guild} page={match?.[2] ?? ''} onLogout={signOut} />;
  return <GuildPicker session={session} unknown={match ? match[1] : undefined} onLogout={signOut} />;
}

function LoginPage({ next, error }: { next: string; error?: string }) {
  useEffect(() => {
    document.title = 'Log in · Guildflow';
  }, []);
  return (
    <main className="center login">
      <h1>Guildflow dashboard</h1>
      <p>Manage your server’s economy, shop, tasks and announcements.</p>
      <ErrorMessage error={error} />
      <a className="button primary" href={loginUrl(next)}>
        Log in with Discord
      </a>
    </main>
  );
}

function GuildPicker({ session, unknown, onLogout }: { session: Session; unknown?: string; onLogout: () => void }) {
  useEffect(() => {
    document.title = 'Servers · Guildflow';
  }, []);
  return (
    <main className="center picker">
      <header className="picker-head">
        <h1>Choose a server</h1>
        <p>
          Logged in as <strong>{session.user.globalName ?? session.user.username}</strong>.{' '}
          <button type="button" className="link" onClick={onLogout}>
            Log out
          </button>
        </p>
      </header>
      {unknown && <ErrorMessage error={`You have no access to server ${unknown} (or Guildflow is not in it).`} />}
      {session.guilds.length === 0 ? (
        <p>Guildflow is in none of your servers yet.</p>
      ) : (
        <ul className="guilds">
          {session.guilds.map((g) => (
            <li key={g.id}>
              <Link href={`/guilds/${g.id}/`} className="guild-card">
                {g.iconUrl ? <img src={g.iconUrl} alt="" width={48} height={48} /> : <span className="guild-initial" aria-hidden="true">{g.name.slice(0, 1)}</span>}
                <span className="guild-name">{g.name}</span>
                <span className="level">{g.level}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </main>
  );
}
