import { useState } from 'react';
import { api, unwrap, type Schemas } from '../api/client';
import { ErrorMessage, useLoad } from './ui';

type Channel = Schemas['DiscordChannel'];
type Role = Schemas['DiscordRole'];
export interface Directory {
  channels: Channel[] | undefined;
  roles: Role[] | undefined;
  /** Why a list could not be read (Discord unreachable, no bot token): the pickers fall back to id fields. */
  error: string | null;
}

/** Discord's channel types a message can be posted in: text, announcement. */
const POSTABLE = new Set([0, 5]);
const CATEGORY = 4;

/** The guild's channels and roles, read once for a page's pickers. */
export function useDirectory(guildId: string): Directory {
  const path = { guildId };
  const channels = useLoad(() => api.GET('/api/guilds/{guildId}/channels', { params: { path } }).then(unwrap), [guildId]);
  const roles = useLoad(() => api.GET('/api/guilds/{guildId}/roles', { params: { path } }).then(unwrap), [guildId]);
  return { channels: channels.data?.channels, roles: roles.data?.roles, error: channels.error ?? roles.error };
}

/** A postable channel, grouped under its category; a stored id Discord no longer lists stays selectable. */
export function ChannelPicker({ label, value, onChange, directory, none = '— none —' }: { label: string; value: string; onChange: (id: string) => void; directory: Directory; none?: string }) {
  if (!directory.channels) return directory.error ? <IdFallback label={`${label} (id)`} value={value} onChange={onChange} /> : <Loading label={label} />;
  const all = directory.channels;
  const postable = all.filter((c) => POSTABLE.has(c.type));
  const categories = all.filter((c) => c.type === CATEGORY);
  const groups = [{ id: null as string | null, name: '' }, ...categories].map((cat) => ({ name: cat.name, channels: postable.filter((c) => c.parentId === cat.id || (cat.id === null && !categories.some((k) => k.id === c.parentId))) }));
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{none}</option>
        {value && !postable.some((c) => c.id === value) && <option value={value}>unknown channel {value}</option>}
        {groups.map((g) =>
          g.name ? (
            g.channels.length > 0 && (
              <optgroup key={g.name} label={g.name}>
                {g.channels.map((c) => (
                  <option key={c.id} value={c.id}>
                    #{c.name}
                  </option>
                ))}
              </optgroup>
            )
          ) : (
            g.channels.map((c) => (
              <option key={c.id} value={c.id}>
                #{c.name}
              </option>
            ))
          ),
        )}
      </select>
    </label>
  );
}

/** Roles a person can be given: not @everyone (the guild's own id), not an integration's. */
function givable(roles: Role[], guildId: string): Role[] {
  return roles.filter((r) => r.id !== guildId && !r.managed);
}

/** One role (highest first), or none. */
export function RolePicker({ label, value, onChange, directory, guildId, none = '— none —' }: { label: string; value: string; onChange: (id: string) => void; directory: Directory; guildId: string; none?: string }) {
  if (!directory.roles) return directory.error ? <IdFallback label={`${label} (id)`} value={value} onChange={onChange} /> : <Loading label={label} />;
  const roles = givable(directory.roles, guildId);
  return (
    <label>
      {label}
      <select value={value} onChange={(e) => onChange(e.target.value)}>
        <option value="">{none}</option>
        {value && !roles.some((r) => r.id === value) && <option value={value}>unknown role {value}</option>}
        {roles.map((r) => (
          <option key={r.id} value={r.id}>
            @{r.name}
          </option>
        ))}
      </select>
    </label>
  );
}

/** Several roles, as checkboxes (a multiple select is hard to use from the keyboard). */
export function RoleChecklist({ legend, value, onChange, directory, guildId }: { legend: string; value: string[]; onChange: (ids: string[]) => void; directory: Directory; guildId: string }) {
  if (!directory.roles && !directory.error) return <p className="notice">{legend}: loading the roles…</p>;
  if (!directory.roles) return <IdListFallback label={`${legend} (ids, comma-separated)`} value={value} onChange={onChange} />;
  const roles = givable(directory.roles, guildId);
  const unknown = value.filter((id) => !roles.some((r) => r.id === id));
  return (
    <fieldset>
      <legend>{legend}</legend>
      {roles.map((r) => (
        <label key={r.id} className="check">
          <input type="checkbox" checked={value.includes(r.id)} onChange={(e) => onChange(e.target.checked ? [...value, r.id] : value.filter((v) => v !== r.id))} />@{r.name}
        </label>
      ))}
      {unknown.map((id) => (
        <label key={id} className="check">
          <input type="checkbox" checked onChange={() => onChange(value.filter((v) => v !== id))} />
          unknown role {id}
        </label>
      ))}
    </fieldset>
  );
}

function Loading({ label }: { label: string }) {
  return (
    <label>
      {label}
      <select disabled>
        <option>loading…</option>
      </select>
    </label>
  );
}

/** Without Discord's lists: the id as text (DirectoryProblem says why). */
function IdFallback({ label, value, onChange }: { label: string; value: string; onChange: (id: string) => void }) {
  return (
    <label>
      {label}
      <input value={value} onChange={(e) => onChange(e.target.value.trim())} inputMode="numeric" />
    </label>
  );
}

function IdListFallback({ label, value, onChange }: { label: string; value: string[]; onChange: (ids: string[]) => void }) {
  const [text, setText] = useState(value.join(', '));
  return (
    <label>
      {label}
      <input
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          onChange(e.target.value.split(/[\s,]+/).filter(Boolean));
        }}
      />
    </label>
  );
}

/** Why the pickers are id fields: the API's word on the channel or role list. */
export function DirectoryProblem({ directory }: { directory: Directory }) {
  if (directory.channels && directory.roles) return null;
  return <ErrorMessage error={directory.error && `Discord's channel and role lists could not be read (${directory.error}): enter ids instead.`} />;
}

/** A role's or channel's name for tables, or its id when the list has none. */
export function roleName(directory: Directory, id: string | null): string {
  if (!id) return '';
  const r = directory.roles?.find((x) => x.id === id);
  return r ? `@${r.name}` : id;
}
