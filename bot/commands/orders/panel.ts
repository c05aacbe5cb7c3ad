import { ButtonStyle, ChannelType, ComponentType, MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { ensurePackages } from '../../../activities/codes/packages';
import { createLedger, userAccount } from '../../../activities/ledger';
import { assetLabel } from '../../../activities/shop/messages';
import { formatAmount } from '../../../lib/discord/amounts';
import { customId } from '../../../lib/discord/custom-id';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { BotDeps } from '../../deps';
import type { ComponentHandler } from '../../command';
import { startTopupFor } from '../payments/topup';
import { orderConfirmMessage } from './order';
import { buttonRow, guildIdOf } from '../../interaction';
import { requireInInteractionGuild } from '../../scope';

const PANEL_ORDER = 'panel-order';
const PANEL_TOPUP = 'panel-topup';
const PANEL_BALANCE = 'panel-balance';
const PANEL_TOPUP_MODAL = 'panel-topup-modal';
const ORDER_PICK = 'order-pick';

/** `/setup shop-panel [channel]`: posts the shop panel (Order codes, Top up, Balance) for members. */
export async function postShopPanel(interaction: ChatInputCommandInteraction, { prisma }: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  const channelId = interaction.options.getChannel('channel')?.id ?? interaction.channelId;
  await requireInInteractionGuild(interaction, { channels: { channel: channelId } });
  const channel = await interaction.client.channels.fetch(channelId);
  if (!channel || channel.type !== ChannelType.GuildText) throw new AppError('invalid_input', 'Choose a text channel for the panel.');
  const packages = (await ensurePackages(prisma, guildId)).filter((p) => p.active);
  const asset = await assetLabel(prisma, guildId, 'currency');
  const message = await channel.send({
    allowedMentions: { parse: [] },
    embeds: [
      guildflowEmbed({
        outcome: 'info',
        title: 'Code shop',
        description: ['Order codes, delivered by direct message.', '', ...packages.map((p) => `**${p.quantity} code${p.quantity === 1 ? '' : 's'}** — ${formatAmount(asset, p.price)}`)].join('\n'),
      }),
    ],
    components: [
      buttonRow([
        { action: PANEL_ORDER, label: 'Order codes', style: ButtonStyle.Success },
        { action: PANEL_TOPUP, label: 'Top up', style: ButtonStyle.Primary },
        { action: PANEL_BALANCE, label: 'Balance' },
      ]),
    ],
  });
  await interaction.reply({ flags: MessageFlags.Ephemeral, embeds: [guildflowEmbed({ outcome: 'success', title: 'Shop panel posted', description: `In <#${channel.id}> ([message](${message.url})).` })] });
}

/** Order codes → an ephemeral package menu. */
const panelOrderButton: ComponentHandler = {
  action: PANEL_ORDER,
  async handle(interaction, _key, { prisma, codes }) {
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not the Order button.');
    if (!codes) throw new AppError('code_shop_disabled', 'The code shop is not set up on this server’s Guildflow yet.');
    const guildId = guildIdOf(interaction);
    const packages = (await ensurePackages(prisma, guildId)).filter((p) => p.active);
    const asset = await assetLabel(prisma, guildId, 'currency');
    if (!packages.length) throw new AppError('package_not_found', 'No package is on sale right now.');
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      content: 'Which package?',
      components: [
        {
          type: ComponentType.ActionRow,
          components: [
            {
              type: ComponentType.StringSelect,
              custom_id: customId(ORDER_PICK),
              placeholder: 'Choose a package',
              options: packages.map((p) => ({ label: `${p.quantity} code${p.quantity === 1 ? '' : 's'}`, description: formatAmount(asset, p.price).slice(0, 100), value: String(p.id) })),
            },
          ],
        },
      ],
    });
  },
};

/** A package picked → the same confirm message as /order. */
const orderPickMenu: ComponentHandler = {
  action: ORDER_PICK,
  async handle(interaction, _key, { prisma }) {
    if (!interaction.isStringSelectMenu()) throw new AppError('invalid_component', 'This is not the package menu.');
    const guildId = guildIdOf(interaction);
    const id = Number(interaction.values[0]);
    const pkg = (await ensurePackages(prisma, guildId)).find((p) => p.id === id && p.active);
    if (!pkg) throw new AppError('package_not_found', 'That package is not on sale any more.');
    const message = await orderConfirmMessage(prisma, guildId, interaction.user.id, pkg, interaction.id);
    await interaction.update({ content: '', embeds: message.embeds, components: message.components });
  },
};

/** Top up → a form asking the amount. */
const panelTopupButton: ComponentHandler = {
  action: PANEL_TOPUP,
  async handle(interaction, _key, { topup }) {
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not the Top up button.');
    if (!topup) throw new AppError('payments_disabled', 'Top-ups are not set up on this server’s Guildflow yet.');
    await interaction.showModal({
      custom_id: customId(PANEL_TOPUP_MODAL),
      title: 'Top up with QRIS',
      components: [
        {
          type: 1,
          components: [{ type: 4, custom_id: 'amount', label: `Amount in rupiah (${topup.limits.min}–${topup.limits.max})`, style: 1, min_length: 1, max_length: 13, required: true }],
        },
      ],
    });
  },
};

const panelTopupModal: ComponentHandler = {
  action: PANEL_TOPUP_MODAL,
  async handle(interaction, _key, deps) {
    if (!interaction.isModalSubmit()) throw new AppError('invalid_component', 'This is not the top-up form.');
    const text = interaction.fields.getTextInputValue('amount').replace(/[.,\s]/g, '');
    if (!/^\d{1,13}$/.test(text)) throw new AppError('invalid_input', 'Write the amount as a whole number of rupiah, e.g. 50000.');
    await startTopupFor(interaction, Number(text), deps);
  },
};

const panelBalanceButton: ComponentHandler = {
  action: PANEL_BALANCE,
  async handle(interaction, _key, { prisma }) {
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not the Balance button.');
    const guildId = guildIdOf(interaction);
    const asset = await assetLabel(prisma, guildId, 'currency');
    const b = await createLedger(prisma).balance(guildId, userAccount(interaction.user.id), 'currency');
    await interaction.reply({
      flags: MessageFlags.Ephemeral,
      embeds: [guildflowEmbed({ outcome: 'info', title: 'Your balance', description: `**${formatAmount(asset, b.available)}** available${b.held > 0n ? ` (${formatAmount(asset, b.held)} held for orders)` : ''}.` })],
    });
  },
};

export const panelComponents: readonly ComponentHandler[] = [panelOrderButton, orderPickMenu, panelTopupButton, panelTopupModal, panelBalanceButton];
