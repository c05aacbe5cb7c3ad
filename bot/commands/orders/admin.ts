import { ButtonStyle, MessageFlags } from 'discord.js';
import { assetLabel } from '../../../activities/shop/messages';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { PrismaClient } from '../../../prisma/client';
import { orderFlow, ORDER_STATUSES } from '../../../lib/flows/orders';
import { FlowClosedError } from '../../../lib/flows/client';
import { sendOrderAdminAction } from '../../../lib/flows/orders.client';
import type { Command, ComponentHandler } from '../../command';
import { buttonRow, guildIdOf } from '../../interaction';
import { ordersData } from './definitions';

const PAGE = 10;
const PAGE_ACTION = 'orders-page';

/** One page of orders as an embed, with Previous/Next carrying the filters (`gf:orders-page:{page}.{status}.{user}`). */
async function ordersPage(prisma: PrismaClient, guildId: string, page: number, status: string, userId: string) {
  const where = { guildId, ...(status !== '-' ? { status } : {}), ...(userId !== '-' ? { userId } : {}) };
  const [rows, total] = await Promise.all([
    prisma.codeOrder.findMany({ where, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }], skip: page * PAGE, take: PAGE }),
    prisma.codeOrder.count({ where }),
  ]);
  const asset = await assetLabel(prisma, guildId, 'currency');
  const lines = rows.map((o) => `\`${o.id}\` · <@${o.userId}> · ${o.quantity} code${o.quantity === 1 ? '' : 's'} · ${formatAmount(asset, o.price)} · **${o.status}**`);
  const pages = Math.max(1, Math.ceil(total / PAGE));
  return {
    embeds: [guildflowEmbed({ outcome: 'info', title: `Orders (${total})`, description: lines.join('\n') || 'No orders match.', fields: [{ name: 'Page', value: `${page + 1} / ${pages}` }] })],
    components: [
      buttonRow([
        { action: PAGE_ACTION, key: `${page - 1}.${status}.${userId}`, label: 'Previous', disabled: page <= 0 },
        { action: PAGE_ACTION, key: `${page + 1}.${status}.${userId}`, label: 'Next', disabled: page + 1 >= pages, style: ButtonStyle.Primary },
      ]),
    ],
  };
}

/** `/orders view [status] [user]` (paged) and `/orders process id action` (a signal to the order's workflow). */
export const ordersCommand: Command = {
  level: 'admin',
  data: ordersData,
  async handle(interaction, { prisma, temporal }) {
    const guildId = guildIdOf(interaction);
    if (interaction.options.getSubcommand() === 'view') {
      const status = interaction.options.getString('status') ?? '-';
      const user = interaction.options.getUser('user')?.id ?? '-';
      await interaction.reply({ flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] }, ...(await ordersPage(prisma, guildId, 0, status, user)) });
      return;
    }
    const id = interaction.options.getString('id', true).trim();
    const action = interaction.options.getString('action', true);
    if (action !== 'retry' && action !== 'complete' && action !== 'refund') throw new AppError('invalid_input', 'The action is retry, complete or refund.');
    const order = await prisma.codeOrder.findFirst({ where: { id, guildId } });
    if (!order) throw new AppError('not_found', `There is no order ${id} in this server.`, 404);
    if (order.status !== 'needs_admin') throw new AppError('order_not_waiting', `Order ${id} is ${order.status}; only an order that needs an admin can be processed.`);
    if (!(await sendOrderAdminAction(temporal, id, { action, by: interaction.user.id }))) throw new FlowClosedError(`Order ${id} is no longer running: nothing was changed.`);
    await prisma.auditEvent.create({ data: { guildId, actorType: 'user', actorId: `discord:${interaction.user.id}`, action: `code_order.${action}`, targetType: 'code_order', targetId: id, data: { action } } });
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      embeds: [guildflowEmbed({ outcome: 'success', title: `Order ${id}: ${action}`, description: 'Sent to the order. Its member is told the outcome.', flowId: orderFlow.id(id) })],
    });
  },
};

export const ordersPageButtons: ComponentHandler = {
  action: PAGE_ACTION,
  level: 'admin',
  async handle(interaction, key, { prisma }) {
    const m = /^(-?\d{1,6})\.([a-z_-]{1,20})\.(\d{15,21}|-)$/.exec(key);
    if (!interaction.isButton() || !m) throw new AppError('invalid_component', 'This is not an orders page button.');
    const status = m[2]!;
    if (status !== '-' && !(ORDER_STATUSES as readonly string[]).includes(status)) throw new AppError('invalid_component', 'Unknown order status.');
    await interaction.update(await ordersPage(prisma, guildIdOf(interaction), Math.max(0, Number(m[1])), status, m[3]!));
  },
};
