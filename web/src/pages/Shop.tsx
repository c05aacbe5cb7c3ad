import { useState, type FormEvent } from 'react';
import { api, ensureOk, unwrap, wholeAmount, type BodyOf, type Schemas } from '../api/client';
import { itemCombinationProblem, itemCreateSchema, itemPatchSchema } from '../../../lib/requests/shop-item';
import { Outcome, Pager, changedFields, checked, optionalInt, optionalText, useAction, useCursors } from '../components/forms';
import { DirectoryProblem, RolePicker, roleName, useDirectory, type Directory } from '../components/pickers';
import { ErrorMessage, amount, useLoad } from '../components/ui';
import { useLive } from '../live/use-live';
import { mayAct } from './levels';
import type { PageProps } from './types';

/** An item as the API sends it: its declared fields and the two the form edits beside them. */
type Item = Schemas['ShopItem'] & { usable?: boolean; sellBackPercent?: number | null };
type ItemBody = BodyOf<'/api/guilds/{guildId}/shop/items', 'post'>;

/** The form's fields as typed (numbers as text until sent). */
interface Draft {
  name: string;
  description: string;
  emoji: string;
  price: string;
  assetCode: string;
  stock: string;
  perUserLimit: string;
  roleId: string;
  roleDurationSeconds: string;
  requiredRoleId: string;
  category: string;
  active: boolean;
  usable: boolean;
  sellBackPercent: string;
}

const EMPTY: Draft = { name: '', description: '', emoji: '', price: '', assetCode: 'currency', stock: '', perUserLimit: '', roleId: '', roleDurationSeconds: '', requiredRoleId: '', category: '', active: true, usable: false, sellBackPercent: '' };
const text = (n: number | null | undefined) => (n === null || n === undefined ? '' : String(n));

function draftOf(i: Item): Draft {
  return {
    name: i.name,
    description: i.description,
    emoji: i.emoji ?? '',
    price: i.price,
    assetCode: i.assetCode,
    stock: text(i.stock),
    perUserLimit: text(i.perUserLimit),
    roleId: i.roleId ?? '',
    roleDurationSeconds: text(i.roleDurationSeconds),
    requiredRoleId: i.requiredRoleId ?? '',
    category: i.category ?? '',
    active: i.active,
    usable: i.usable ?? false,
    sellBackPercent: text(i.sellBackPercent),
  };
}

function bodyOf(d: Draft): ItemBody {
  return {
    name: d.name,
    description: d.description,
    emoji: optionalText(d.emoji),
    price: wholeAmount(d.price),
    assetCode: d.assetCode.trim(),
    stock: optionalInt(d.stock),
    perUserLimit: optionalInt(d.perUserLimit),
    roleId: optionalText(d.roleId),
    roleDurationSeconds: optionalInt(d.roleDurationSeconds),
    requiredRoleId: optionalText(d.requiredRoleId),
    category: optionalText(d.category),
    active: d.active,
    usable: d.usable,
    sellBackPercent: optionalInt(d.sellBackPercent),
  };
}

