import { ButtonStyle, MessageFlags } from 'discord.js';
import { createLedger, userAccount } from '../../../activities/ledger';
import { assetLabel, findItem, itemLabel, itemUnavailable } from '../../../activities/shop';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import { workflowExists } from '../../../lib/flows/client';
import { purchaseFlow, type PurchaseInput } from '../../../lib/flows/shop';
import type { Command, ComponentHandler } from '../../command';
import { buyData } from './definitions';
import { formatDuration } from './shared';
import { confirmAndStart } from '../confirm-flow';
import { buttonRow, guildIdOf, memberRoleIds } from '../../interaction';

const MAX_QUANTITY = 100;
const CONFIRM = 'shop-buy';
const CANCEL = 'shop-cancel';

/**
 * `/buy item [quantity]`: an ephemeral confirm message with Confirm/Cancel. The Confirm button's id
 * carries the item, quantity, the price shown and the /buy interaction's id
 * (`gf:shop-buy:{item}.{qty}.{price}.{requestId}`); the purchase id is that request id, so every click
 * on the same message (a double click) names the same workflow `purchase:{requestId}`.
 */
export const buyCommand: Command = {
  data: buyData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const quantity = interaction.options.getInteger('quantity') ?? 1;
    if (quantity < 1 || quantity > MAX_QUANTITY) throw new AppError('invalid_input', `The quantity must be from 1 to ${MAX_QUANTITY}.`);
    const item = await findItem(prisma, guildId, interaction.options.getString('item', true));
    if (!item.active) throw itemUnavailable(itemLabel(item));
    const asset = await assetLabel(prisma, guildId, item.assetCode);
    const total = item.price * BigInt(quantity);
    const { available } = await createLedger(prisma).balance(guildId, userAccount(interaction.user.id), item.assetCode);
    const lines = [
      `**Price:** ${formatAmount(asset, item.price)} each · **total ${formatAmount(asset, total)}**`,
      `**You have:** ${formatAmount(asset, available)}${available < total ? ' — not enough for this purchase' : ''}`,
      ...(item.roleId ? [`**Gives the role** <@&${item.roleId}>${item.roleDurationSeconds ? ` for ${formatDuration(item.roleDurationSeconds)}` : ''}`] : []),
    ];
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      allowedMentions: { parse: [] },
      embeds: [guildflowEmbed({ outcome: 'pending', title: `Buy ${quantity} × ${itemLabel(item)}?`, description: lines.join('\n') })],
      components: [
        buttonRow([
          { action: CONFIRM, key: `${item.id}.${quantity}.${item.price}.${interaction.id}`, label: 'Confirm', style: ButtonStyle.Success },
          { action: CANCEL, key: interaction.id, label: 'Cancel' },
        ]),
      ],
    });
  },
};

/**
 * Confirm: starts `purchase:{requestId}`, then acknowledges the click (confirmAndStart: within Discord's
 * 3 seconds) — it never waits for the purchase, which edits this message with its outcome. A second click
 * finds the flow started.
 */
export const buyConfirmButton: ComponentHandler = {
  action: CONFIRM,
  async handle(interaction, key, deps) {
    const m = /^(\d{1,9})\.(\d{1,3})\.(\d{1,19})\.(\d{15,21})$/.exec(key);
    if (!interaction.isButton() || !m) throw new AppError('invalid_component', 'This is not a purchase button.');
    const [, itemId, quantity, price, requestId] = m as unknown as [string, string, string, string, string];
    await confirmAndStart(interaction, deps, purchaseFlow, [requestId], {
      summary: `Shop purchase: ${quantity} × item #${itemId}`,
      input: async (): Promise<PurchaseInput> => ({
        purchaseId: requestId,
        requestKey: `buy:${requestId}`,
        guildId: guildIdOf(interaction),
        userId: interaction.user.id,
        itemId: Number(itemId),
        quantity: Number(quantity),
        memberRoleIds: memberRoleIds(interaction),
        expectedUnitPrice: price,
        reply: { applicationId: interaction.applicationId, interactionToken: interaction.token },
      }),
    });
  },
};

/** Cancel: closes the confirm message, unless the purchase was already confirmed. */
export const buyCancelButton: ComponentHandler = {
  action: CANCEL,
  async handle(interaction, key, { temporal }) {
    if (!interaction.isButton() || !/^\d{15,21}$/.test(key)) throw new AppError('invalid_component', 'This is not a purchase button.');
    if (await workflowExists(temporal, purchaseFlow.id(key))) throw new AppError('already_confirmed', 'This purchase is already confirmed and cannot be cancelled.');
    await interaction.update({ embeds: [guildflowEmbed({ outcome: 'info', title: 'Purchase cancelled', description: 'Nothing was charged.' })], components: [] });
  },
};
