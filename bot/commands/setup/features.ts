import { ComponentType, MessageFlags, type ChatInputCommandInteraction, type InteractionUpdateOptions } from 'discord.js';
import { customId } from '../../../lib/discord/custom-id';
import { AppError } from '../../../lib/errors';
import { disabledFeatures, setDisabledFeatures } from '../../../lib/feature-switches';
import { switchesOf } from '../../../lib/features';
import { FEATURE_LABELS, FEATURE_SWITCHES } from '../../../lib/requests/guild-settings';
import type { ComponentHandler } from '../../command';
import type { BotDeps } from '../../deps';
import { guildIdOf } from '../../interaction';

const ACTION = 'setup-features';

/** The switches in words and one select whose chosen options are the features switched on. */
async function render(prisma: BotDeps['prisma'], guildId: string): Promise<InteractionUpdateOptions & { content: string }> {
  const off = await disabledFeatures(prisma, guildId);
  const lines = FEATURE_SWITCHES.map((f) => `${off.has(f) ? '⛔' : '✅'} ${FEATURE_LABELS[f]} — ${off.has(f) ? 'off' : 'on'}`);
  return {
    content: ['**Guildflow features in this server**', 'Choose the features that stay on; the others answer that they are switched off.', '', ...lines].join('\n'),
    components: [
      {
        type: ComponentType.ActionRow,
        components: [
          {
            type: ComponentType.StringSelect,
            custom_id: customId(ACTION),
            placeholder: 'Features switched on',
            min_values: 0,
            max_values: FEATURE_SWITCHES.length,
            options: FEATURE_SWITCHES.map((f) => ({ label: FEATURE_LABELS[f], value: f, default: !off.has(f) })),
          },
        ],
      },
    ],
  };
}

/** `/setup features`: the switches, privately, for an admin to change. */
export async function openFeatures(interaction: ChatInputCommandInteraction, { prisma }: BotDeps): Promise<void> {
  await interaction.reply({ ...(await render(prisma, guildIdOf(interaction))), flags: MessageFlags.Ephemeral });
}

/** The chosen options are what stays on; everything else is switched off (audited). */
const featuresSelect: ComponentHandler = {
  action: ACTION,
  level: 'admin',
  async handle(interaction, _key, { prisma }) {
    if (!interaction.isStringSelectMenu()) throw new AppError('unknown_component', 'This menu is no longer in use; run /setup features again.');
    const on = switchesOf(interaction.values);
    if (on.size !== interaction.values.length) throw new AppError('invalid_input', 'Choose features from the list.');
    const guildId = guildIdOf(interaction);
    await setDisabledFeatures(prisma, guildId, FEATURE_SWITCHES.filter((f) => !on.has(f)), { actorType: 'user', actorId: `discord:${interaction.user.id}` });
    await interaction.update(await render(prisma, guildId));
  },
};

export const featureComponents: readonly ComponentHandler[] = [featuresSelect];
