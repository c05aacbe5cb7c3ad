import { useState } from 'react';
import { api, unwrap, type QueryOf } from '../api/client';
import { ErrorMessage, useLoad, when } from '../components/ui';
import { useLive } from '../live/use-live';
import type { PageProps } from './types';

type SyncState = NonNullable<QueryOf<'/api/guilds/{guildId}/sync'>['state']>;
const STATES: SyncState[] = ['pending', 'orphaned', 'creating', 'synced', 'deleted'];

/** Every message Guildflow keeps in sync on Discord, with its state: pending while Discord fails, orphaned with why. */
export function MessagesPage({ guild }: PageProps) {
  const [state, setState] = useState<SyncState | ''>('');
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const list = useLoad(
    () => api.GET('/api/guilds/{guildId}/sync', { params: { path: { guildId: guild.id }, query: { state: state || undefined, cursor } } }).then(unwrap),
    [guild.id, state, cursor],
  );
  useLive(['sync'], list.reload);
  return (
    <>
      <h1>Messages</h1>
      <div className="filters">
        <label>
          Sync state
          <select
            value={state}
            onChange={(e) => {
              setState(e.target.value as SyncState | '');
              setCursors([undefined]);
            }}
          >
            <option value="">any</option>
            {STATES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={list.error} />
      <table>
        <caption>Synced messages, most recently changed first</caption>
        <thead>
          <tr>
            <th scope="col">What</th>
            <th scope="col">Channel</th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              Edits
            </th>
            <th scope="col">Last synced</th>
            <th scope="col">Last error</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((m) => (
            <tr key={`${m.entityType}:${m.entityId}`}>
              <td>
                {m.entityType} <code>{m.entityId}</code>
              </td>
              <td>{m.channelId ? <code>{m.channelId}</code> : '—'}</td>
              <td>{m.state}</td>
              <td className="num">{m.edits}</td>
              <td>{when(m.syncedAt)}</td>
              <td>{m.lastError ?? ''}</td>
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && (
            <tr>
              <td colSpan={6}>No synced message.</td>
            </tr>
          )}
        </tbody>
      </table>
      <nav className="pager" aria-label="Message pages">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Newer
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!list.data?.nextCursor} onClick={() => list.data?.nextCursor && setCursors([...cursors, list.data.nextCursor])}>
          Older
        </button>
      </nav>
    </>
  );
}
