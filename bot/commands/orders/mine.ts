import { ButtonStyle, DiscordAPIError, MessageFlags, RESTJSONErrorCodes, type ChatInputCommandInteraction, type User } from 'discord.js';
import { DmsClosedError, redeliverOrder, type DeliveryDm } from '../../../activities/orders/redeliver';
import { assetLabel } from '../../../activities/shop/messages';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { PrismaClient } from '../../../prisma/client';
import type { BotDeps } from '../../deps';
import type { Command, ComponentHandler, ComponentInteraction } from '../../command';
import { buttonRow, guildIdOf } from '../../interaction';
import { myordersData } from './definitions';

/** Orders per page: each completed one on the page gets its own Send again button (≤ 5 per row). */
const PAGE = 5;
const MINE_PAGE = 'orders-mine';
const REDELIVER = 'order-redeliver';
const ORDER_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/**
 * One page of the member's own code orders, newest first. Only the page number travels in the buttons
 * (`gf:orders-mine:{page}`); whose orders are shown always comes from the interaction's user.
 */
async function myOrdersPage(prisma: PrismaClient, guildId: string, userId: string, page: number) {
  const where = { guildId, userId };
  const total = await prisma.codeOrder.count({ where });
  const pages = Math.max(1, Math.ceil(total / PAGE));
  const at = Math.min(Math.max(0, page), pages - 1);
  const rows = await prisma.codeOrder.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], skip: at * PAGE, take: PAGE });
  const asset = await assetLabel(prisma, guildId, 'currency');
  const lines = rows.map(
    (o) => `\`${o.id}\` · ${o.quantity} code${o.quantity === 1 ? '' : 's'} · ${formatAmount(asset, o.price)} · **${o.status.replace('_', ' ')}** · <t:${Math.floor(o.createdAt.getTime() / 1000)}:f>`,
  );
  const completed = rows.filter((o) => o.status === 'completed');
  return {
    flags: MessageFlags.Ephemeral as const,
    allowedMentions: { parse: [] },
    embeds: [
      guildflowEmbed({
        outcome: 'info',
        title: `Your orders (${total})`,
        description: lines.join('\n') || 'You have no code orders yet: order with /order.',
        fields: [{ name: 'Page', value: `${at + 1} / ${pages}` }],
      }),
    ],
    components: [
      buttonRow([
        { action: MINE_PAGE, key: String(at - 1), label: 'Previous', disabled: at <= 0 },
        { action: MINE_PAGE, key: String(at + 1), label: 'Next', disabled: at + 1 >= pages, style: ButtonStyle.Primary },
      ]),
      ...(completed.length ? [buttonRow(completed.map((o) => ({ action: REDELIVER, key: o.id, label: `Send ${o.id.slice(-6)} again` })))] : []),
    ],
  };
}

/**
 * `/myorders list [page]`: the caller's own orders; `/myorders redeliver id`: a completed order's codes
 * again by DM (the buyer only, within the daily cap). Any member.
 */
export const myordersCommand: Command = {
  data: myordersData,
  async handle(interaction, deps) {
    if (interaction.options.getSubcommand() === 'redeliver') {
      await sendAgain(interaction, interaction.options.getString('id', true).trim(), deps);
      return;
    }
    const page = (interaction.options.getInteger('page') ?? 1) - 1;
    await interaction.reply(await myOrdersPage(deps.prisma, guildIdOf(interaction), interaction.user.id, page));
  },
};

/** Decrypts and DMs the codes through redeliverOrder, which decides whether they may go; the answer is ephemeral. */
async function sendAgain(interaction: ChatInputCommandInteraction | ComponentInteraction, orderId: string, { prisma, codes }: BotDeps): Promise<void> {
  if (!codes) throw new AppError('code_shop_disabled', 'The code shop is not set up on this server’s Guildflow yet.');
  if (!ORDER_ID.test(orderId)) throw new AppError('invalid_input', 'That is not an order id.');
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const r = await redeliverOrder(prisma, codes, { guildId: guildIdOf(interaction), userId: interaction.user.id, orderId }, (dm) => sendDm(interaction.user, dm));
  await interaction.editReply({
    embeds: [
      guildflowEmbed({
        outcome: 'success',
        title: 'Codes sent again',
        description: `The ${r.codes} code${r.codes === 1 ? '' : 's'} of order \`${r.order.id}\` ${r.codes === 1 ? 'is' : 'are'} in your direct messages. You can ask ${r.left} more time${r.left === 1 ? '' : 's'} in the next 24 hours.`,
      }),
    ],
  });
}

async function sendDm(user: User, dm: DeliveryDm): Promise<void> {
  try {
    await user.send({ embeds: dm.embeds, files: (dm.files ?? []).map((f) => ({ attachment: Buffer.from(f.data), name: f.name })) });
  } catch (err) {
    if (err instanceof DiscordAPIError && err.code === RESTJSONErrorCodes.CannotSendMessagesToThisUser) throw new DmsClosedError();
    throw err;
  }
}

const myOrdersPageButtons: ComponentHandler = {
  action: MINE_PAGE,
  async handle(interaction, key, { prisma }) {
    if (!interaction.isButton() || !/^-?\d{1,6}$/.test(key)) throw new AppError('invalid_component', 'This is not an orders page button.');
    const { flags: _ephemeral, ...page } = await myOrdersPage(prisma, guildIdOf(interaction), interaction.user.id, Number(key));
    await interaction.update(page);
  },
};

const redeliverButton: ComponentHandler = {
  action: REDELIVER,
  async handle(interaction, key, deps) {
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not an order button.');
    await sendAgain(interaction, key, deps);
  },
};

export const myOrdersComponents: readonly ComponentHandler[] = [myOrdersPageButtons, redeliverButton];
