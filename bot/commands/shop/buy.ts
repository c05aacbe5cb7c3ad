import { ButtonStyle, MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { createLedger, userAccount } from '../../../activities/ledger';
import { assetLabel, findItem, itemLabel, itemUnavailable, liveItem, SHOP_BUY_FROM_POST } from '../../../activities/shop';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import { workflowExists } from '../../../lib/flows/client';
import { purchaseFlow, type PurchaseInput } from '../../../lib/flows/shop';
import type { PrismaClient, ShopItem } from '../../../prisma/client';
import type { Command, ComponentHandler } from '../../command';
import { buyData } from './definitions';
import { formatDuration } from './shared';
import { confirmAndStart } from '../confirm-flow';
import { buttonRow, guildIdOf, memberRoleIds } from '../../interaction';

const MAX_QUANTITY = 100;
const CONFIRM = 'shop-buy';
const CANCEL = 'shop-cancel';

/**
 * Which purchase a confirm message names (its "request"): a /buy interaction's id — every click on that
 * message names `purchase:{requestId}` — or, from a shop post's Buy button, `{itemId}n{count}` where
 * count is how many purchases of the item the member had when they clicked. Two Buy clicks before a
 * purchase exists name the same request (their confirm messages start one purchase between them); once a
 * purchase is recorded the count moves on and the next Buy is a new purchase. The member's id is never
 * read from the custom id: it is the clicker's.
 */
const REQUEST = /^(?:(\d{15,21})|(\d{1,9})n(\d{1,9}))$/;

function parseRequest(request: string, userId: string): { purchaseId: string; itemId: number | null } | null {
  const m = REQUEST.exec(request);
  if (!m) return null;
  return m[1] ? { purchaseId: m[1], itemId: null } : { purchaseId: `post-${m[2]}-${userId}-${m[3]}`, itemId: Number(m[2]) };
}

/** The confirm message for `quantity` × item under `request`, as /buy and a post's Buy button answer. */
async function replyWithConfirm(interaction: ChatInputCommandInteraction | ButtonInteraction, prisma: PrismaClient, item: ShopItem, quantity: number, request: string): Promise<void> {
  if (!item.active) throw itemUnavailable(itemLabel(item));
  const asset = await assetLabel(prisma, item.guildId, item.assetCode);
  const total = item.price * BigInt(quantity);
  const { available } = await createLedger(prisma).balance(item.guildId, userAccount(interaction.user.id), item.assetCode);
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
        { action: CONFIRM, key: `${item.id}.${quantity}.${item.price}.${request}`, label: 'Confirm', style: ButtonStyle.Success },
        { action: CANCEL, key: request, label: 'Cancel' },
      ]),
    ],
  });
}

/**
 * `/buy item [quantity]`: an ephemeral confirm message with Confirm/Cancel. The Confirm button's id
 * carries the item, quantity, the price shown and the request (`gf:shop-buy:{item}.{qty}.{price}.{request}`),
 * here the /buy interaction's id: every click on the same message (a double click) names the same workflow.
 */
export const buyCommand: Command = {
  data: buyData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const quantity = interaction.options.getInteger('quantity') ?? 1;
    if (quantity < 1 || quantity > MAX_QUANTITY) throw new AppError('invalid_input', `The quantity must be from 1 to ${MAX_QUANTITY}.`);
    const item = await findItem(prisma, guildId, interaction.options.getString('item', true));
    await replyWithConfirm(interaction, prisma, item, quantity, interaction.id);
  },
};

/**
 * Buy on an item's post in the shop channel (`gf:shop-item-buy:{itemId}`): the same confirm message as
 * `/buy item:#id`, for one unit. The item id is client data: only a live item of this server, on sale.
 */
export const buyFromPostButton: ComponentHandler = {
  action: SHOP_BUY_FROM_POST,
  async handle(interaction, key, { prisma }) {
    if (!interaction.isButton() || !/^\d{1,9}$/.test(key)) throw new AppError('invalid_component', 'This is not a Buy button.');
    const item = await liveItem(prisma, guildIdOf(interaction), Number(key));
    const count = await prisma.purchase.count({ where: { guildId: item.guildId, userId: interaction.user.id, itemId: item.id } });
    await replyWithConfirm(interaction, prisma, item, 1, `${item.id}n${count}`);
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
    const m = /^(\d{1,9})\.(\d{1,3})\.(\d{1,19})\.(.+)$/.exec(key);
    const request = m && parseRequest(m[4]!, interaction.user.id);
    // A post's request names its item: it must be the item this button buys.
    if (!interaction.isButton() || !m || !request || (request.itemId !== null && request.itemId !== Number(m[1]))) {
      throw new AppError('invalid_component', 'This is not a purchase button.');
    }
    const [, itemId, quantity, price] = m as unknown as [string, string, string, string];
    const { purchaseId } = request;
    await confirmAndStart(interaction, deps, purchaseFlow, [purchaseId], {
      summary: `Shop purchase: ${quantity} × item #${itemId}`,
      input: async (): Promise<PurchaseInput> => ({
        purchaseId,
        requestKey: `buy:${purchaseId}`,
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
    const purchaseId = parseRequest(key, interaction.user.id)?.purchaseId;
    if (!interaction.isButton() || !purchaseId) throw new AppError('invalid_component', 'This is not a purchase button.');
    if (await workflowExists(temporal, purchaseFlow.id(purchaseId))) throw new AppError('already_confirmed', 'This purchase is already confirmed and cannot be cancelled.');
    await interaction.update({ embeds: [guildflowEmbed({ outcome: 'info', title: 'Purchase cancelled', description: 'Nothing was charged.' })], components: [] });
  },
};
