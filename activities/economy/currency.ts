import type { Asset } from '../ledger';
import type { TransactionLedger } from '../ledger/ledger';

/** The guild's currency (its name and emoji are the 'currency' asset's), created with the defaults if missing. */
export async function currencyOf(ledger: Pick<TransactionLedger, 'assets' | 'ensureGuildAssets'>, guildId: string): Promise<Asset> {
  const find = (assets: Asset[]) => assets.find((a) => a.code === 'currency');
  return find(await ledger.assets(guildId)) ?? find(await ledger.ensureGuildAssets(guildId))!;
}

/** "1d 2h", "3h 5m", "42s": how long until something, for people. */
export function formatDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.ceil(totalSeconds));
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [s % 60, 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  if (first === -1) return '0s';
  // The largest unit and the next one when it is not zero: "2d 3h", "5m", never "1d 0h 0m 4s".
  return parts
    .slice(first, first + 2)
    .filter(([n], i) => i === 0 || n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ');
}
