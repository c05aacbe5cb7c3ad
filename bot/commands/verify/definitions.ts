import { ApplicationCommandOptionType, PermissionFlagsBits, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

/** What Discord is told about the verification commands. */
const GUILD_ONLY = [0];
const STAFF = String(PermissionFlagsBits.ManageGuild);
const usernameOption = { type: ApplicationCommandOptionType.String, name: 'username', description: 'The Roblox username (not the display name)', required: true, min_length: 3, max_length: 20 } as const;
const userOption = (description: string) => ({ type: ApplicationCommandOptionType.User, name: 'user', description, required: true }) as const;

export const verifyData = {
  name: 'verify',
  description: 'Link your Roblox account: put a phrase in your profile, then press Check',
  contexts: GUILD_ONLY,
  options: [usernameOption],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const unverifyData = {
  name: 'unverify',
  description: 'Unlink your Roblox account (removes the verified role and the nickname it gave)',
  contexts: GUILD_ONLY,
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const whoisData = {
  name: 'whois',
  description: 'Which Roblox account a member linked',
  contexts: GUILD_ONLY,
  options: [userOption('The member')],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const verifyAdminData = {
  name: 'verify-admin',
  description: 'Link, unlink or look up members’ Roblox accounts; verification settings',
  contexts: GUILD_ONLY,
  default_member_permissions: STAFF,
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'force',
      description: 'Link a member to a Roblox account without the phrase',
      options: [
        userOption('The member'),
        usernameOption,
        { type: ApplicationCommandOptionType.Boolean, name: 'override', description: 'Take the account from another member who has it linked' },
      ],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'remove', description: 'Unlink a member (role and nickname undone)', options: [userOption('The member')] },
    { type: ApplicationCommandOptionType.Subcommand, name: 'whois', description: 'A member’s link with its details and recent attempts', options: [userOption('The member')] },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'settings',
      description: 'Show or change verification settings (only the options you give)',
      options: [
        { type: ApplicationCommandOptionType.Role, name: 'verified_role', description: 'Role given on success' },
        { type: ApplicationCommandOptionType.Role, name: 'unverified_role', description: 'Role taken away on success' },
        { type: ApplicationCommandOptionType.String, name: 'nickname', description: 'Template: {roblox-name}, {display-name}, {discord-name}; "none" = leave nicknames alone', max_length: 100 },
        { type: ApplicationCommandOptionType.Integer, name: 'phrase_words', description: 'Words in the phrase (4-32, default 16)' },
        { type: ApplicationCommandOptionType.Integer, name: 'expiry_minutes', description: 'How long a phrase stays valid (default 15)' },
        { type: ApplicationCommandOptionType.Integer, name: 'checks_per_minute', description: 'Checks a member may ask for per minute (default 3)' },
      ],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const updateData = {
  name: 'update',
  description: 'Give back your verified role, nickname and group-rank roles from your Roblox link',
  contexts: GUILD_ONLY,
  options: [{ type: ApplicationCommandOptionType.User, name: 'member', description: 'Another member (mods and above)' }],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const rankOption = (name: string, description: string) => ({ type: ApplicationCommandOptionType.Integer, name, description, required: true, min_value: 1, max_value: 255 }) as const;

export const bindsData = {
  name: 'binds',
  description: 'Roblox group-rank binds: a role for the members whose rank in a group is in a range',
  contexts: GUILD_ONLY,
  default_member_permissions: STAFF,
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'add',
      description: 'Give a role to verified members whose rank in a Roblox group is from min to max',
      options: [
        { type: ApplicationCommandOptionType.Integer, name: 'group', description: 'The Roblox group id', required: true, min_value: 1 },
        { type: ApplicationCommandOptionType.Role, name: 'role', description: 'The Discord role', required: true },
        rankOption('min', 'Lowest rank (1-255)'),
        rankOption('max', 'Highest rank (1-255)'),
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'remove',
      description: 'Remove a bind (by its id from /binds list); roles already given stay until /update',
      options: [{ type: ApplicationCommandOptionType.Integer, name: 'id', description: 'The bind id', required: true, min_value: 1 }],
    },
    { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'The server’s group-rank binds' },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