/** The shop's items with price, stock and limits; admins (or the Manage shop grant) add, edit and remove them. */
export function ShopPage({ guild }: PageProps) {
  const [removed, setRemoved] = useState(false);
  const paging = useCursors();
  const items = useLoad(
    () => api.GET('/api/guilds/{guildId}/shop/items', { params: { path: { guildId: guild.id }, query: { includeRemoved: removed ? 'true' : undefined, cursor: paging.cursor, limit: 50 } } }).then(unwrap),
    [guild.id, removed, paging.cursor],
  );
  useLive(['shop_item', 'purchase'], items.reload);
  const canWrite = mayAct(guild, 'admin', 'manage_shop');
  const directory = useDirectory(guild.id);
  const [editing, setEditing] = useState<Item | null>(null);
  /** What the item form last saved (the form starts afresh after an edit). */
  const [saved, setSaved] = useState<string | null>(null);
  const removal = useAction();
  const remove = (i: Item) => {
    if (!window.confirm(`Remove “${i.name}” from the shop? Purchases that name it keep it.`)) return;
    void removal.run(async () => {
      ensureOk(await api.DELETE('/api/guilds/{guildId}/shop/items/{itemId}', { params: { path: { guildId: guild.id, itemId: i.id } } }));
      if (editing?.id === i.id) setEditing(null);
      items.reload();
      return `Removed “${i.name}”.`;
    });
  };
  return (
    <>
      <h1>Shop</h1>
      <label className="check">
        <input
          type="checkbox"
          checked={removed}
          onChange={(e) => {
            setRemoved(e.target.checked);
            paging.reset();
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
            {canWrite && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {(items.data?.items as Item[] | undefined)?.map((i) => (
            <tr key={i.id} data-item-id={i.id}>
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
              <td>{roleName(directory, i.roleId)}</td>
              <td>{i.deletedAt ? 'removed' : i.active ? 'on sale' : 'hidden'}</td>
              {canWrite && (
                <td className="actions">
                  {!i.deletedAt && (
                    <>
                      <button
                        type="button"
                        onClick={() => {
                          setSaved(null);
                          setEditing(i);
                        }}
                        aria-label={`Edit ${i.name}`}>
                        Edit
                      </button>
                      <button type="button" onClick={() => remove(i)} aria-label={`Remove ${i.name}`} disabled={removal.busy}>
                        Remove
                      </button>
                    </>
                  )}
                </td>
              )}
            </tr>
          ))}
          {items.data && items.data.items.length === 0 && (
            <tr>
              <td colSpan={canWrite ? 8 : 7}>No item.</td>
            </tr>
          )}
        </tbody>
      </table>
      <Pager paging={paging} next={items.data?.nextCursor} label="Item pages" />
      <Outcome error={removal.error} done={removal.done ?? saved} />
      {canWrite && (
        <ItemForm
          key={editing?.id ?? 'new'}
          guildId={guild.id}
          item={editing}
          directory={directory}
          onSaved={(what) => {
            setSaved(what);
            setEditing(null);
            items.reload();
          }}
          onCancel={() => setEditing(null)}
        />
      )}
    </>
  );
}

/** A new item, or the changes to one (only the fields that changed are sent). */
function ItemForm({ guildId, item, directory, onSaved, onCancel }: { guildId: string; item: Item | null; directory: Directory; onSaved: (what: string) => void; onCancel: () => void }) {
  const [d, setD] = useState<Draft>(item ? draftOf(item) : EMPTY);
  const { error, done, busy, run } = useAction();
  const set = (k: keyof Draft) => (e: { target: { value: string } }) => setD({ ...d, [k]: e.target.value });
  const title = item ? `Edit ${item.name}` : 'New item';
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      const whole = bodyOf(d);
      const problem = itemCombinationProblem({ roleId: whole.roleId ?? null, roleDurationSeconds: whole.roleDurationSeconds ?? null, usable: whole.usable ?? false, sellBackPercent: whole.sellBackPercent ?? null });
      if (item) {
        const patch = checked(itemPatchSchema, changedFields(bodyOf(draftOf(item)), whole), problem);
        const saved = unwrap(await api.PATCH('/api/guilds/{guildId}/shop/items/{itemId}', { params: { path: { guildId, itemId: item.id } }, body: patch }));
        onSaved(`Saved “${saved.name}”.`);
        return '';
      }
      checked(itemCreateSchema, whole, problem);
      const created = unwrap(await api.POST('/api/guilds/{guildId}/shop/items', { params: { path: { guildId } }, body: whole }));
      setD(EMPTY);
      onSaved(`Added “${created.name}”.`);
      return '';
    });
  };
  return (
    <form className="panel wide" onSubmit={submit} aria-labelledby="item-form">
      <h2 id="item-form">{title}</h2>
      <DirectoryProblem directory={directory} />
      <label>
        Name
        <input value={d.name} onChange={set('name')} required maxLength={100} autoFocus={item !== null} />
      </label>
      <label>
        Description
        <textarea value={d.description} onChange={set('description')} maxLength={1000} rows={2} />
      </label>
      <label>
        Emoji
        <input value={d.emoji} onChange={set('emoji')} maxLength={64} />
      </label>
      <label>
        Price
        <input value={d.price} onChange={set('price')} inputMode="numeric" required />
      </label>
      <label>
        Paid in (asset code)
        <input value={d.assetCode} onChange={set('assetCode')} />
      </label>
      <label>
        Stock (empty: unlimited)
        <input type="number" min={0} value={d.stock} onChange={set('stock')} />
      </label>
      <label>
        Per-member limit (empty: none)
        <input type="number" min={1} value={d.perUserLimit} onChange={set('perUserLimit')} />
      </label>
      <RolePicker label="Role the item gives" value={d.roleId} onChange={(roleId) => setD({ ...d, roleId })} directory={directory} guildId={guildId} />
      <label>
        Role lasts (seconds; empty: for good)
        <input type="number" min={1} value={d.roleDurationSeconds} onChange={set('roleDurationSeconds')} />
      </label>
      <RolePicker label="Role needed to buy" value={d.requiredRoleId} onChange={(requiredRoleId) => setD({ ...d, requiredRoleId })} directory={directory} guildId={guildId} none="— anyone —" />
      <label>
        Category
        <input value={d.category} onChange={set('category')} maxLength={32} />
      </label>
      <label>
        Sell-back percentage (empty: cannot be sold back)
        <input type="number" min={0} max={100} value={d.sellBackPercent} onChange={set('sellBackPercent')} />
      </label>
      <label className="check">
        <input type="checkbox" checked={d.active} onChange={(e) => setD({ ...d, active: e.target.checked })} />
        On sale (unticked: hidden from members)
      </label>
      <label className="check">
        <input type="checkbox" checked={d.usable} onChange={(e) => setD({ ...d, usable: e.target.checked })} />
        Members can use it (/use)
      </label>
      <div className="actions">
        <button type="submit" className="primary" disabled={busy}>
          {item ? 'Save item' : 'Add item'}
        </button>
        {item && (
          <button type="button" onClick={onCancel}>
            Cancel editing
          </button>
        )}
      </div>
      <Outcome error={error} done={done} />
    </form>
  );
}
