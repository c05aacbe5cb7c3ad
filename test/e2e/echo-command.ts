import { ApplicationCommandOptionType, MessageFlags } from 'discord.js';
import type { Command } from '../../bot/command';
import type { e2eEcho } from '../workflows/e2e-echo';

/** Test-only slash command: defers, then hands the answer to a workflow (the pattern every flow uses). */
export const e2eEchoCommand: Command = {
  data: {
    name: 'e2e-echo',
    description: 'Test only: answers through a Temporal workflow',
    options: [{ type: ApplicationCommandOptionType.String, name: 'text', description: 'What to echo', required: true }],
  },
  async handle(interaction, deps) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await deps.temporal.workflow.start<typeof e2eEcho>('e2eEcho', {
      taskQueue: deps.taskQueue,
      workflowId: `e2e-echo:${interaction.id}`,
      args: [{ text: interaction.options.getString('text', true), applicationId: interaction.applicationId, interactionToken: interaction.token }],
    });
  },
};
