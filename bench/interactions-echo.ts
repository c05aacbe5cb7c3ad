import { MessageFlags } from 'discord.js';
import type { Command } from '../bot/command';

/** Benchmark only: the cheapest possible answer, the baseline of bench/interactions.ts. */
export const echoCommand: Command = {
  data: { name: 'bench-echo', description: 'Benchmark only: replies at once' },
  async handle(interaction) {
    await interaction.reply({ content: 'echo', flags: MessageFlags.Ephemeral });
  },
};
