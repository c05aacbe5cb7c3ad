import { ButtonStyle, ComponentType } from 'discord.js';
import { isVariant, linkByUserId, listPets, petLabel } from '../../../activities/trades';
import { customId } from '../../../lib/discord/custom-id';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError, ValidationError } from '../../../lib/errors';
import { withdrawWorkflowId, type PetLine } from '../../../lib/flows/trades';
import { cancelWithdrawal, startWithdraw } from '../../../lib/flows/trades.client';
import type { Command, ComponentHandler } from '../../command';
import type { BotDeps } from '../../deps';
import { guildIdOf } from '../../interaction';
import { withdrawData } from './definitions';
import { ephemeral, wholeNumber } from './shared';

/**
 * `/withdraw [gems]`: a menu of the member's pet stacks, then the withdraw flow (`withdraw:{interaction
 * id}`) with a Cancel button; the flow edits the reply with the outcome.
 */

const replyOf = (i: { applicationId: string; token: string }) => ({ applicationId: i.applicationId, interactionToken: i.token });

async function startWithdrawal(interaction: { id: string; applicationId: string; token: string; user: { id: string; username: string } }, deps: BotDeps, guildId: string, gems: bigint, pets: PetLine[]) {
  const withdrawalId = interaction.id;
  await startWithdraw(
    deps,
    { withdrawalId, guildId, userId: interaction.user.id, gems: String(gems), pets, reply: replyOf(interaction) },
    `Withdrawal to Roblox by ${interaction.user.username} (${interaction.user.id}): ${gems} gems, ${pets.reduce((s, p) => s + p.quantity, 0)} pets`,
  );
  return withdrawalId;
}

const waitingEmbed = (id: string, gems: bigint, pets: number) =>
  guildflowEmbed({
    outcome: 'pending',
    title: 'Withdrawal started',
    description: `${gems} gems and ${pets} pets are held for you. Join the Roblox game: the server delivers them and this message shows the outcome. Cancel before the game takes it to get everything back.`,
    flowId: withdrawWorkflowId(id),
  });
const cancelRow = (id: string) => ({ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Cancel withdrawal', custom_id: customId('withdraw-cancel', id) }] });

export const withdrawCommand: Command = {
  data: withdrawData,
  async handle(interaction, deps) {
    const guildId = guildIdOf(interaction);
    const gems = wholeNumber(interaction.options.getInteger('gems'), 'Gems');
    if (!(await linkByUserId(deps.prisma, guildId, interaction.user.id))) throw new AppError('not_linked', 'Link your Roblox account with /verify before you withdraw.');
    const pets = (await listPets(deps.prisma, guildId, interaction.user.id)).slice(0, 25);
    if (pets.length === 0) {
      if (gems === 0n) throw new ValidationError('You have no pets to withdraw: give a number of gems.');
      const id = await startWithdrawal(interaction, deps, guildId, gems, []);
      await interaction.reply(ephemeral(waitingEmbed(id, gems, 0), { components: [cancelRow(id)] }));
      return;
    }
    await interaction.reply(
      ephemeral(guildflowEmbed({ outcome: 'info', title: 'Withdraw to Roblox', description: `Gems: **${gems}**. Choose the pet stacks to withdraw (each whole stack), or none for gems only.` }), {
        components: [
          {
            type: ComponentType.ActionRow,
            components: [
              {
                type: ComponentType.StringSelect,
                custom_id: customId('withdraw', String(gems)),
                placeholder: 'Pets to withdraw',
                min_values: gems > 0n ? 0 : 1,
                max_values: pets.length,
                options: pets.map((p) => ({ label: `${p.quantity} × ${petLabel({ ...p, emoji: null })}`.slice(0, 100), value: `${p.speciesId}:${p.variant}` })),
              },
            ],
          },
        ],
      }),
    );
  },
};

export const withdrawPick: ComponentHandler = {
  action: 'withdraw',
  async handle(interaction, key, deps) {
    if (!interaction.isStringSelectMenu()) throw new AppError('bad_component', 'This is not a pet menu.');
    const guildId = guildIdOf(interaction);
    if (!/^[0-9]{1,15}$/.test(key)) throw new ValidationError('This menu is broken: run /withdraw again.');
    const gems = BigInt(key);
    const owned = await listPets(deps.prisma, guildId, interaction.user.id);
    const pets: PetLine[] = [];
    for (const v of interaction.values) {
      const [sid, variant] = v.split(':');
      const stack = owned.find((p) => String(p.speciesId) === sid && p.variant === variant);
      if (!stack || !isVariant(variant)) throw new ValidationError('You no longer have one of these pets: run /withdraw again.');
      pets.push({ speciesId: stack.speciesId, variant, quantity: stack.quantity });
    }
    if (gems === 0n && pets.length === 0) throw new ValidationError('Choose gems or pets to withdraw.');
    const id = await startWithdrawal(interaction, deps, guildId, gems, pets);
    await interaction.update({ embeds: [waitingEmbed(id, gems, pets.reduce((s, p) => s + p.quantity, 0))], components: [cancelRow(id) as never] });
  },
};

export const withdrawCancel: ComponentHandler = {
  action: 'withdraw-cancel',
  async handle(interaction, key, deps) {
    const guildId = guildIdOf(interaction);
    const w = await deps.prisma.withdrawal.findUnique({ where: { id: key } });
    if (!w || w.guildId !== guildId) throw new AppError('not_found', 'This withdrawal is not ready yet or no longer exists.', 404);
    if (w.userId !== interaction.user.id) throw new AppError('forbidden', 'Only the member who asked can cancel this withdrawal.', 403);
    await cancelWithdrawal(deps.temporal, key, { by: interaction.user.id, force: false });
    await interaction.reply(ephemeral(guildflowEmbed({ outcome: 'warning', title: 'Withdrawal cancelled', description: 'Everything goes back to your inventory.', flowId: withdrawWorkflowId(key) })));
  },
};
