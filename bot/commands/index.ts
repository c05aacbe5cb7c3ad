import type {
  ButtonInteraction,
  ChatInputCommandInteraction,
  ModalSubmitInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  StringSelectMenuInteraction,
  UserSelectMenuInteraction,
} from 'discord.js';
import type { PermissionLevel } from '../../lib/permissions';
import type { BotDeps } from '../deps';
import { announceCommands, announceComponents } from './announce';
import { apiTokenCommand } from './api-token';
import { economyCommands, economyComponents } from './economy';
import { orderCommands, orderComponents } from './orders';
import { paymentCommands, paymentComponents } from './payments';
import { setupCommand } from './setup';
import { shopCommands, shopComponents } from './shop';
import { taskCommands, taskComponents } from './tasks';
import { tradeCommands, tradeComponents } from './trades';
import { verifyCommands, verifyComponents } from './verify';

/** A slash command: its definition (what Discord is told) beside the handler that answers it. */
export interface Command {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Who may run it (default 'user'); checked by the router before the handler runs. */
  level?: PermissionLevel;
  handle(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void>;
}

export type ComponentInteraction = ButtonInteraction | StringSelectMenuInteraction | UserSelectMenuInteraction | ModalSubmitInteraction;

/** A button, select menu or modal handler, found by the `action` of its `gf:{action}:{key}` custom id. */
export interface ComponentHandler {
  action: string;
  level?: PermissionLevel;
  handle(interaction: ComponentInteraction, key: string, deps: BotDeps): Promise<void>;
}

/**
 * The one registry: the deploy step and the interaction router both read it, so a command exists in
 * one place. Features add their commands and component handlers here.
 */
export const commands: readonly Command[] = [apiTokenCommand, setupCommand, ...economyCommands, ...shopCommands, ...paymentCommands, ...orderCommands, ...verifyCommands, ...taskCommands, ...announceCommands, ...tradeCommands];
export const components: readonly ComponentHandler[] = [...economyComponents, ...shopComponents, ...paymentComponents, ...orderComponents, ...verifyComponents, ...taskComponents, ...announceComponents, ...tradeComponents];
