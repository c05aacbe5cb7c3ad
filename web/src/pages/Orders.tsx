import { useState } from 'react';
import { api, unwrap, type QueryOf } from '../api/client';
import { Pager, useCursors } from '../components/forms';
import { ErrorMessage, amount, useLoad, when } from '../components/ui';
import { useLive } from '../live/use-live';
import { CodeStock } from './CodeStock';
import { atLeast } from './levels';
import type { PageProps } from './types';

type OrderStatus = NonNullable<QueryOf<'/api/guilds/{guildId}/orders'>['status']>;
type TopupStatus = NonNullable<QueryOf<'/api/guilds/{guildId}/payments/topups'>['status']>;
const ORDER_STATUSES: OrderStatus[] = ['needs_admin', 'pending', 'awaiting_funds', 'completed', 'failed', 'refunded'];
const TOPUP_STATUSES: TopupStatus[] = ['created', 'pending', 'settled', 'expired', 'denied', 'cancelled', 'failed'];

/** Code orders (an admin settles one that needs them), the code stock and its packages, and top-ups, newest first, live. */
export function OrdersPage({ guild }: PageProps) {
  return (
    <>
      <h1>Orders &amp; top-ups</h1>
      <Orders guildId={guild.id} isAdmin={atLeast(guild.level, 'admin')} />
      <CodeStock guildId={guild.id} isAdmin={atLeast(guild.level, 'admin')} />
      <Topups guildId={guild.id} />
    </>
  );
}

function Orders({ guildId, isAdmin }: { guildId: string; isAdmin: boolean }) {
  const [status, setStatus] = useState<OrderStatus | ''>('');
  const paging = useCursors();
  const cursor = paging.cursor;
  const list = useLoad(() => api.GET('/api/guilds/{guildId}/orders', { params: { path: { guildId }, query: { status: status || undefined, cursor } } }).then(unwrap), [guildId, status, cursor]);
  useLive(['order'], list.reload);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const process = async (orderId: string, action: 'retry' | 'complete' | 'refund') => {
    setError(null);
    setDone(null);
    try {
      unwrap(await api.POST('/api/guilds/{guildId}/orders/{orderId}/process', { params: { path: { guildId, orderId } }, body: { action } }));
      setDone(`Order ${orderId}: ${action} sent.`);
      list.reload();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  };
  return (
    <section aria-labelledby="orders">
      <h2 id="orders">Code orders</h2>
      <div className="filters">
        <label>
          Order status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as OrderStatus | '');
              paging.reset();
            }}
          >
            <option value="">any</option>
            {ORDER_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={list.error ?? error} />
      {done && <p role="status">{done}</p>}
      <table>
        <thead>
          <tr>
            <th scope="col">Order</th>
            <th scope="col">Member</th>
            <th scope="col" className="num">
              Quantity
            </th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
            {isAdmin && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((o) => (
            <tr key={o.id}>
              <td>
                <code>{o.id}</code>
              </td>
              <td>{o.userId}</td>
              <td className="num">{o.quantity}</td>
              <td className="num">
                {amount(o.price)} {o.assetCode}
              </td>
              <td>
                {o.status}
                {o.failureReason && <div className="notice">{o.failureReason}</div>}
              </td>
              <td>{when(o.createdAt)}</td>
              {isAdmin && (
                <td>
                  {o.status === 'needs_admin' &&
                    (['retry', 'complete', 'refund'] as const).map((a) => (
                      <button key={a} type="button" onClick={() => void process(o.id, a)} aria-label={`${a} order ${o.id}`}>
                        {a}
                      </button>
                    ))}
                </td>
              )}
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && (
            <tr>
              <td colSpan={isAdmin ? 7 : 6}>No order.</td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager paging={paging} next={list.data?.nextCursor} label="Order pages" words={['Newer', 'Older']} />
    </section>
  );
}

function Topups({ guildId }: { guildId: string }) {
  const [status, setStatus] = useState<TopupStatus | ''>('');
  const paging = useCursors();
  const cursor = paging.cursor;
  const list = useLoad(() => api.GET('/api/guilds/{guildId}/payments/topups', { params: { path: { guildId }, query: { status: status || undefined, cursor } } }).then(unwrap), [guildId, status, cursor]);
  useLive(['topup'], list.reload);
  return (
    <section aria-labelledby="topups">
      <h2 id="topups">Top-ups</h2>
      <div className="filters">
        <label>
          Top-up status
          <select
            value={status}
            onChange={(e) => {
              setStatus(e.target.value as TopupStatus | '');
              paging.reset();
            }}
          >
            <option value="">any</option>
            {TOPUP_STATUSES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={list.error} />
      <table>
        <thead>
          <tr>
            <th scope="col">Top-up</th>
            <th scope="col">Member</th>
            <th scope="col" className="num">
              Paid
            </th>
            <th scope="col" className="num">
              Credit
            </th>
            <th scope="col">Status</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {list.data?.items.map((p) => (
            <tr key={p.id}>
              <td>
                <code>{p.id}</code>
              </td>
              <td>{p.userId}</td>
              <td className="num">
                {amount(p.amount)} {p.currency}
              </td>
              <td className="num">
                {amount(p.credit)} {p.assetCode}
              </td>
              <td>
                {p.status}
                {p.failureReason && <div className="notice">{p.failureReason}</div>}
              </td>
              <td>{when(p.createdAt)}</td>
            </tr>
          ))}
          {list.data && list.data.items.length === 0 && (
            <tr>
              <td colSpan={6}>No top-up.</td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager paging={paging} next={list.data?.nextCursor} label="Top-up pages" words={['Newer', 'Older']} />
    </section>
  );
}
