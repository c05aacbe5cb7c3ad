import { MessageFlags, type AutocompleteInteraction, type Interaction } from 'discord.js';
import { parseCustomId } from '../lib/discord/custom-id';
import { AppError, ForbiddenError } from '../lib/errors';
import { requireSwitchedOn } from '../lib/feature-switches';
import type { FeatureSwitch } from '../lib/features';
import { refusal } from '../lib/grants';
import type { Command, ComponentHandler } from './command';
import type { BotDeps } from './deps';
import { answerInTime } from './answer-in-time';
import { interactionAccess } from './permissions';

export interface Registry {
  commands: readonly Command[];
  components: readonly ComponentHandler[];
  /** The feature switch each command or component belongs to (bot/commands/index.ts); absent, none is checked. */
  switches?: ReadonlyMap<Command | ComponentHandler, FeatureSwitch>;
  /** How long a button or menu may go unanswered before the router acknowledges it (answer-in-time.ts; tests shorten it). */
  acknowledgeComponentsAfterMs?: number;
}

/**
 * The one InteractionCreate dispatcher: finds the handler (slash command by name, component by the action
 * of its `gf:{action}:{key}` id), refuses it when its feature is switched off in the guild, checks the
 * member's level (or the grant it names), acknowledges a button or menu whose handler is slow to answer
 * (answer-in-time.ts), and turns any error into an ephemeral reply
 * plus a log line with the interaction id. Handlers never catch-and-ignore. Errors are logged through the
 * logger's error serializer, which leaves out the interaction token and what a refused reply carried.
 */
export async function routeInteraction(interaction: Interaction, deps: BotDeps, registry: Registry): Promise<void> {
  if (interaction.isAutocomplete()) return routeAutocomplete(interaction, deps, registry);
  if (!interaction.isChatInputCommand() && !interaction.isButton() && !interaction.isStringSelectMenu() && !interaction.isUserSelectMenu() && !interaction.isRoleSelectMenu() && !interaction.isChannelSelectMenu() && !interaction.isModalSubmit()) {
    return;
  }
  const log = deps.log.child({ interactionId: interaction.id, guildId: interaction.guildId, userId: interaction.user.id });
  const scoped = { ...deps, log };
  const stopTimer = interaction.isMessageComponent() ? answerInTime(interaction, registry.acknowledgeComponentsAfterMs) : undefined;
  try {
    if (interaction.isChatInputCommand()) {
      const command = registry.commands.find((c) => c.data.name === interaction.commandName);
      if (!command) throw new AppError('unknown_command', `/${interaction.commandName} is not a Guildflow command (any more).`);
      await requireFeature(interaction, deps, registry.switches?.get(command));
      await requireLevel(interaction, deps, command);
      await command.handle(interaction, scoped);
    } else {
      const parsed = parseCustomId(interaction.customId);
      const handler = parsed && registry.components.find((c) => c.action === parsed.action);
      if (!parsed || !handler) throw new AppError('unknown_component', 'This button is no longer in use.');
      await requireFeature(interaction, deps, registry.switches?.get(handler));
      await requireLevel(interaction, deps, handler);
      await handler.handle(interaction, parsed.key, scoped);
    }
  } catch (err) {
    const known = err instanceof AppError;
    if (!known) log.error({ err }, 'interaction failed');
    const content = known ? err.message : `Something went wrong on our side (reference ${interaction.id}). Nothing was changed.`;
    const reply = { content, flags: MessageFlags.Ephemeral } as const;
    try {
      if (interaction.deferred || interaction.replied) await interaction.followUp(reply);
      else await interaction.reply(reply);
    } catch (replyErr) {
      // Discord refused this answer too (the token expired, Discord is down): only the log can say so.
      log.error({ err: replyErr }, 'could not answer interaction');
    }
  } finally {
    stopTimer?.();
  }
}

/**
 * Autocomplete answers suggestions only: a command the member may not run, or a failing look-up, gets an
 * empty list (an autocomplete interaction cannot carry an error message); the failure is logged.
 */
async function routeAutocomplete(interaction: AutocompleteInteraction, deps: BotDeps, registry: Registry): Promise<void> {
  const log = deps.log.child({ interactionId: interaction.id, guildId: interaction.guildId, userId: interaction.user.id });
  const command = registry.commands.find((c) => c.data.name === interaction.commandName);
  try {
    if (!command?.autocomplete) return await interaction.respond([]);
    await requireFeature(interaction, deps, registry.switches?.get(command));
    await requireLevel(interaction, deps, command);
    await command.autocomplete(interaction, { ...deps, log });
  } catch (err) {
    if (!(err instanceof AppError)) log.error({ err }, 'autocomplete failed');
    if (!interaction.responded) await interaction.respond([]).catch((replyErr: unknown) => log.error({ err: replyErr }, 'could not answer autocomplete'));
  }
}

/** The declared level, or the grant the command or component names (lib/grants.ts). */
async function requireLevel(interaction: Interaction, deps: BotDeps, { level = 'user', grant }: Pick<Command, 'level' | 'grant'>): Promise<void> {
  if (level === 'user') return;
  const access = await interactionAccess(interaction, deps.prisma, { level, grant });
  if (!access.allowed) throw new ForbiddenError(refusal({ level, grant }, access.level));
}

/** One place for the switches: a switched-off feature's commands and the buttons of its posts answer one line. */
async function requireFeature(interaction: Interaction, deps: BotDeps, feature: FeatureSwitch | undefined): Promise<void> {
  if (feature && interaction.inGuild()) await requireSwitchedOn(deps.prisma, interaction.guildId, feature);
}
