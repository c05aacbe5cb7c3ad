import { MessageFlags, type Interaction } from 'discord.js';
import { AppError } from '../lib/errors';
import type { Command } from './commands';
import type { BotDeps } from './deps';

/**
 * The one InteractionCreate dispatcher: finds the handler, and turns any error into an ephemeral reply
 * plus a log line with the interaction id. Handlers never catch-and-ignore.
 */
export async function routeInteraction(interaction: Interaction, deps: BotDeps, commands: readonly Command[]): Promise<void> {
  if (!interaction.isChatInputCommand()) return;
  const log = deps.log.child({ interactionId: interaction.id, guildId: interaction.guildId, userId: interaction.user.id });
  const command = commands.find((c) => c.data.name === interaction.commandName);
  try {
    if (!command) throw new AppError('unknown_command', `/${interaction.commandName} is not a Guildflow command (any more).`);
    await command.handle(interaction, { ...deps, log });
  } catch (err) {
    const known = err instanceof AppError;
    if (!known) log.error({ err }, 'interaction failed');
    const content = known ? err.message : `Something went wrong on our side (reference ${interaction.id}). Nothing was changed.`;
    const reply = { content, flags: MessageFlags.Ephemeral } as const;
    if (interaction.deferred || interaction.replied) await interaction.followUp(reply);
    else await interaction.reply(reply);
  }
}
