import { MessageFlags, type ButtonInteraction } from 'discord.js';
import { startFlow } from '../../lib/flows/client';
import type { Flow } from '../../lib/flows/flow';
import { AppError } from '../../lib/errors';
import type { BotDeps } from '../deps';
import { guildIdOf } from '../interaction';

/**
 * Discord drops a click not acknowledged within 3 s, and the flow can only edit the confirm message once
 * the click was acknowledged: a start slower than this is acknowledged while it is still under way.
 */
const ACK_DEADLINE_MS = 2_000;

/**
 * The Confirm click of a confirm message (/buy starts `purchase`, /order starts `order`; the flow's kind
 * is the word the member reads): only the member who asked may confirm. The flow is started first and the
 * click acknowledged after, so a bot that dies in between leaves the click unanswered (Discord shows it
 * failed; the member clicks again) instead of acknowledged with nothing started; a start that fails is
 * answered with the error. The flow edits the message with its outcome, the handler never waits for it. A
 * second click finds the flow started and is told so.
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
  const starting = (async () =>
    startFlow({ temporal, taskQueue }, flow, idArgs, {
      guildId,
      userId: interaction.user.id,
      summary: `${start.summary} by ${interaction.user.username} (${interaction.user.id})`,
      input: await start.input(),
      // A finished purchase or order is not started again by a late click.
      reuse: 'reject',
    }))();
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, ACK_DEADLINE_MS)));
  // A start that fails before the deadline is thrown here, unacknowledged: the router answers with the error.
  await Promise.race([starting, deadline]).finally(() => clearTimeout(timer));
  await interaction.deferUpdate();
  const { workflowId, started } = await starting;
  if (started) {
    log.info({ workflowId }, `${flow.kind} started`);
  } else {
    await interaction.followUp({ flags: MessageFlags.Ephemeral, content: `This ${flow.kind} is already confirmed: its result shows in the message above.` });
  }
}
