import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

/** What Discord is told about /embed (admins). */

const nameOption = { type: ApplicationCommandOptionType.String, name: 'name', description: 'The embed’s name (lowercase: rules, event-night)', required: true, max_length: 32 } as const;

export const embedData = {
  name: 'embed',
  description: 'Saved embeds: write once, post by name (admins)',
  contexts: [0],
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'create', description: 'Write an embed, preview it, then save it', options: [nameOption] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'edit', description: 'Change a saved embed', options: [nameOption] },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'send',
      description: 'Preview a saved embed in a channel, then post it',
      options: [nameOption, { type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Where to post it', required: true, channel_types: [ChannelType.GuildText, ChannelType.GuildAnnouncement] }],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'The saved embeds' },
    { type: ApplicationCommandOptionType.Subcommand, name: 'delete', description: 'Delete a saved embed', options: [nameOption] },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
