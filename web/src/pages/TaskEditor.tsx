import { useState, type FormEvent } from 'react';
import { api, unwrap, wholeAmount, type BodyOf, type QueryOf, type Schemas } from '../api/client';
import { taskAnnounceSchema, taskCreateSchema, taskExpiryProblem, taskPatchProblem, taskPatchSchema } from '../../../lib/requests/tasks';
import { Outcome, Pager, changedFields, checked, optionalInt, optionalText, useAction, useCursors } from '../components/forms';
import { ChannelPicker, DirectoryProblem, RolePicker, roleName, useDirectory, type Directory } from '../components/pickers';
import { ErrorMessage, amount, useLoad, when } from '../components/ui';
import { useLive } from '../live/use-live';
import { mayAct } from './levels';
import type { Guild } from './types';

type Task = Schemas['Task'];
type TaskBody = BodyOf<'/api/guilds/{guildId}/tasks/{taskId}', 'patch'>;
type ProofType = NonNullable<TaskBody['proofType']>;
type ListStatus = NonNullable<QueryOf<'/api/guilds/{guildId}/tasks'>['status']>;
const PROOF_TYPES: ProofType[] = ['text', 'image', 'link'];
const DAY_SECONDS = 86_400;

interface Draft {
  name: string;
  description: string;
  category: string;
  reward: string;
  assetCode: string;
  roleId: string;
  claimDurationSeconds: string;
  expiresAt: string;
  maxClaims: string;
  proofType: ProofType;
  assignedUserIds: string;
}

const EMPTY: Draft = { name: '', description: '', category: '', reward: '', assetCode: 'currency', roleId: '', claimDurationSeconds: String(DAY_SECONDS), expiresAt: '', maxClaims: '', proofType: 'text', assignedUserIds: '' };

