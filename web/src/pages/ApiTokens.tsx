import { useState, type FormEvent } from 'react';
import { api, errorMessage, unwrap, type BodyOf } from '../api/client';
import { apiTokenCreate } from '../../../lib/requests/api-tokens';
import { checked } from '../components/forms';
import { ErrorMessage, useLoad, when } from '../components/ui';
import type { PageProps } from './types';

type Level = BodyOf<'/api/guilds/{guildId}/api-tokens', 'post'>['level'];

/** The guild's API tokens: create one (its secret is shown once), revoke one. */
export function ApiTokensPage({ guild }: PageProps) {
  const path = { guildId: guild.id };
  const list = useLoad(() => api.GET('/api/guilds/{guildId}/api-tokens', { params: { path } }).then(unwrap), [guild.id]);
  const [name, setName] = useState('');
  const [level, setLevel] = useState<Level>('mod');
  const [days, setDays] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [secret, setSecret] = useState<string | null>(null);

  const create = async (e: FormEvent) => {
    e.preventDefault();
    setError(null);
    setSecret(null);
    try {
      const created = unwrap(await api.POST('/api/guilds/{guildId}/api-tokens', { params: { path }, body: checked(apiTokenCreate, { name, level, ...(days ? { expiresInDays: Number(days) } : {}) }) }));
      setSecret(created.token);
      setName('');
      list.reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  const revoke = async (id: string, tokenName: string) => {
    if (!window.confirm(`Revoke the token “${tokenName}”? Whatever uses it stops working.`)) return;
    setError(null);
    const res = await api.DELETE('/api/guilds/{guildId}/api-tokens/{tokenId}', { params: { path: { ...path, tokenId: id } } });
    if (!res.response.ok) setError(errorMessage(res.error, res.response));
    list.reload();
  };

  return (
    <>
      <h1>API tokens</h1>
      <ErrorMessage error={list.error} />
      <table>
        <caption>Tokens of this server</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Level</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Expires</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.tokens.map((t) => (
            <tr key={t.id}>
              <td>{t.name}</td>
              <td>{t.level}</td>
              <td>
                {when(t.createdAt)} by {t.createdBy}
              </td>
              <td>{when(t.lastUsedAt)}</td>
              <td>{when(t.expiresAt)}</td>
              <td>
                {t.revokedAt ? (
                  `revoked ${when(t.revokedAt)}`
                ) : (
                  <button type="button" onClick={() => void revoke(t.id, t.name)} aria-label={`Revoke ${t.name}`}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="panel" onSubmit={(e) => void create(e)} aria-labelledby="new-token">
        <h2 id="new-token">New token</h2>
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={64} />
        </label>
        <label>
          Level
          <select value={level} onChange={(e) => setLevel(e.target.value as Level)}>
            <option value="user">user</option>
            <option value="mod">mod</option>
            <option value="admin">admin</option>
          </select>
        </label>
        <label>
          Expires in days (empty: never)
          <input value={days} onChange={(e) => setDays(e.target.value)} inputMode="numeric" />
        </label>
        <button type="submit" className="primary">
          Create token
        </button>
        <ErrorMessage error={error} />
        {secret && (
          <p role="status">
            The token (shown this once: copy it now): <code className="secret">{secret}</code>
          </p>
        )}
      </form>
    </>
  );
}

