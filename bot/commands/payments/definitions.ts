import { ApplicationCommandOptionType, type RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';

/** What Discord is told about the payment commands. */
export const topupData = {
  name: 'topup',
  description: 'Top up your balance with QRIS (any e-wallet or banking app)',
  contexts: [0],
  options: [{ type: ApplicationCommandOptionType.Integer, name: 'amount', description: 'How much to pay, in rupiah', required: true }],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;
