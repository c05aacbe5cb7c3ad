import { MessageFlags, type ButtonInteraction, type ChatInputCommandInteraction } from 'discord.js';
import { boardLines, endButton, formatDuration, PAD_END_ACTION, padBoard, sessionInput, typeLabel } from '../../../activities/pads';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError, ForbiddenError } from '../../../lib/errors';
import { endPadSession, startPadSession } from '../../../lib/flows/pads.client';
import type { PadType } from '../../../lib/flows/pads';
import { atLeast } from '../../../lib/permissions';
import type { Command, ComponentHandler } from '../../command';
import type { BotDeps } from '../../deps';
import { guildIdOf } from '../../interaction';
import { interactionLevel } from '../../permissions';
import { padsData, trainingData, tryoutData } from './definitions';
import { requireHost } from './shared';

const at = (iso: string, style: 'f' | 'R') => `<t:${Math.floor(Date.parse(iso) / 1000)}:${style}>`;

/** `/training start` and `/tryout start`: the host check, then the flow's start decides who gets the pad. */
function startCommand(type: PadType, data: typeof trainingData): Command {
  return {
    data,
    async handle(interaction, { prisma, temporal, taskQueue }) {
      const guildId = guildIdOf(interaction);
      const settings = await requireHost(interaction, prisma);
      const input = sessionInput(settings, { guildId, pad: interaction.options.getInteger('pad', true), type, hostId: interaction.user.id, description: interaction.options.getString('description') });
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const result = await startPadSession({ temporal, taskQueue }, input);
      if (result.started) {
        await interaction.editReply({
          embeds: [guildflowEmbed({ outcome: 'success', title: `${typeLabel(type)} started on pad ${input.pad}`, description: `It ends by itself after ${formatDuration(input.maxSeconds * 1000)}. End it sooner with the button or \`/pad end\`.`, flowId: result.workflowId })],
          components: [endButton(input.pad)],
        });
        return;
      }
      const h = result.holder;
      await interaction.editReply({
        embeds: [
          guildflowEmbed({
            outcome: 'warning',
            title: `Pad ${input.pad} is taken`,
            description: h ? `<@${h.hostId}> is hosting a ${h.type} there since ${at(h.startedAt, 'R')} (${at(h.startedAt, 'f')}).` : 'Another session is starting there right now.',
          }),
        ],
        allowedMentions: { parse: [] },
      });
    },
  };
}

export const trainingCommand = startCommand('training', trainingData);
export const tryoutCommand = startCommand('tryout', tryoutData);

/**
 * Ends the pad's session for the member: checked here (the host, or an admin) and again by the flow's
 * validator, since the pad number of a button is client data. Any pad may be ended, even one above a
 * lowered pad count.
 */
export async function endSession(interaction: ChatInputCommandInteraction | ButtonInteraction, pad: number, { prisma, temporal }: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  const level = await interactionLevel(interaction, prisma);
  const open = await prisma.padSession.findFirst({ where: { guildId, pad, endedAt: null } });
  if (open && open.hostId !== interaction.user.id && !atLeast(level, 'admin')) throw new ForbiddenError(`Only the host <@${open.hostId}> or an admin can end this session.`);
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const result = await endPadSession(temporal, guildId, pad, { guildId, userId: interaction.user.id, level });
  await interaction.editReply({ embeds: [guildflowEmbed({ outcome: 'success', title: `Session on pad ${pad} ended`, description: result.endReason === 'admin' ? 'Ended by an admin.' : 'Ended by its host.' })] });
}

export const endButtonHandler: ComponentHandler = {
  action: PAD_END_ACTION,
  async handle(interaction, key, deps) {
    if (!interaction.isButton() || !/^[1-9]$/.test(key)) throw new AppError('invalid_component', 'This is not a pad button.');
    await endSession(interaction, Number(key), deps);
  },
};

export const padsCommand: Command = {
  data: padsData,
  async handle(interaction, { prisma }) {
    const board = await padBoard(prisma, guildIdOf(interaction));
    await interaction.reply({ flags: MessageFlags.Ephemeral, allowedMentions: { parse: [] }, embeds: [guildflowEmbed({ outcome: 'info', title: 'Pads', description: boardLines(board).join('\n') })] });
  },
};