/** An ISO time as a datetime-local value in the browser's own time zone. */
function localInput(iso: string | null): string {
  if (!iso) return '';
  const d = new Date(iso);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

function draftOf(t: Task): Draft {
  return {
    name: t.name,
    description: t.description,
    category: t.category ?? '',
    reward: t.reward,
    assetCode: t.assetCode,
    roleId: t.roleId ?? '',
    claimDurationSeconds: String(t.claimDurationSeconds),
    expiresAt: localInput(t.expiresAt),
    maxClaims: t.maxClaims === null ? '' : String(t.maxClaims),
    proofType: t.proofType as ProofType,
    assignedUserIds: t.assignedUserIds.join(', '),
  };
}

function bodyOf(d: Draft): TaskBody & { name: string; reward: number } {
  return {
    name: d.name,
    description: d.description,
    category: optionalText(d.category),
    reward: wholeAmount(d.reward),
    assetCode: d.assetCode.trim(),
    roleId: optionalText(d.roleId),
    claimDurationSeconds: Number(d.claimDurationSeconds),
    expiresAt: d.expiresAt ? new Date(d.expiresAt).toISOString() : null,
    maxClaims: optionalInt(d.maxClaims),
    proofType: d.proofType,
    assignedUserIds: d.assignedUserIds.split(/[\s,]+/).filter(Boolean),
  };
}

/** The expiry as the API reads it (an ISO time), for the rule the API applies after its schema. */
const expiryOf = (iso: string | null | undefined): Date | null => (iso ? new Date(iso) : null);

/** The guild's tasks: post, edit, close or reopen, remove, announce in a channel. */
export function TaskManager({ guild }: { guild: Guild }) {
  const [status, setStatus] = useState<ListStatus>('open');
  const paging = useCursors();
  const path = { guildId: guild.id };
  const tasks = useLoad(() => api.GET('/api/guilds/{guildId}/tasks', { params: { path, query: { status, cursor: paging.cursor, limit: 25 } } }).then(unwrap), [guild.id, status, paging.cursor]);
  useLive(['task'], tasks.reload);
  const canWrite = mayAct(guild, 'admin');
  const canAnnounce = mayAct(guild, 'admin', 'manage_announcements');
  const directory = useDirectory(guild.id);
  const [editing, setEditing] = useState<Task | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const action = useAction();
  const act = (what: () => Promise<string>) =>
    void action.run(async () => {
      const done = await what();
      tasks.reload();
      return done;
    });
  const setOpen = (t: Task, open: boolean) =>
    act(async () => {
      unwrap(await api.PATCH('/api/guilds/{guildId}/tasks/{taskId}', { params: { path: { ...path, taskId: t.id } }, body: { status: open ? 'active' : 'closed' } }));
      return `${open ? 'Opened' : 'Closed'} “${t.name}”.`;
    });
  const remove = (t: Task) => {
    if (!window.confirm(`Remove the task “${t.name}”? Its open claims are cancelled.`)) return;
    act(async () => {
      const r = unwrap(await api.DELETE('/api/guilds/{guildId}/tasks/{taskId}', { params: { path: { ...path, taskId: t.id } } }));
      if (editing?.id === t.id) setEditing(null);
      return `Removed “${t.name}” (${r.openClaims} open claim${r.openClaims === 1 ? '' : 's'}, ${r.cancelled} cancelled).`;
    });
  };

  return (
    <section aria-labelledby="task-list">
      <h2 id="task-list">Task list</h2>
      <div className="filters">
        <label>
          Tasks shown
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as ListStatus);
              paging.reset();
            }}
          >
            <option value="open">open</option>
            <option value="proposed">proposed by members</option>
            <option value="all">all</option>
          </select>
        </label>
      </div>
      <ErrorMessage error={tasks.error} />
      <table>
        <caption>{tasks.data ? `${tasks.data.total} task${tasks.data.total === 1 ? '' : 's'}` : 'Tasks'}</caption>
        <thead>
          <tr>
            <th scope="col">Task</th>
            <th scope="col" className="num">
              Reward
            </th>
            <th scope="col">Role</th>
            <th scope="col" className="num">
              Claims
            </th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            {canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {tasks.data?.items.map((t) => (
            <tr key={t.id} data-task-id={t.id}>
              <td>
                <strong>{t.name}</strong> <span className="notice">#{t.id}</span>
                {t.description && <div className="notice">{t.description}</div>}
              </td>
              <td className="num">
                {amount(t.reward)} {t.assetCode}
              </td>
              <td>{roleName(directory, t.roleId)}</td>
              <td className="num">
                {t.slotsTaken}/{t.maxClaims ?? '∞'} ({t.completedCount} done)
              </td>
              <td>{when(t.expiresAt)}</td>
              <td>{t.status}</td>
              {canWrite && (
                <td className="actions">
                  <button
                    type="button"
                    aria-label={`Edit ${t.name}`}
                    onClick={() => {
                      setSaved(null);
                      setEditing(t);
                    }}
                  >
                    Edit
                  </button>
                  {t.status === 'active' ? (
                    <button type="button" aria-label={`Close ${t.name}`} disabled={action.busy} onClick={() => setOpen(t, false)}>
                      Close
                    </button>
                  ) : (
                    <button type="button" aria-label={`${t.status === 'proposed' ? 'Approve' : 'Reopen'} ${t.name}`} disabled={action.busy} onClick={() => setOpen(t, true)}>
                      {t.status === 'proposed' ? 'Approve' : 'Reopen'}
                    </button>
                  )}
                  <button type="button" aria-label={`Remove ${t.name}`} disabled={action.busy} onClick={() => remove(t)}>
                    Remove
                  </button>
                </td>
              )}
            </tr>
          ))}
          {tasks.data && tasks.data.items.length === 0 && (
            <tr>
              <td colSpan={canWrite ? 7 : 6}>No task.</td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager paging={paging} next={tasks.data?.nextCursor} label="Task pages" />
      <Outcome error={action.error} done={action.done ?? saved} />
      <div className="compose-grid">
        {canWrite && (
          <TaskForm
            key={editing?.id ?? 'new'}
            guildId={guild.id}
            task={editing}
            directory={directory}
            onSaved={(what) => {
              setSaved(what);
              setEditing(null);
              tasks.reload();
            }}
            onCancel={() => setEditing(null)}
          />
        )}
        {canAnnounce && <AnnounceForm guildId={guild.id} tasks={tasks.data?.items ?? []} directory={directory} />}
      </div>
    </section>
  );
}

function TaskForm({ guildId, task, directory, onSaved, onCancel }: { guildId: string; task: Task | null; directory: Directory; onSaved: (what: string) => void; onCancel: () => void }) {
  const [d, setD] = useState<Draft>(task ? draftOf(task) : EMPTY);
  const { error, done, busy, run } = useAction();
  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setD({ ...d, [k]: e.target.value });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const whole = bodyOf(d);
      if (task) {
        const patch = checked(taskPatchSchema, changedFields(bodyOf(draftOf(task)), whole));
        const problem = taskPatchProblem(patch) ?? ('expiresAt' in patch ? taskExpiryProblem(expiryOf(patch.expiresAt)) : null);
        if (problem) throw new Error(problem);
        const saved = unwrap(await api.PATCH('/api/guilds/{guildId}/tasks/{taskId}', { params: { path: { guildId, taskId: task.id } }, body: patch }));
        onSaved(`Saved “${saved.name}”.`);
        return '';
      }
      checked(taskCreateSchema, whole, taskExpiryProblem(expiryOf(whole.expiresAt)));
      const created = unwrap(await api.POST('/api/guilds/{guildId}/tasks', { params: { path: { guildId } }, body: whole }));
      setD(EMPTY);
      onSaved(`Posted “${created.name}” (#${created.id}).`);
      return '';
    });
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="task-form">
      <h3 id="task-form">{task ? `Edit ${task.name}` : 'New task'}</h3>
      <DirectoryProblem directory={directory} />
      <label>
        Task name
        <input value={d.name} onChange={set('name')} required maxLength={100} autoFocus={task !== null} />
      </label>
      <label>
        What to do
        <textarea value={d.description} onChange={set('description')} maxLength={2000} rows={3} />
      </label>
      <label>
        Task category
        <input value={d.category} onChange={set('category')} maxLength={50} />
      </label>
      <label>
        Reward
        <input value={d.reward} onChange={set('reward')} inputMode="numeric" required />
      </label>
      <label>
        Reward asset (code)
        <input value={d.assetCode} onChange={set('assetCode')} />
      </label>
      <RolePicker label="Role given on completion" value={d.roleId} onChange={(roleId) => setD({ ...d, roleId })} directory={directory} guildId={guildId} />
      <label>
        Time to send proof (seconds)
        <input type="number" min={1} value={d.claimDurationSeconds} onChange={set('claimDurationSeconds')} required />
      </label>
      <label>
        Closes at (empty: never)
        <input type="datetime-local" value={d.expiresAt} onChange={set('expiresAt')} />
      </label>
      <label>
        Max claims (empty: unlimited)
        <input type="number" min={1} value={d.maxClaims} onChange={set('maxClaims')} />
      </label>
      <label>
        Proof asked for
        <select value={d.proofType} onChange={(e) => setD({ ...d, proofType: e.target.value as ProofType })}>
          {PROOF_TYPES.map((p) => (
            <option key={p}>{p}</option>
          ))}
        </select>
      </label>
      <label>
        Only for members (ids, comma-separated; empty: everyone)
        <input value={d.assignedUserIds} onChange={set('assignedUserIds')} />
      </label>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {task ? 'Save task' : 'Post task'}
        </button>
        {task && (
          <button type="button" onClick={onCancel}>
            Cancel editing
          </button>
        )}
      </div>
      <Outcome error={error} done={done} />
    </form>
  );
}

/** Posts a task's card in a channel (an announcement, sent by its flow). */
function AnnounceForm({ guildId, tasks, directory }: { guildId: string; tasks: Task[]; directory: Directory }) {
  const [taskId, setTaskId] = useState('');
  const [channelId, setChannelId] = useState('');
  const { error, done, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const body = checked(taskAnnounceSchema, { channelId });
      const a = unwrap(await api.POST('/api/guilds/{guildId}/tasks/{taskId}/announce', { params: { path: { guildId, taskId: Number(taskId) } }, body }));
      return `Announced “${a.title}” (${a.status}).`;
    });
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="announce-task">
      <h3 id="announce-task">Announce a task</h3>
      <label>
        Task to announce
        <select value={taskId} onChange={(e) => setTaskId(e.target.value)} required>
          <option value="">— choose —</option>
          {tasks.map((t) => (
            <option key={t.id} value={t.id}>
              {t.name} (#{t.id})
            </option>
          ))}
        </select>
      </label>
      <ChannelPicker label="Announce in" value={channelId} onChange={setChannelId} directory={directory} none="— choose —" />
      <button type="submit" className="primary" disabled={busy}>
        Announce
      </button>
      <Outcome error={error} done={done} />
    </form>
  );
}
