import { ApplicationCommandOptionType, type APIApplicationCommandBasicOption, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

/**
 * What Discord is told about card trading: ONE command, `/cards`, with subcommands and groups (the
 * trades' subcommands are added under it too). The card option autocompletes from the catalog.
 */
const GUILD_ONLY = [0];
const S = ApplicationCommandOptionType.String;
const I = ApplicationCommandOptionType.Integer;
const N = ApplicationCommandOptionType.Number;
const B = ApplicationCommandOptionType.Boolean;
const CONDITION_CHOICES = ['NM', 'LP', 'MP', 'HP', 'DMG'].map((c) => ({ name: c, value: c }));

const card = (description = 'The card (type to search)'): APIApplicationCommandBasicOption => ({ type: S, name: 'card', description, required: true, autocomplete: true, max_length: 150 });
const printingOptions: APIApplicationCommandBasicOption[] = [
  { type: S, name: 'set', description: 'Set code of the printing, e.g. LEA (with number)', max_length: 6 },
  { type: S, name: 'number', description: 'Collector number in that set, e.g. 161', max_length: 10 },
];

export const cardsData = {
  name: 'cards',
  description: 'Magic: The Gathering card trading: prices, your have and want lists, matches',
  contexts: GUILD_ONLY,
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'price', description: 'A card’s current price per finish (Scryfall)', options: [card(), ...printingOptions] },
    {
      type: ApplicationCommandOptionType.SubcommandGroup,
      name: 'have',
      description: 'Cards you offer for trade',
      options: [
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'add',
          description: 'Offer copies of a card (added to your collection too)',
          options: [
            card(),
            { type: I, name: 'quantity', description: 'How many copies (default 1)', min_value: 1, max_value: 9999 },
            ...printingOptions,
            { type: S, name: 'condition', description: 'Their condition (default NM)', choices: CONDITION_CHOICES },
            { type: S, name: 'finish', description: 'Finish (default nonfoil)', choices: ['nonfoil', 'foil', 'etched'].map((f) => ({ name: f, value: f })) },
            { type: N, name: 'min_value', description: 'Least value in USD you take in exchange', min_value: 0, max_value: 1_000_000 },
            { type: S, name: 'notes', description: 'Notes for traders', max_length: 200 },
          ],
        },
        { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'Your haves (or another member’s)', options: [{ type: ApplicationCommandOptionType.User, name: 'member', description: 'Whose list' }] },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'remove',
          description: 'Stop offering a have (your collection keeps the cards)',
          options: [
            { type: I, name: 'id', description: 'The have’s id (see /cards have list)', required: true, min_value: 1 },
            { type: I, name: 'quantity', description: 'How many copies (default all)', min_value: 1, max_value: 9999 },
          ],
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.SubcommandGroup,
      name: 'want',
      description: 'Cards you are looking for',
      options: [
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'add',
          description: 'Look for a card (adding it again updates it)',
          options: [
            card(),
            { type: I, name: 'quantity', description: 'How many copies (default 1)', min_value: 1, max_value: 9999 },
            ...printingOptions,
            { type: B, name: 'any_printing', description: 'Any printing of the card will do (default: yes unless a set is given)' },
            { type: S, name: 'min_condition', description: 'The worst condition you accept (default LP)', choices: CONDITION_CHOICES },
            { type: B, name: 'foil', description: 'Only foil copies' },
            { type: N, name: 'max_price', description: 'The most a copy may be worth, USD', min_value: 0, max_value: 1_000_000 },
            { type: I, name: 'priority', description: '1 (low) to 5 (high), default 3', min_value: 1, max_value: 5 },
            { type: B, name: 'alert', description: 'DM me when someone comes to have it' },
          ],
        },
        { type: ApplicationCommandOptionType.Subcommand, name: 'list', description: 'Your wants (or another member’s)', options: [{ type: ApplicationCommandOptionType.User, name: 'member', description: 'Whose list' }] },
        {
          type: ApplicationCommandOptionType.Subcommand,
          name: 'remove',
          description: 'Stop looking for a card',
          options: [{ type: I, name: 'id', description: 'The want’s id (see /cards want list)', required: true, min_value: 1 }],
        },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'import',
      description: 'Add many haves or wants from a list (“4 Lightning Bolt (LEA) 161” per line)',
      options: [
        { type: S, name: 'list', description: 'Import as haves or wants', required: true, choices: [{ name: 'haves', value: 'haves' }, { name: 'wants', value: 'wants' }] },
        { type: ApplicationCommandOptionType.Attachment, name: 'file', description: 'A .txt file (without it, a form opens to paste the list)' },
        { type: S, name: 'condition', description: 'Condition of imported haves / worst accepted for wants', choices: CONDITION_CHOICES },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'matches',
      description: 'Members who have what you want and want what you have',
      options: [{ type: B, name: 'server', description: 'Only members of this server (default: every server you share)' }],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'visibility',
      description: 'Whether members of your other servers see your lists in their matches',
      options: [{ type: B, name: 'public', description: 'true: every server you share; false: only the server they look in', required: true }],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
