import { api, unwrap } from '../api/client';
import { Pager, useCursors } from '../components/forms';
import { ErrorMessage, useLoad, when } from '../components/ui';
import type { PageProps } from './types';

const PAGE_SIZE = 50;

/** The audit trail (who changed what, from Discord, the dashboard or a token), newest first. */
export function AuditPage({ guild }: PageProps) {
  const paging = useCursors();
  const list = useLoad(
    () => api.GET('/api/guilds/{guildId}/audit-events', { params: { path: { guildId: guild.id }, query: { cursor: paging.cursor, limit: PAGE_SIZE } } }).then(unwrap),
    [guild.id, paging.cursor],
  );
  return (
    <>
      <h1>Audit log</h1>
      <ErrorMessage error={list.error} />
      <table aria-busy={list.loading}>
        <caption>Changes, newest first</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Who</th>
            <th scope="col">Action</th>
            <th scope="col">Target</th>
            <th scope="col">Details</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.events.map((e) => (
            <tr key={e.id} data-event-id={e.id}>
              <td>{when(e.createdAt)}</td>
              <td>
                {e.actorType} <code>{e.actorId}</code>
              </td>
              <td>
                <code>{e.action}</code>
              </td>
              <td>{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : ''}</td>
              <td>
                {e.data !== null && e.data !== undefined && (
                  <details>
                    <summary>Data</summary>
                    <pre className="audit-data">{JSON.stringify(e.data, null, 2)}</pre>
                  </details>
                )}
              </td>
            </tr>
          ))}
          {list.data && list.data.events.length === 0 && (
            <tr>
              <td colSpan={5}>Nothing recorded yet.</td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager paging={paging} next={list.data?.nextCursor} label="Audit pages" words={['Newer', 'Older']} />
    </>
  );
}
