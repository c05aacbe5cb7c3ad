import { ApplicationCommandOptionType, PermissionFlagsBits, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { PET_RARITIES } from '../../../activities/trades';
import { PET_VARIANTS } from '../../../lib/flows/trades';

/** What Discord is told about the trade commands: /withdraw, /tip, /history and the admins' /trades. */

export const withdrawData = {
  name: 'withdraw',
  description: 'Withdraw gems and pets into the Roblox game',
  options: [{ type: ApplicationCommandOptionType.Integer, name: 'gems', description: 'Gems to withdraw (default 0)', min_value: 0 }],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const tipData = {
  name: 'tip',
  description: 'Give gems or a pet to another linked member',
  options: [
    { type: ApplicationCommandOptionType.User, name: 'user', description: 'Who gets it', required: true },
    { type: ApplicationCommandOptionType.Integer, name: 'gems', description: 'Gems to give', min_value: 1 },
    { type: ApplicationCommandOptionType.String, name: 'pet', description: 'Pet key (see /inventory)' },
    { type: ApplicationCommandOptionType.String, name: 'variant', description: 'Pet variant (default normal)', choices: PET_VARIANTS.map((v) => ({ name: v, value: v })) },
    { type: ApplicationCommandOptionType.Integer, name: 'quantity', description: 'How many pets (default 1)', min_value: 1 },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const historyData = { name: 'history', description: 'Your recent Roblox deposits and withdrawals' } satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const tradesData = {
  name: 'trades',
  description: 'Roblox trades: pending withdrawals, releases, pet values, inventory adjustments',
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'view', description: 'Pending withdrawals and recent deposits' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'release',
      description: 'Force-release a pending withdrawal back to its member',
      options: [{ type: ApplicationCommandOptionType.String, name: 'withdrawal', description: 'Withdrawal id', required: true }],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'adjust',
      description: "Change a member's pets (audited)",
      options: [
        { type: ApplicationCommandOptionType.User, name: 'user', description: 'Member', required: true },
        { type: ApplicationCommandOptionType.String, name: 'pet', description: 'Pet key', required: true },
        { type: ApplicationCommandOptionType.Integer, name: 'delta', description: 'Pets to add (negative removes)', required: true },
        { type: ApplicationCommandOptionType.String, name: 'reason', description: 'Why (kept in the audit log)', required: true, max_length: 500 },
        { type: ApplicationCommandOptionType.String, name: 'variant', description: 'Variant (default normal)', choices: PET_VARIANTS.map((v) => ({ name: v, value: v })) },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'pet',
      description: 'Add a pet species or change its value (audited)',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'key', description: "The game's id for it", required: true, max_length: 64 },
        { type: ApplicationCommandOptionType.String, name: 'name', description: 'Name', required: true, max_length: 64 },
        { type: ApplicationCommandOptionType.String, name: 'rarity', description: 'Rarity', required: true, choices: PET_RARITIES.map((r) => ({ name: r, value: r })) },
        { type: ApplicationCommandOptionType.Integer, name: 'value', description: 'Value in gems (normal variant)', required: true, min_value: 0 },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'settings',
      description: 'Withdraw timeout and trade limits (audited); no option shows them',
      options: [
        { type: ApplicationCommandOptionType.Integer, name: 'withdraw_timeout_minutes', description: 'How long a withdrawal waits for the game', min_value: 1, max_value: 43_200 },
        { type: ApplicationCommandOptionType.Integer, name: 'max_deposit_gems', description: 'Gems per deposit', min_value: 0 },
        { type: ApplicationCommandOptionType.Integer, name: 'max_deposit_pets', description: 'Pets per deposit', min_value: 0, max_value: 100_000 },
        { type: ApplicationCommandOptionType.Integer, name: 'max_withdraw_gems', description: 'Gems per withdrawal', min_value: 0 },
        { type: ApplicationCommandOptionType.Integer, name: 'max_withdraw_pets', description: 'Pets per withdrawal', min_value: 0, max_value: 100_000 },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'register-game',
      description: 'Register a Roblox game; its secret is shown once',
      options: [{ type: ApplicationCommandOptionType.String, name: 'name', description: 'Game name', required: true, max_length: 64 }],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
