import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits, type APIApplicationCommandBasicOption, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import { MAX_PADS, type PadType } from '../../../lib/flows/pads';

/**
 * What Discord is told about pad sessions: `/training start` and `/tryout start` (hosts), `/pad end`
 * (the host or an admin), `/pads` (everyone: the board) and `/pad-settings` (admins). A command with
 * subcommands cannot also run bare, and a command has one level, so the board and the settings are
 * commands of their own.
 */
const GUILD_ONLY = [0];
const padOption = (description: string): APIApplicationCommandBasicOption => ({
  type: ApplicationCommandOptionType.Integer,
  name: 'pad',
  description,
  required: true,
  min_value: 1,
  max_value: MAX_PADS,
});

const startData = (type: PadType, label: string) =>
  ({
    name: type,
    description: `${label} sessions on a pad`,
    contexts: GUILD_ONLY,
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'start',
        description: `Start a ${type} on a pad (hosts)`,
        options: [padOption('The pad to book'), { type: ApplicationCommandOptionType.String, name: 'description', description: 'What it is about', max_length: 500 }],
      },
    ],
  }) satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const trainingData = startData('training', 'Training');
export const tryoutData = startData('tryout', 'Tryout');

export const padData = {
  name: 'pad',
  description: 'End the session on a pad',
  contexts: GUILD_ONLY,
  options: [{ type: ApplicationCommandOptionType.Subcommand, name: 'end', description: 'End the session on a pad (its host, or an admin)', options: [padOption('The pad whose session ends')] }],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const padSettingsData = {
  name: 'pad-settings',
  description: 'Pads, sessions channel, host roles, durations (no options: show them)',
  contexts: GUILD_ONLY,
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    { type: ApplicationCommandOptionType.Integer, name: 'pads', description: `How many pads (1–${MAX_PADS})`, min_value: 1, max_value: MAX_PADS },
    { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Where sessions are announced', channel_types: [ChannelType.GuildText] },
    { type: ApplicationCommandOptionType.Role, name: 'add_host_role', description: 'Members with this role may host' },
    { type: ApplicationCommandOptionType.Role, name: 'remove_host_role', description: 'Stop letting this role host' },
    { type: ApplicationCommandOptionType.String, name: 'training_max', description: 'Longest training: 90m, 2h …', max_length: 20 },
    { type: ApplicationCommandOptionType.String, name: 'tryout_max', description: 'Longest tryout: 45m, 1h …', max_length: 20 },
    { type: ApplicationCommandOptionType.String, name: 'reminder', description: 'Remind the host this long before the maximum: 10m, 0 (none)', max_length: 20 },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const padsData = {
  name: 'pads',
  description: 'Which pads are free, and who is hosting on the others',
  contexts: GUILD_ONLY,
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
