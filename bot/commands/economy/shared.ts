import { ActionRowBuilder, ButtonBuilder, ButtonStyle } from 'discord.js';
import { formatAmount } from '../../../lib/discord/amounts';
import { customId } from '../../../lib/discord/custom-id';
import { AppError } from '../../../lib/errors';

/** "+🪙 5 Coins" / "−🪙 5 Coins": a change of a balance. */
export function signedAmount(asset: { name: string; emoji: string }, amount: bigint): string {
  return `${amount < 0n ? '−' : '+'}${formatAmount(asset, amount < 0n ? -amount : amount)}`;
}

/** A row of paging buttons; a disabled button still needs a unique custom id. */
export function pagingRow(buttons: { action: string; key: string; label: string; disabled: boolean }[]): ActionRowBuilder<ButtonBuilder> {
  return new ActionRowBuilder<ButtonBuilder>().addComponents(
    buttons.map((b) => new ButtonBuilder().setCustomId(customId(b.action, b.key)).setLabel(b.label).setStyle(ButtonStyle.Secondary).setDisabled(b.disabled)),
  );
}

/** A page number from a custom id key, refusing anything else (ids come from Discord, but state is ours). */
export function parsePage(text: string): number {
  if (!/^[0-9]{1,6}$/.test(text)) throw new AppError('bad_page', 'This button is out of date; run the command again.');
  return Number(text);
}
