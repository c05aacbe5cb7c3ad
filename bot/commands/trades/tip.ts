import { createLedger, userAccount } from '../../../activities/ledger';
import { assetLabel } from '../../../activities/shop/messages';
import { isVariant, linkByUserId, movePets, petLabel } from '../../../activities/trades';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError, ValidationError } from '../../../lib/errors';
import type { Command } from '../../command';
import { guildIdOf } from '../../interaction';
import { tipData } from './definitions';
import { wholeNumber } from './shared';

/** `/tip user [gems] [pet]`: gems and/or pets to another linked member, all or nothing. */
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
    if (gems > 0n) {
      await createLedger(prisma).transfer({ guildId, key: `${key}:gems`, type: 'give', actor: { type: 'user', id: interaction.user.id }, asset: 'gems', from: userAccount(interaction.user.id), to: userAccount(to.id), amount: gems, reason: 'Tip' });
      parts.push(formatAmount(await assetLabel(prisma, guildId, 'gems'), gems));
    }
    if (species && isVariant(variant)) {
      try {
        await movePets(prisma, { guildId, key, type: 'tip', actor: { type: 'user', id: interaction.user.id }, reason: 'Tip', moves: [{ ownerId: interaction.user.id, speciesId: species.id, variant, delta: -quantity }, { ownerId: to.id, speciesId: species.id, variant, delta: quantity }] });
      } catch (err) {
        // The gems went; the pets could not: give the gems back so the tip is all or nothing.
        if (gems > 0n) await createLedger(prisma).transfer({ guildId, key: `${key}:gems:undo`, type: 'reversal', actor: { type: 'system', id: 'tip' }, asset: 'gems', from: userAccount(to.id), to: userAccount(interaction.user.id), amount: gems, reason: 'Tip undone: the pets could not move' });
        throw err;
      }
      parts.push(`${quantity} × ${petLabel({ name: species.name, emoji: species.emoji, variant })}`);
    }
    await interaction.reply({ allowedMentions: { users: [to.id] }, embeds: [guildflowEmbed({ outcome: 'success', title: 'Tip sent', description: `<@${interaction.user.id}> gave <@${to.id}> ${parts.join(' and ')}.` })] });
  },
};
