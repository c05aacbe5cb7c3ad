import { useState, type FormEvent } from 'react';
import { api, unwrap, type BodyOf, type Schemas } from '../api/client';
import { EmbedPreview } from '../components/EmbedPreview';
import { announcementCreateRequestSchema, sendAtProblem } from '../../../lib/requests/announcements';
import { checked } from '../components/forms';
import { ChannelPicker, DirectoryProblem, RolePicker, useDirectory } from '../components/pickers';
import { ErrorMessage, useLoad, when } from '../components/ui';
import { atLeast } from './levels';
import type { PageProps } from './types';

type Announcement = Schemas['Announcement'];

/** Announcements: compose with a live preview, send now or schedule, cancel a scheduled one. */
export function AnnouncementsPage({ guild }: PageProps) {
  const path = { guildId: guild.id };
  const list = useLoad(() => api.GET('/api/guilds/{guildId}/announcements', { params: { path, query: { limit: 50 } } }).then(unwrap), [guild.id]);
  const [error, setError] = useState<string | null>(null);
  const cancel = async (a: Announcement) => {
    setError(null);
    try {
      unwrap(await api.DELETE('/api/guilds/{guildId}/announcements/{announcementId}', { params: { path: { ...path, announcementId: a.id } } }));
      list.reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const isAdmin = atLeast(guild.level, 'admin');
  return (
    <>
      <h1>Announcements</h1>
      <ErrorMessage error={list.error ?? error} />
      <table>
        <caption>Announcements, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Title</th>
            <th scope="col">Channel</th>
            <th scope="col">Status</th>
            <th scope="col">Send at</th>
            <th scope="col">Sent</th>
            {isAdmin && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((a) => (
            <tr key={a.id}>
              <td>{a.title}</td>
              <td>
                <code>{a.channelId}</code>
              </td>
              <td>{a.status}</td>
              <td>{when(a.sendAt)}</td>
              <td>{when(a.sentAt)}</td>
              {isAdmin && (
                <td>
                  {(a.status === 'scheduled' || a.status === 'sent') && (
                    <button type="button" onClick={() => void cancel(a)} aria-label={`${a.status === 'sent' ? 'Take down' : 'Cancel'} ${a.title}`}>
                      {a.status === 'sent' ? 'Take down' : 'Cancel'}
                    </button>
                  )}
                </td>
              )}
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && (
            <tr>
              <td colSpan={isAdmin ? 6 : 5}>No announcement yet.</td>
            </tr>
          )}
        </tbody>
      </table>
      {isAdmin && <Compose guildId={guild.id} onSent={list.reload} />}
    </>
  );
}

function Compose({ guildId, onSent }: { guildId: string; onSent: () => void }) {
  const [f, setF] = useState({ channelId: '', title: '', body: '', footer: '', colour: '', imageUrl: '', pingRoleId: '', pin: false, sendAt: '' });
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [id, setId] = useState(() => `web-${crypto.randomUUID()}`);
  const directory = useDirectory(guildId);
  const set = (k: keyof typeof f) => (e: { target: { value: string } }) => setF({ ...f, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setDone(null);
    try {
      const body: BodyOf<'/api/guilds/{guildId}/announcements', 'post'> & { id: string } = {
        id,
        channelId: f.channelId.trim(),
        title: f.title,
        body: f.body,
        footer: f.footer || null,
        colour: f.colour || null,
        imageUrl: f.imageUrl || null,
        pingRoleId: f.pingRoleId.trim() || null,
        pin: f.pin,
        sendAt: f.sendAt ? new Date(f.sendAt).toISOString() : null,
      };
      checked(announcementCreateRequestSchema, body, sendAtProblem(body.sendAt ? new Date(body.sendAt) : null));
      const a = unwrap(await api.POST('/api/guilds/{guildId}/announcements', { params: { path: { guildId } }, body }));
      setDone(a.status === 'scheduled' ? `Scheduled for ${when(a.sendAt)}.` : 'Sent.');
      setId(`web-${crypto.randomUUID()}`);
      onSent();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section aria-labelledby="compose" className="compose">
      <h2 id="compose">New announcement</h2>
      <div className="compose-grid">
        <form className="panel" onSubmit={(e) => void submit(e)} aria-labelledby="compose">
          <DirectoryProblem directory={directory} />
          <ChannelPicker label="Channel" value={f.channelId} onChange={(channelId) => setF({ ...f, channelId })} directory={directory} none="— choose —" />
          <label>
            Title
            <input value={f.title} onChange={set('title')} required maxLength={256} />
          </label>
          <label>
            Text
            <textarea value={f.body} onChange={set('body')} required maxLength={4096} rows={6} />
          </label>
          <label>
            Footer
            <input value={f.footer} onChange={set('footer')} maxLength={2048} />
          </label>
          <label>
            Colour (#rrggbb)
            <input value={f.colour} onChange={set('colour')} placeholder="#5865f2" />
          </label>
          <label>
            Image URL
            <input value={f.imageUrl} onChange={set('imageUrl')} type="url" />
          </label>
          <RolePicker label="Role to ping" value={f.pingRoleId} onChange={(pingRoleId) => setF({ ...f, pingRoleId })} directory={directory} guildId={guildId} />
          <label className="check">
            <input type="checkbox" checked={f.pin} onChange={(e) => setF({ ...f, pin: e.target.checked })} />
            Pin the message
          </label>
          <label>
            Send at (empty: now)
            <input type="datetime-local" value={f.sendAt} onChange={set('sendAt')} />
          </label>
          <button type="submit" className="primary">
            {f.sendAt ? 'Schedule' : 'Send now'}
          </button>
          <ErrorMessage error={error} />
          {done && <p role="status">{done}</p>}
        </form>
        <EmbedPreview title={f.title} body={f.body} footer={f.footer} colour={f.colour} imageUrl={f.imageUrl} />
      </div>
    </section>
  );
}
