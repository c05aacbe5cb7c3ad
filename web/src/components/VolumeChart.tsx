import { amount } from './ui';

interface Row {
  day: string;
  type: string;
  volume: string;
}

const COLORS = ['#5865f2', '#3ba55d', '#faa61a', '#ed4245', '#9b59b6', '#1abc9c', '#e67e22', '#95a5a6', '#34495e', '#f1c40f', '#7f8c8d'];

/**
 * Volume per day, stacked by entry type, as inline SVG (no chart library). The same numbers are in the
 * table beside it for screen readers, so the SVG is decorative to them apart from its title.
 */
export function VolumeChart({ rows, days }: { rows: readonly Row[]; days: readonly string[] }) {
  const types = [...new Set(rows.map((r) => r.type))].sort();
  const byDay = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const day = byDay.get(r.day) ?? new Map<string, number>();
    day.set(r.type, (day.get(r.type) ?? 0) + Number(r.volume));
    byDay.set(r.day, day);
  }
  const totals = days.map((d) => [...(byDay.get(d)?.values() ?? [])].reduce((a, b) => a + b, 0));
  const max = Math.max(1, ...totals);
  const width = 600;
  const height = 160;
  const barWidth = width / Math.max(1, days.length);
  return (
    <figure className="chart">
      <svg viewBox={`0 0 ${width} ${height + 20}`} role="img" aria-label={`Volume per day over ${days.length} days, by type`}>
        {days.map((d, i) => {
          let y = height;
          return (
            <g key={d}>
              {types.map((t, ti) => {
                const v = byDay.get(d)?.get(t) ?? 0;
                if (!v) return null;
                const h = (v / max) * height;
                y -= h;
                return (
                  <rect key={t} x={i * barWidth + 1} y={y} width={Math.max(1, barWidth - 2)} height={h} fill={COLORS[ti % COLORS.length]}>
                    <title>{`${d} ${t}: ${amount(String(v))}`}</title>
                  </rect>
                );
              })}
              {(i === 0 || i === days.length - 1) && (
                <text x={i * barWidth + (i === 0 ? 0 : barWidth)} y={height + 15} fontSize="11" textAnchor={i === 0 ? 'start' : 'end'} fill="currentColor">
                  {d}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="legend">
          {types.map((t, ti) => (
            <li key={t}>
              <svg width="12" height="12" aria-hidden="true" className="swatch">
                <rect width="12" height="12" fill={COLORS[ti % COLORS.length]} />
              </svg>{' '}
              {t}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}
