import { MessageFlags, type ChatInputCommandInteraction } from 'discord.js';
import { addItem, assetLabel, editItem, findItem, itemLabel, removeItem, type AuditActor } from '../../../activities/shop';
import type { ItemPatch } from '../../../lib/requests/shop-item';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import type { Command } from '../../command';
import { shopAdminData } from './definitions';
import { describeItem, parseDuration } from './shared';
import { syncShopItemPost } from '../../../activities/sync/shop-hook';
import { guildIdOf } from '../../interaction';
import { requireInInteractionGuild } from '../../scope';

/** The item fields given as options (edit: only those present). */
function fieldsFrom(interaction: ChatInputCommandInteraction): ItemPatch {
  const o = interaction.options;
  const patch: ItemPatch = {};
  const name = o.getString('name');
  if (name !== null) patch.name = name;
  const price = o.getInteger('price');
  if (price !== null) patch.price = BigInt(price);
  const description = o.getString('description');
  if (description !== null) patch.description = description;
  const emoji = o.getString('emoji');
  if (emoji !== null) patch.emoji = emoji;
  const stock = o.getInteger('stock');
  if (stock !== null) patch.stock = stock === -1 ? null : stock;
  const limit = o.getInteger('per_user_limit');
  if (limit !== null) patch.perUserLimit = limit === 0 ? null : limit;
  const role = o.getRole('role');
  if (role) patch.roleId = role.id;
  const duration = o.getString('role_duration');
  if (duration !== null) patch.roleDurationSeconds = parseDuration(duration);
  const required = o.getRole('required_role');
  if (required) patch.requiredRoleId = required.id;
  const asset = o.getString('asset');
  if (asset !== null) patch.assetCode = asset;
  if (o.getBoolean('remove_role')) Object.assign(patch, { roleId: null, roleDurationSeconds: null });
  if (o.getBoolean('remove_required_role')) patch.requiredRoleId = null;
  const category = o.getString('category');
  if (category !== null) patch.category = category;
  if (o.getBoolean('remove_category')) patch.category = null;
  const usable = o.getBoolean('usable');
  if (usable !== null) patch.usable = usable;
  const sellBack = o.getInteger('sell_back_percent');
  if (sellBack !== null) patch.sellBackPercent = sellBack === -1 ? null : sellBack;
  const active = o.getBoolean('active');
  if (active !== null) patch.active = active;
  return patch;
}

/** `/shop-admin add|edit|remove`: admins (and Manage shop grant holders) manage the shop; every change is audited. */
export const shopAdminCommand: Command = {
  level: 'admin',
  grant: 'manage_shop',
  data: shopAdminData,
  async handle(interaction, deps) {
    const { prisma } = deps;
    const guildId = guildIdOf(interaction);
    const actor: AuditActor = { actorType: 'user', actorId: `discord:${interaction.user.id}` };
    const sub = interaction.options.getSubcommand();
    const reply = async (title: string, description: string) =>
      interaction.reply({ flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] }, embeds: [guildflowEmbed({ outcome: 'success', title, description })] });
    if (sub !== 'remove') await requireInInteractionGuild(interaction, { roles: { role: interaction.options.getRole('role')?.id, required_role: interaction.options.getRole('required_role')?.id } });
    if (sub === 'add') {
      const { name, price, ...rest } = fieldsFrom(interaction);
      const item = await addItem(prisma, guildId, { name: name!, price: price!, ...rest }, actor);
      await syncShopItemPost(deps, item, 'saved'); // its post in the shop channel (message sync)
      await reply(`Added ${itemLabel(item)} to the shop`, describeItem(item, await assetLabel(prisma, guildId, item.assetCode)));
    } else if (sub === 'edit') {
      const current = await findItem(prisma, guildId, interaction.options.getString('item', true));
      const item = await editItem(prisma, guildId, current.id, fieldsFrom(interaction), actor);
      await syncShopItemPost(deps, item, 'saved');
      await reply(`Updated ${itemLabel(item)}`, describeItem(item, await assetLabel(prisma, guildId, item.assetCode)));
    } else {
      const current = await findItem(prisma, guildId, interaction.options.getString('item', true));
      const item = await removeItem(prisma, guildId, current.id, actor);
      await syncShopItemPost(deps, item, 'removed');
      await reply(`Removed ${itemLabel(item)} from the shop`, 'Members who own it keep it; its name can be used again.');
    }
  },
};
