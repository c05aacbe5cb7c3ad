/** How an amount of a guild's asset reads in Discord: `🪙 1,250 Coins`. One format for every message. */
export function formatAmount(asset: { name: string; emoji: string }, amount: bigint): string {
  return `${asset.emoji} ${amount.toLocaleString('en-US')} ${asset.name}`;
}
