import { formatAmount } from '../../../lib/discord/amounts';
import { AppError } from '../../../lib/errors';

/** "+🪙 5 Coins" / "−🪙 5 Coins": a change of a balance. */
export function signedAmount(asset: { name: string; emoji: string }, amount: bigint): string {
  return `${amount < 0n ? '−' : '+'}${formatAmount(asset, amount < 0n ? -amount : amount)}`;
}

/** A page number from a custom id key, refusing anything else (ids come from Discord, but state is ours). */
export function parsePage(text: string): number {
  if (!/^[0-9]{1,6}$/.test(text)) throw new AppError('bad_page', 'This button is out of date; run the command again.');
  return Number(text);
}
