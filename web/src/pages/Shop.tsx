import { useState } from 'react';
import { api, unwrap } from '../api/client';
import { ErrorMessage, amount, useLoad } from '../components/ui';
import { useLive } from '../live/use-live';
import type { PageProps } from './types';

/** The shop's items with price, stock and limits (editing stays in Discord's /shop and the API for now). */
export function ShopPage({ guild }: PageProps) {
  const [removed, setRemoved] = useState(false);
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors[cursors.length - 1];
  const items = useLoad(
    () => api.GET('/api/guilds/{guildId}/shop/items', { params: { path: { guildId: guild.id }, query: { includeRemoved: removed ? 'true' : undefined, cursor, limit: 50 } } }).then(unwrap),
    [guild.id, removed, cursor],
  );
  useLive(['shop_item', 'purchase'], items.reload);
  return (
    <>
      <h1>Shop</h1>
      <label className="check">
        <input
          type="checkbox"
          checked={removed}
          onChange={(e) => {
            setRemoved(e.target.checked);
            setCursors([undefined]);
          }}
        />
        Show removed items
      </label>
      <ErrorMessage error={items.error} />
      <table>
        <caption>{items.data ? `${items.data.total} item${items.data.total === 1 ? '' : 's'}` : 'Items'}</caption>
        <thead>
          <tr>
            <th scope="col">Item</th>
            <th scope="col">Category</th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col" className="num">
              Stock
            </th>
            <th scope="col" className="num">
              Per member
            </th>
            <th scope="col">Role</th>
            <th scope="col">State</th>
          </tr>
        </thead>
        <tbody>
          {items.data?.items.map((i) => (
            <tr key={i.id}>
              <td>
                {i.emoji} <strong>{i.name}</strong>
                {i.description && <div className="notice">{i.description}</div>}
              </td>
              <td>{i.category ?? ''}</td>
              <td className="num">
                {amount(i.price)} {i.assetCode}
              </td>
              <td className="num">{i.stock ?? '∞'}</td>
              <td className="num">{i.perUserLimit ?? '—'}</td>
              <td>{i.roleId ? <code>{i.roleId}</code> : ''}</td>
              <td>{i.deletedAt ? 'removed' : i.active ? 'on sale' : 'hidden'}</td>
            </tr>
          ))}
          {items.data && items.data.items.length === 0 && (
            <tr>
              <td colSpan={7}>No item.</td>
            </tr>
          )}
        </tbody>
      </table>
      <nav className="pager" aria-label="Item pages">
        <button type="button" disabled={cursors.length < 2} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous
        </button>
        <span>Page {cursors.length}</span>
        <button type="button" disabled={!items.data?.nextCursor} onClick={() => items.data?.nextCursor && setCursors([...cursors, items.data.nextCursor])}>
          Next
        </button>
      </nav>
    </>
  );
}
