import type {
  AutocompleteInteraction,
  ButtonInteraction,
  ChannelSelectMenuInteraction,
  ChatInputCommandInteraction,
  ModalSubmitInteraction,
  RESTPostAPIChatInputApplicationCommandsJSONBody,
  RoleSelectMenuInteraction,
  StringSelectMenuInteraction,
  UserSelectMenuInteraction,
} from 'discord.js';
import type { GrantName } from '../lib/grants';
import type { PermissionLevel } from '../lib/permissions';
import type { BotDeps } from './deps';

/** A slash command: its definition (what Discord is told) beside the handler that answers it. */
export interface Command {
  data: RESTPostAPIChatInputApplicationCommandsJSONBody;
  /** Who may run it (default 'user'); checked by the router before the handler runs. */
  level?: PermissionLevel;
  /** A grant that lets a member below `level` run it too (lib/grants.ts). */
  grant?: GrantName;
  handle(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void>;
  /** Suggestions for an option marked `autocomplete` (answered within Discord's 3 s; never an error reply). */
  autocomplete?(interaction: AutocompleteInteraction, deps: BotDeps): Promise<void>;
}

export type ComponentInteraction =
  | ButtonInteraction
  | StringSelectMenuInteraction
  | UserSelectMenuInteraction
  | RoleSelectMenuInteraction
  | ChannelSelectMenuInteraction
  | ModalSubmitInteraction;

/** A button, select menu or modal handler, found by the `action` of its `gf:{action}:{key}` custom id. */
export interface ComponentHandler {
  action: string;
  level?: PermissionLevel;
  grant?: GrantName;
  handle(interaction: ComponentInteraction, key: string, deps: BotDeps): Promise<void>;
}
