import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { startFlow } from '../../lib/flows/client';
import type { Flow } from '../../lib/flows/flow';
import { AppError } from '../../lib/errors';
import type { BotDeps } from '../deps';
import { guildIdOf } from '../interaction';

/**
 * The Confirm click of a confirm message (/buy starts `purchase`, /order starts `order`; the flow's kind
 * is the word the member reads): only the member who asked may confirm; the click is acknowledged at once
 * (the 3-second rule), then the flow is started once — it edits the message with its outcome, the handler
 * never waits for it. A second click finds the flow started and is told so.
 */
export async function confirmAndStart<Args extends unknown[], Input>(
  interaction: ButtonInteraction,
  { temporal, taskQueue, log }: Pick<BotDeps, 'temporal' | 'taskQueue' | 'log'>,
  flow: Flow<Args>,
  idArgs: Args,
  start: { summary: string; input: () => Promise<Input> },
): Promise<void> {
  const guildId = guildIdOf(interaction);
  const asker = interaction.message.interactionMetadata?.user.id;
  if (asker && asker !== interaction.user.id) throw new AppError('forbidden', `Only the member who asked can confirm this ${flow.kind}.`);
  await interaction.deferUpdate();
  const { workflowId, started } = await startFlow({ temporal, taskQueue }, flow, idArgs, {
    guildId,
    userId: interaction.user.id,
    summary: `${start.summary} by ${interaction.user.username} (${interaction.user.id})`,
    input: await start.input(),
    // A finished purchase or order is not started again by a late click.
    reuse: 'reject',
  });
  if (started) {
    log.info({ workflowId }, `${flow.kind} started`);
  } else {
    await interaction.followUp({ flags: MessageFlags.Ephemeral, content: `This ${flow.kind} is already confirmed: its result shows in the message above.` });
  }
}
