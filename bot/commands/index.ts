import type { ChatInputCommandInteraction, RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { BotDeps } from '../deps';

/** A slash command: its definition (what Discord is told) beside the handler that answers it. */
export interface Command {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  handle(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void>;
}

/**
 * The one registry: the deploy step and the interaction router both read it, so a command exists in
 * one place. Features add their commands here.
 */
export const commands: readonly Command[] = [];
