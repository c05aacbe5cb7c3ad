import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

/** What Discord is told about /announce (admins). */

const idOption = { type: ApplicationCommandOptionType.String, name: 'id', description: 'The announcement id (from /announce list)', required: true, max_length: 64 } as const;

export const announceData = {
  name: 'announce',
  description: 'Post or schedule an announcement (admins)',
  contexts: [0],
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'create',
      description: 'Write an announcement, preview it, then post it now or at a time',
      options: [
        { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Where to post it', required: true, channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement] },
        { type: ApplicationCommandOptionType.Role, name: 'ping', description: 'A role to ping with it' },
        { type: ApplicationCommandOptionType.Boolean, name: 'pin', description: 'Pin the message once posted' },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'edit', description: 'Change an announcement (before or after it is sent)', options: [idOption] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'cancel', description: 'Cancel a scheduled announcement, or take a sent one down', options: [idOption] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'Scheduled and recent announcements' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'unpin', description: 'Unpin a sent announcement that was pinned', options: [idOption] },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'task',
      description: 'Post a task’s card to a channel (preview, then Post)',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'task', description: 'The task’s id (#12) or name', required: true, max_length: 100 },
        { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Where to post it', required: true, channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement] },
      ],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
