import { useEffect, useState, type FormEvent } from 'react';
import { api, unwrap, type Answer } from '../api/client';
import { codeImport, codeImportProblem, codeShopLimits, packageParams, packagePrice, packageProblem } from '../../../lib/requests/code-shop';
import { Outcome, checked, optionalInt, useAction } from '../components/forms';
import { ErrorMessage, amount, useLoad } from '../components/ui';
import { useLive } from '../live/use-live';

type Limits = Answer<'/api/guilds/{guildId}/codes/settings'>;

/** The code stock: counts, packages and their prices, importing codes (admins), the per-member limits. */
export function CodeStock({ guildId, isAdmin }: { guildId: string; isAdmin: boolean }) {
  const path = { guildId };
  const stock = useLoad(() => api.GET('/api/guilds/{guildId}/codes/stock', { params: { path } }).then(unwrap), [guildId]);
  // An order reserves and delivers codes: the counts follow it.
  useLive(['order'], stock.reload);
  const [quantity, setQuantity] = useState('');
  const [price, setPrice] = useState('');
  const [active, setActive] = useState(true);
  const pkg = useAction();
  const savePackage = (e: FormEvent) => {
    e.preventDefault();
    void pkg.run(async () => {
      const size = checked(packageParams, { quantity: Number(quantity) });
      const body = checked(packagePrice, { price: price.trim(), active });
      const problem = packageProblem({ quantity: size.quantity, price: BigInt(body.price) });
      if (problem) throw new Error(problem);
      const p = unwrap(await api.PUT('/api/guilds/{guildId}/codes/packages/{quantity}', { params: { path: { guildId, ...size } }, body }));
      stock.reload();
      return `${p.quantity} code${p.quantity === 1 ? '' : 's'}: ${amount(p.price)}, ${p.active ? 'on sale' : 'not on sale'}.`;
    });
  };
  const counts = stock.data?.stock;
  return (
    <section aria-labelledby="code-stock">
      <h2 id="code-stock">Code stock</h2>
      <ErrorMessage error={stock.error} />
      {counts && (
        <ul className="cards" aria-label="Codes by state">
          {(['available', 'reserved', 'delivered'] as const).map((k) => (
            <li key={k} className="card" data-testid={`codes-${k}`}>
              <span className="card-label">{k}</span>
              <span className="card-value">{amount(String(counts[k]))}</span>
            </li>
          ))}
        </ul>
      )}
      <table>
        <caption>Packages</caption>
        <thead>
          <tr>
            <th scope="col" className="num">
              Codes
            </th>
            <th scope="col" className="num">
              Price
            </th>
            <th scope="col">State</th>
            {isAdmin && <th scope="col">Actions</th>}
          </tr>
        </thead>
        <tbody>
          {stock.data?.packages.map((p) => (
            <tr key={p.id}>
              <td className="num">{p.quantity}</td>
              <td className="num">{amount(p.price)}</td>
              <td>{p.active ? 'on sale' : 'not on sale'}</td>
              {isAdmin && (
                <td>
                  <button
                    type="button"
                    aria-label={`Change the package of ${p.quantity}`}
                    onClick={() => {
                      setQuantity(String(p.quantity));
                      setPrice(p.price);
                      setActive(p.active);
                    }}
                  >
                    Change
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {isAdmin && (
        <div className="compose-grid">
          <form className="panel" onSubmit={savePackage} aria-labelledby="package-form">
            <h3 id="package-form">Package price</h3>
            <label>
              Codes in the package
              <input type="number" min={1} max={1000} value={quantity} onChange={(e) => setQuantity(e.target.value)} required />
            </label>
            <label>
              Package price
              <input value={price} onChange={(e) => setPrice(e.target.value)} inputMode="numeric" required />
            </label>
            <label className="check">
              <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} />
              On sale
            </label>
            <button type="submit" className="primary" disabled={pkg.busy}>
              Save package
            </button>
            <Outcome error={pkg.error} done={pkg.done} />
          </form>
          <ImportForm guildId={guildId} onImported={stock.reload} />
          <LimitsForm guildId={guildId} />
        </div>
      )}
    </section>
  );
}

function ImportForm({ guildId, onImported }: { guildId: string; onImported: () => void }) {
  const [codes, setCodes] = useState('');
  const [invalid, setInvalid] = useState<{ line: number; reason: string }[]>([]);
  const { error, done, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setInvalid([]);
    void run(async () => {
      const body = checked(codeImport, { codes }, codeImportProblem(codes));
      const r = unwrap(await api.POST('/api/guilds/{guildId}/codes/import', { params: { path: { guildId } }, body }));
      setCodes('');
      setInvalid(r.invalid);
      onImported();
      return `Added ${r.added}, ${r.duplicates} duplicate${r.duplicates === 1 ? '' : 's'}, ${r.invalid.length} invalid; ${r.available} available now.`;
    });
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="import-codes">
      <h3 id="import-codes">Import codes</h3>
      <label>
        Codes, one a line
        <textarea value={codes} onChange={(e) => setCodes(e.target.value)} rows={6} required spellCheck={false} autoComplete="off" />
      </label>
      <button type="submit" className="primary" disabled={busy}>
        Import codes
      </button>
      <Outcome error={error} done={done} />
      {invalid.length > 0 && (
        <ul aria-label="Lines not imported">
          {invalid.map((i) => (
            <li key={i.line}>
              Line {i.line}: {i.reason}
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}

const LIMITS = [
  ['ordersPerMemberPerHour', 'Orders per member per hour (empty or 0: unlimited)'],
  ['topupsPerMemberPerHour', 'Top-ups per member per hour (empty or 0: unlimited)'],
  ['redeliveriesPerDay', 'Re-deliveries per member per day'],
] as const;

function LimitsForm({ guildId }: { guildId: string }) {
  const path = { guildId };
  const loaded = useLoad(() => api.GET('/api/guilds/{guildId}/codes/settings', { params: { path } }).then(unwrap), [guildId]);
  const [form, setForm] = useState<Record<(typeof LIMITS)[number][0], string>>({ ordersPerMemberPerHour: '', topupsPerMemberPerHour: '', redeliveriesPerDay: '' });
  useEffect(() => {
    const s: Limits | undefined = loaded.data;
    if (s) setForm({ ordersPerMemberPerHour: String(s.ordersPerMemberPerHour ?? ''), topupsPerMemberPerHour: String(s.topupsPerMemberPerHour ?? ''), redeliveriesPerDay: String(s.redeliveriesPerDay) });
  }, [loaded.data]);
  const { error, done, busy, run } = useAction();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void run(async () => {
      unwrap(
        await api.PATCH('/api/guilds/{guildId}/codes/settings', {
          params: { path },
          body: checked(codeShopLimits, {
            ordersPerMemberPerHour: optionalInt(form.ordersPerMemberPerHour),
            topupsPerMemberPerHour: optionalInt(form.topupsPerMemberPerHour),
            redeliveriesPerDay: Number(form.redeliveriesPerDay),
          }),
        }),
      );
      loaded.reload();
      return 'Saved.';
    });
  };
  return (
    <form className="panel" onSubmit={submit} aria-labelledby="code-limits">
      <h3 id="code-limits">Limits</h3>
      <ErrorMessage error={loaded.error} />
      {LIMITS.map(([k, label]) => (
        <label key={k}>
          {label}
          <input type="number" min={0} value={form[k]} onChange={(e) => setForm({ ...form, [k]: e.target.value })} />
        </label>
      ))}
      <button type="submit" className="primary" disabled={busy}>
        Save limits
      </button>
      <Outcome error={error} done={done} />
    </form>
  );
}
