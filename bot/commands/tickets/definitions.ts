import { ApplicationCommandOptionType, ChannelType, PermissionFlagsBits, type APIApplicationCommandBasicOption, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

/**
 * What Discord is told about tickets: `/tickets` (staff: the list; admins: types, the panel, the
 * settings; checked per subcommand) and `/ticket` (everyone: open one; in a ticket channel: close it,
 * add or remove a member, rename it — the flow decides who may).
 */
const GUILD_ONLY = [0];
const S = ApplicationCommandOptionType.String;
const typeFields: APIApplicationCommandBasicOption[] = [
  { type: ApplicationCommandOptionType.String, name: 'emoji', description: 'Shown on its panel button', max_length: 40 },
  { type: ApplicationCommandOptionType.Channel, name: 'category', description: 'New ticket channels go under this category', channel_types: [ChannelType.GuildCategory] },
  { type: ApplicationCommandOptionType.Role, name: 'staff_role', description: 'Members with this role answer these tickets (adds it)' },
  { type: S, name: 'questions', description: 'Up to 5 questions of its form, separated by |', max_length: 300 },
  { type: ApplicationCommandOptionType.Integer, name: 'limit', description: 'Tickets of this type a member may have open at once', min_value: 1, max_value: 25 },
  { type: S, name: 'welcome', description: 'The first words in a new ticket', max_length: 1000 },
  { type: S, name: 'idle', description: 'Warn after this long without a message: 2d, 12h …', max_length: 20 },
  { type: S, name: 'grace', description: 'Close this long after the warning: 1d, 6h …', max_length: 20 },
];

export const ticketsData = {
  name: 'tickets',
  description: 'Support tickets: list them (staff); types, the panel and settings (admins)',
  contexts: GUILD_ONLY,
  // Hidden like every staff command; show it to mods and Manage tickets holders under Integrations.
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    {
      type: ApplicationCommandOptionType.SubcommandGroup,
      name: 'type',
      description: 'Ticket types (admins)',
      options: [
        { type: ApplicationCommandOptionType.Subcommand, name: 'add', description: 'Add a ticket type', options: [{ type: S, name: 'name', description: 'Its name', required: true, max_length: 40 }, ...typeFields] },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'edit',
          description: 'Change a ticket type',
          options: [{ type: S, name: 'name', description: 'The type to change', required: true, max_length: 40 }, { type: S, name: 'rename', description: 'Its new name', max_length: 40 }, ...typeFields, { type: ApplicationCommandOptionType.Role, name: 'remove_staff_role', description: 'Stop this role answering these tickets' }],
        },
        { type: ApplicationCommandOptionType.Subcommand, name: 'remove', description: 'Remove a ticket type with no ticket open', options: [{ type: S, name: 'name', description: 'The type to remove', required: true, max_length: 40 }] },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'panel',
      description: 'Post the panel with one button per type (admins)',
      options: [{ type: ApplicationCommandOptionType.Channel, name: 'channel', description: 'Where (default: here)', channel_types: [ChannelType.GuildText] }],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'settings',
      description: 'Transcript channel and deletion delay (admins; no options: show them)',
      options: [
        { type: ApplicationCommandOptionType.Channel, name: 'transcript_channel', description: 'Where transcripts are posted', channel_types: [ChannelType.GuildText] },
        { type: S, name: 'close_delay', description: 'Delete a closed ticket’s channel after: 1m, 1h …', max_length: 20 },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'list',
      description: 'Tickets, newest first (staff)',
      options: [
        { type: S, name: 'status', description: 'Only these', choices: ['open', 'closing', 'closed', 'deleted', 'failed'].map((v) => ({ name: v, value: v })) },
        { type: ApplicationCommandOptionType.User, name: 'member', description: 'Only the tickets this member opened' },
      ],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const ticketData = {
  name: 'ticket',
  description: 'Open a support ticket, or act on the one this channel is',
  contexts: GUILD_ONLY,
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'open', description: 'Open a ticket', options: [{ type: S, name: 'type', description: 'The kind of ticket', required: true, max_length: 40 }] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'close', description: 'Close this ticket', options: [{ type: S, name: 'reason', description: 'Why', max_length: 500 }] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'add', description: 'Let a member see this ticket', options: [{ type: ApplicationCommandOptionType.User, name: 'member', description: 'Who', required: true }] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'remove', description: 'Stop a member seeing this ticket (staff)', options: [{ type: ApplicationCommandOptionType.User, name: 'member', description: 'Who', required: true }] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'rename', description: 'Rename this ticket’s channel (staff)', options: [{ type: S, name: 'name', description: 'The new name', required: true, max_length: 90 }] },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
