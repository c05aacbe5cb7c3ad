import {
  ApplicationCommandOptionType,
  PermissionFlagsBits,
  type APIApplicationCommandBasicOption,
  type APIApplicationCommandStringOption,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';

/**
 * What Discord is told about the shop commands. Items are named by id or name (autocomplete would need
 * a driver the test fake lacks). Numbers without client-side minimums reach the bot and get a clear answer.
 */
const GUILD_ONLY = [0];
const itemOption = (description: string): APIApplicationCommandStringOption => ({ type: ApplicationCommandOptionType.String, name: 'item', description, required: true, max_length: 100 });

const quantityOption = (description: string): APIApplicationCommandBasicOption => ({ type: ApplicationCommandOptionType.Integer, name: 'quantity', description });

export const shopData = {
  name: 'shop',
  description: 'Browse what this server sells',
  contexts: GUILD_ONLY,
  options: [{ type: ApplicationCommandOptionType.String, name: 'category', description: 'Only items of this category (as /shop lists them)', max_length: 32 }],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const buyData = {
  name: 'buy',
  description: 'Buy an item from the shop (you confirm before paying)',
  contexts: GUILD_ONLY,
  options: [
    itemOption('The item’s id (#3) or name, as /shop shows it'),
    quantityOption('How many (default 1)'),
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const useData = {
  name: 'use',
  description: 'Use up items you own (items the shop marks usable)',
  contexts: GUILD_ONLY,
  options: [itemOption('The item’s id (#3) or name, as /inventory shows it'), quantityOption('How many (default 1)')],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const sellData = {
  name: 'sell',
  description: 'Sell items you own back to the shop, where it buys them back',
  contexts: GUILD_ONLY,
  options: [itemOption('The item’s id (#3) or name, as /inventory shows it'), quantityOption('How many (default 1)')],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

export const inventoryData = {
  name: 'inventory',
  description: 'What you own, or what another member owns',
  contexts: GUILD_ONLY,
  options: [{ type: ApplicationCommandOptionType.User, name: 'user', description: 'Whose inventory (default: yours)' }],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const itemFieldOptions: APIApplicationCommandBasicOption[] = [
  { type: ApplicationCommandOptionType.String, name: 'description', description: 'What it is', max_length: 1000 },
  { type: ApplicationCommandOptionType.String, name: 'emoji', description: 'Shown before the name', max_length: 64 },
  { type: ApplicationCommandOptionType.Integer, name: 'stock', description: 'Units for sale (-1 = unlimited)' },
  { type: ApplicationCommandOptionType.Integer, name: 'per_user_limit', description: 'Most units one member may own (0 = no limit)' },
  { type: ApplicationCommandOptionType.Role, name: 'role', description: 'Role given with the purchase' },
  { type: ApplicationCommandOptionType.String, name: 'role_duration', description: 'How long the role lasts: 90s, 30m, 12h, 7d (0 = permanent)', max_length: 20 },
  { type: ApplicationCommandOptionType.Role, name: 'required_role', description: 'Only members with this role may buy' },
  {
    type: ApplicationCommandOptionType.String,
    name: 'asset',
    description: 'What it costs (default: the server currency)',
    choices: [
      { name: 'currency', value: 'currency' },
      { name: 'gems', value: 'gems' },
    ],
  },
  { type: ApplicationCommandOptionType.String, name: 'category', description: 'A short label /shop filters by', max_length: 32 },
  { type: ApplicationCommandOptionType.Boolean, name: 'usable', description: 'Members may use it up with /use (not with a role)' },
  { type: ApplicationCommandOptionType.Integer, name: 'sell_back_percent', description: 'Share of the price /sell pays back, 0–100 (-1 = cannot be sold; not with a role)' },
];

export const shopAdminData = {
  name: 'shop-admin',
  description: 'Add, edit or remove shop items',
  contexts: GUILD_ONLY,
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'add',
      description: 'Put a new item on sale',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'name', description: 'Its name (unique in the shop)', required: true, max_length: 100 },
        { type: ApplicationCommandOptionType.Integer, name: 'price', description: 'Price per unit', required: true },
        ...itemFieldOptions,
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'edit',
      description: 'Change an item (only the options you give)',
      options: [
        itemOption('The item’s id (#3) or name'),
        { type: ApplicationCommandOptionType.String, name: 'name', description: 'A new name', max_length: 100 },
        { type: ApplicationCommandOptionType.Integer, name: 'price', description: 'A new price per unit' },
        ...itemFieldOptions,
        { type: ApplicationCommandOptionType.Boolean, name: 'remove_role', description: 'Stop giving a role with it' },
        { type: ApplicationCommandOptionType.Boolean, name: 'remove_required_role', description: 'Let everyone buy it' },
        { type: ApplicationCommandOptionType.Boolean, name: 'remove_category', description: 'Take it out of its category' },
        { type: ApplicationCommandOptionType.Boolean, name: 'active', description: 'On sale (true) or paused (false)' },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'remove',
      description: 'Take an item out of the shop (owners keep it)',
      options: [itemOption('The item’s id (#3) or name')],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
