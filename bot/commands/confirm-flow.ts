import { WorkflowExecutionAlreadyStartedError, type Workflow, type WorkflowStartOptions } from '@temporalio/client';
import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { AppError } from '../../lib/errors';
import { DiscordUserId, FlowKind, GuildId } from '../../lib/search-attributes';
import type { BotDeps } from '../deps';
import { guildIdOf } from '../interaction';

/**
 * The Confirm click of a confirm message (/buy starts `purchase`, /order starts `order`; `kind` is the
 * workflow type and the word the member reads): only the member who asked may confirm; the click is
 * acknowledged at once (the 3-second rule), then the flow is started once — it edits the message with its
 * outcome, the handler never waits for it. A second click finds the flow started and is told so.
 */
export async function confirmAndStart<W extends Workflow>(
  interaction: ButtonInteraction,
  { temporal, taskQueue, log }: Pick<BotDeps, 'temporal' | 'taskQueue' | 'log'>,
  flow: { kind: string; workflowId: string; summary: string; args: () => Promise<Parameters<W>> },
): Promise<void> {
  const guildId = guildIdOf(interaction);
  const asker = interaction.message.interactionMetadata?.user.id;
  if (asker && asker !== interaction.user.id) throw new AppError('forbidden', `Only the member who asked can confirm this ${flow.kind}.`);
  await interaction.deferUpdate();
  try {
    await temporal.workflow.start<W>(flow.kind, {
      taskQueue,
      workflowId: flow.workflowId,
      workflowIdReusePolicy: 'REJECT_DUPLICATE',
      typedSearchAttributes: [
        { key: GuildId, value: guildId },
        { key: DiscordUserId, value: interaction.user.id },
        { key: FlowKind, value: flow.kind },
      ],
      staticSummary: `${flow.summary} by ${interaction.user.username} (${interaction.user.id})`,
      args: await flow.args(),
      // The SDK's conditional args type cannot be narrowed for a generic W; the caller's args are typed above.
    } as unknown as WorkflowStartOptions<W>);
    log.info({ workflowId: flow.workflowId }, `${flow.kind} started`);
  } catch (err) {
    if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    await interaction.followUp({ flags: MessageFlags.Ephemeral, content: `This ${flow.kind} is already confirmed: its result shows in the message above.` });
  }
}
