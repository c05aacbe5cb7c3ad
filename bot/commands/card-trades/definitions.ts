import { ApplicationCommandOptionType, type APIApplicationCommandSubcommandGroupOption, type APIApplicationCommandSubcommandOption, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

/**
 * What Discord is told about card trades: subcommands of `/cards` (the catalog feature owns the command;
 * `addTradeSubcommands` adds ours to its definition). Cards are named by their collection item ids
 * (`12x2, 15`: two copies of item 12, one of item 15), as `/cards` lists show them.
 */
const LINES_HELP = 'Collection item ids with copies: 12x2, 15';

const tradeSubcommands: readonly (APIApplicationCommandSubcommandOption | APIApplicationCommandSubcommandGroupOption)[] = [
  {
    type: ApplicationCommandOptionType.Subcommand,
    name: 'propose',
    description: 'Propose a card trade to a member',
    options: [
      { type: ApplicationCommandOptionType.User, name: 'member', description: 'Who you trade with', required: true },
      { type: ApplicationCommandOptionType.String, name: 'offer', description: `Your cards. ${LINES_HELP}`, max_length: 300 },
      { type: ApplicationCommandOptionType.String, name: 'ask', description: `Their cards. ${LINES_HELP}`, max_length: 300 },
      { type: ApplicationCommandOptionType.Number, name: 'cash', description: 'Cash (USD) that balances the trade', min_value: 0, max_value: 100_000 },
      {
        type: ApplicationCommandOptionType.String,
        name: 'cash_payer',
        description: 'Who pays the cash (default: you)',
        choices: [
          { name: 'me', value: 'me' },
          { name: 'them', value: 'them' },
        ],
      },
      { type: ApplicationCommandOptionType.String, name: 'message', description: 'A note for them', max_length: 1000 },
    ],
  },
  { type: ApplicationCommandOptionType.Subcommand, name: 'trades', description: 'Your trade proposals in this server' },
  {
    type: ApplicationCommandOptionType.Subcommand,
    name: 'profile',
    description: 'A trader’s reputation: tier, trades, rating',
    options: [{ type: ApplicationCommandOptionType.User, name: 'member', description: 'Whose profile (default: yours)' }],
  },
  {
    type: ApplicationCommandOptionType.SubcommandGroup,
    name: 'trade',
    description: 'One of your trades',
    options: [
      {
        type: ApplicationCommandOptionType.Subcommand,
        name: 'message',
        description: 'Write to the other member of a trade (DM or email, as they chose)',
        options: [
          { type: ApplicationCommandOptionType.String, name: 'trade', description: 'The trade’s id (see /cards trades)', required: true, max_length: 40 },
          { type: ApplicationCommandOptionType.String, name: 'text', description: 'Your message', required: true, max_length: 2000 },
        ],
      },
    ],
  },
];

/** The `/cards` definition with the trade subcommands added (their names are ours: propose, trades, profile, trade message). */
export function addTradeSubcommands<T extends RESTPostAPIChatInputApplicationCommandsJSONBody>(builder: T): T {
  return { ...builder, options: [...(builder.options ?? []), ...tradeSubcommands] };
}
