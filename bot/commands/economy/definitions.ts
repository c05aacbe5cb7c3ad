import { ApplicationCommandOptionType, PermissionFlagsBits, type APIApplicationCommandBasicOption, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { MAX_NOTE_LENGTH } from '../../../activities/economy';
import { MAX_REASON_LENGTH } from '../../../lib/requests/economy';

/**
 * What Discord is told about the economy commands. Amounts are integer options without a minimum, so a
 * 0 or a negative amount reaches the bot and gets a clear answer instead of a silent client-side block.
 */
const GUILD_ONLY = [0];

export const balanceData = {
  name: 'balance',
  description: 'Show your balance, or another member’s',
  contexts: GUILD_ONLY,
  options: [{ type: ApplicationCommandOptionType.User, name: 'user', description: 'Whose balance (default: yours)' }],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const dailyData = {
  name: 'daily',
  description: 'Claim your daily reward (claim on consecutive days for a streak bonus)',
  contexts: GUILD_ONLY,
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const giveData = {
  name: 'give',
  description: 'Give some of your balance to another member',
  contexts: GUILD_ONLY,
  options: [
    { type: ApplicationCommandOptionType.User, name: 'user', description: 'Who receives it', required: true },
    { type: ApplicationCommandOptionType.Integer, name: 'amount', description: 'How much', required: true },
    { type: ApplicationCommandOptionType.String, name: 'note', description: 'A note they will see', max_length: MAX_NOTE_LENGTH },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const leaderboardData = {
  name: 'leaderboard',
  description: 'The richest members of this server',
  contexts: GUILD_ONLY,
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const transactionsData = {
  name: 'transactions',
  description: 'Your transaction history (only you see it)',
  contexts: GUILD_ONLY,
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const adjustOptions = (verb: string): APIApplicationCommandBasicOption[] => [
  { type: ApplicationCommandOptionType.User, name: 'user', description: `Whose balance to ${verb}`, required: true },
  { type: ApplicationCommandOptionType.Integer, name: 'amount', description: 'How much', required: true },
  { type: ApplicationCommandOptionType.String, name: 'reason', description: 'Why (recorded with the change)', required: true, max_length: MAX_REASON_LENGTH },
];

export const economyData = {
  name: 'economy',
  description: 'Manage this server’s economy',
  contexts: GUILD_ONLY,
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'add', description: 'Add to a member’s balance', options: adjustOptions('add to') },
    { type: ApplicationCommandOptionType.Subcommand, name: 'remove', description: 'Remove from a member’s balance (never below zero)', options: adjustOptions('remove from') },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'settings',
      description: 'Show the economy settings, or change any of them',
      options: [
        { type: ApplicationCommandOptionType.Integer, name: 'daily_amount', description: 'Daily reward' },
        { type: ApplicationCommandOptionType.Number, name: 'cooldown_hours', description: 'Hours between daily claims' },
        { type: ApplicationCommandOptionType.Integer, name: 'streak_bonus', description: 'Extra per consecutive daily claim' },
        { type: ApplicationCommandOptionType.Integer, name: 'streak_max', description: 'Most streak bonuses added to one claim' },
        { type: ApplicationCommandOptionType.Number, name: 'streak_grace_hours', description: 'Hours after the cooldown a streak survives' },
        { type: ApplicationCommandOptionType.String, name: 'currency_name', description: 'The currency’s name', max_length: 64 },
        { type: ApplicationCommandOptionType.String, name: 'currency_emoji', description: 'The currency’s emoji', max_length: 100 },
        { type: ApplicationCommandOptionType.Integer, name: 'adjust_limit', description: 'Balance changes one admin may make per minute' },
      ],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
