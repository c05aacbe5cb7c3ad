import { assetLabel } from '../../../activities/shop/messages';
import { isVariant, linkByUserId, petLabel, sendTip } from '../../../activities/trades';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError, ValidationError } from '../../../lib/errors';
import type { Command } from '../../command';
import { guildIdOf } from '../../interaction';
import { tipData } from './definitions';
import { wholeNumber } from './shared';

/** `/tip user [gems] [pet]`: gems and/or pets to another linked member, all or nothing (one transaction). */
export const tipCommand: Command = {
  data: tipData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const to = interaction.options.getUser('user', true);
    if (to.id === interaction.user.id || to.bot) throw new ValidationError('Tip another member.');
    const gems = wholeNumber(interaction.options.getInteger('gems'), 'Gems');
    const petKey = interaction.options.getString('pet');
    if (gems === 0n && !petKey) throw new ValidationError('Give gems, a pet, or both.');
    if (!(await linkByUserId(prisma, guildId, interaction.user.id))) throw new AppError('not_linked', 'Link your Roblox account with /verify before you tip.');
    if (!(await linkByUserId(prisma, guildId, to.id))) throw new AppError('not_linked', `<@${to.id}> has no Roblox account linked.`);
    const key = `tip:${interaction.id}`;
    const parts: string[] = [];
    let species = null;
    const variant = interaction.options.getString('variant') ?? 'normal';
    const quantity = Number(wholeNumber(interaction.options.getInteger('quantity') ?? 1, 'Quantity', 1));
    if (petKey) {
      if (!isVariant(variant)) throw new ValidationError('Unknown variant.');
      species = await prisma.petSpecies.findUnique({ where: { guildId_key: { guildId, key: petKey } } });
      if (!species) throw new ValidationError(`There is no pet ${JSON.stringify(petKey)} here.`);
    }
    await sendTip(prisma, { guildId, key, fromUserId: interaction.user.id, toUserId: to.id, gems, pets: species && isVariant(variant) ? { speciesId: species.id, variant, quantity } : null });
    if (gems > 0n) parts.push(formatAmount(await assetLabel(prisma, guildId, 'gems'), gems));
    if (species && isVariant(variant)) parts.push(`${quantity} × ${petLabel({ name: species.name, emoji: species.emoji, variant })}`);
    await interaction.reply({ allowedMentions: { users: [to.id] }, embeds: [guildflowEmbed({ outcome: 'success', title: 'Tip sent', description: `<@${interaction.user.id}> gave <@${to.id}> ${parts.join(' and ')}.` })] });
  },
};
