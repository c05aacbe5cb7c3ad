import { useState, type FormEvent } from 'react';
import { api, unwrap, type BodyOf, type Schemas } from '../api/client';
import { grantInputSchema, grantSubjectProblem } from '../../../lib/requests/grants';
import { Outcome, Pager, checked, useAction, useCursors } from '../components/forms';
import { DirectoryProblem, RolePicker, roleName, useDirectory } from '../components/pickers';
import { ErrorMessage, useLoad, when } from '../components/ui';
import type { PageProps } from './types';

type GrantInput = BodyOf<'/api/guilds/{guildId}/grants', 'post'>;
type Permission = GrantInput['permission'];
type Grant = Schemas['Grant'];

/** What each grant opens (as /grant describes it); a Record so a new grant in the API's types must be named here. */
const PERMISSIONS: Record<Permission, { label: string; description: string }> = {
  review_tasks: { label: 'Review tasks', description: 'Accept, reject and revoke task proofs and read the review queue.' },
  manage_shop: { label: 'Manage shop', description: 'Add, edit and remove shop items.' },
  manage_announcements: { label: 'Manage announcements', description: 'Write, schedule, edit and cancel announcements and saved embeds.' },
  host_sessions: { label: 'Host sessions', description: 'Start training and tryout sessions on the pads.' },
  manage_tickets: { label: 'Manage tickets', description: 'Claim, close and rename tickets of every type.' },
};
const label = (p: string) => PERMISSIONS[p as Permission]?.label ?? p;

/** Grants: named permissions admins give a member or a role, listed, given and removed (audited by the API). */
export function GrantsPage({ guild }: PageProps) {
  const paging = useCursors();
  const path = { guildId: guild.id };
  const list = useLoad(() => api.GET('/api/guilds/{guildId}/grants', { params: { path, query: { cursor: paging.cursor } } }).then(unwrap), [guild.id, paging.cursor]);
  const directory = useDirectory(guild.id);
  const removal = useAction();
  const subject = (g: Grant) => (g.subjectType === 'role' ? `role ${roleName(directory, g.subjectId)}` : `member ${g.subjectId}`);
  const remove = (g: Grant) => {
    if (!window.confirm(`Remove ${label(g.permission)} from ${subject(g)}?`)) return;
    void removal.run(async () => {
      unwrap(await api.DELETE('/api/guilds/{guildId}/grants/{id}', { params: { path: { ...path, id: g.id } } }));
      list.reload();
      return `Removed ${label(g.permission)} from ${subject(g)}.`;
    });
  };
  return (
    <>
      <h1>Grants</h1>
      <p className="notice">A grant lets a member, or everyone with a role, do one thing that otherwise needs a higher level.</p>
      <ErrorMessage error={list.error} />
      <table>
        <caption>Grants of this server</caption>
        <thead>
          <tr>
            <th scope="col">Permission</th>
            <th scope="col">Given to</th>
            <th scope="col">Given by</th>
            <th scope="col">Since</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.grants.map((g) => (
            <tr key={g.id} data-grant-id={g.id}>
              <td>{label(g.permission)}</td>
              <td>{subject(g)}</td>
              <td>
                <code>{g.grantedBy}</code>
              </td>
              <td>{when(g.createdAt)}</td>
              <td>
                <button type="button" onClick={() => remove(g)} disabled={removal.busy} aria-label={`Remove ${label(g.permission)} from ${subject(g)}`}>
                  Remove
                </button>
              </td>
            </tr>
          ))}
          {list.data && list.data.grants.length === 0 && (
            <tr>
              <td colSpan={5}>No grant yet.</td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager paging={paging} next={list.data?.nextCursor} label="Grant pages" />
      <Outcome error={removal.error} done={removal.done} />
      <GrantForm guildId={guild.id} directory={directory} onGranted={list.reload} />
    </>
  );
}

function GrantForm({ guildId, directory, onGranted }: { guildId: string; directory: ReturnType<typeof useDirectory>; onGranted: () => void }) {
  const [permission, setPermission] = useState<Permission>('review_tasks');
  const [subjectType, setSubjectType] = useState<GrantInput['subjectType']>('role');
  const [subjectId, setSubjectId] = useState('');
  const { error, done, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const body = { permission, subjectType, subjectId: subjectId.trim() };
      checked(grantInputSchema, body, grantSubjectProblem(guildId, body));
      const r = unwrap(await api.POST('/api/guilds/{guildId}/grants', { params: { path: { guildId } }, body }));
      onGranted();
      return r.added ? `Granted ${label(r.grant.permission)}.` : `Already granted: nothing changed.`;
    });
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="new-grant">
      <h2 id="new-grant">Give a grant</h2>
      <DirectoryProblem directory={directory} />
      <label>
        Permission
        <select value={permission} onChange={(e) => setPermission(e.target.value as Permission)} aria-describedby="permission-help">
          {(Object.keys(PERMISSIONS) as Permission[]).map((p) => (
            <option key={p} value={p}>
              {PERMISSIONS[p].label}
            </option>
          ))}
        </select>
      </label>
      <p id="permission-help" className="notice">
        {PERMISSIONS[permission].description}
      </p>
      <fieldset>
        <legend>Give it to</legend>
        {(['role', 'user'] as const).map((t) => (
          <label key={t} className="check">
            <input
              type="radio"
              name="subject-type"
              value={t}
              checked={subjectType === t}
              onChange={() => {
                setSubjectType(t);
                setSubjectId('');
              }}
            />
            {t === 'role' ? 'Everyone with a role' : 'One member'}
          </label>
        ))}
      </fieldset>
      {subjectType === 'role' ? (
        <RolePicker label="Role" value={subjectId} onChange={setSubjectId} directory={directory} guildId={guildId} none="— choose —" />
      ) : (
        <label>
          Member id
          <input value={subjectId} onChange={(e) => setSubjectId(e.target.value)} inputMode="numeric" required />
        </label>
      )}
      <button type="submit" className="primary" disabled={busy}>
        Give grant
      </button>
      <Outcome error={error} done={done} />
    </form>
  );
}
