import { ApplicationCommandOptionType, MessageFlags, type APIApplicationCommandOption, type APIEmbed } from 'discord.js';
import { grantsHeld } from '../../activities/grants';
import { embedsInMessages } from '../../lib/discord/embeds';
import { disabledFeatures } from '../../lib/feature-switches';
import type { FeatureSwitch } from '../../lib/features';
import { mayAct, type Holding } from '../../lib/grants';
import type { Command, ComponentHandler } from '../command';
import { interactionLevel, interactionMember } from '../permissions';

/** A feature's commands, under the heading `/help` lists them by, and the handlers of its components. */
export interface Feature {
  name: string;
  commands: readonly Command[];
  components?: readonly ComponentHandler[];
  /** The switch (lib/features.ts) that turns the feature off in a server; absent, it is always on. */
  switch?: FeatureSwitch;
}

/** One thing a member can type: a command, or one of its subcommands (`economy add`). */
export interface HelpEntry {
  usage: string;
  description: string;
}

export interface HelpSection {
  feature: string;
  entries: HelpEntry[];
}

/** Discord's limits on one message's embeds (an embed's title and description count towards the total). */
export const EMBED_LIMITS = { description: 4096, embedsPerMessage: 10, charsPerMessage: 6000 } as const;

const EMBED_COLOR = 0x5865f2;

/** A command's runnable forms: each subcommand (also those inside groups), or the command itself. */
function entriesOf(command: Command): HelpEntry[] {
  const name = command.data.name;
  const options = (command.data.options ?? []) as APIApplicationCommandOption[];
  const entries = options.flatMap((o): HelpEntry[] => {
    if (o.type === ApplicationCommandOptionType.Subcommand) return [{ usage: `${name} ${o.name}`, description: o.description }];
    if (o.type === ApplicationCommandOptionType.SubcommandGroup) return (o.options ?? []).map((s) => ({ usage: `${name} ${o.name} ${s.name}`, description: s.description }));
    return [];
  });
  return entries.length ? entries : [{ usage: name, description: command.data.description }];
}

/**
 * What a member at `level` with `grants` may run, by feature: the router's own check (the command's level,
 * 'user' when it declares none, or its grant) decides, so the list cannot promise what the router
 * refuses. Features with nothing to show are left out.
 */
function helpSections(features: readonly Feature[], holding: Holding): HelpSection[] {
  return features
    .map((f) => ({ feature: f.name, entries: f.commands.filter((c) => mayAct(holding, { level: c.level ?? 'user', grant: c.grant })).flatMap(entriesOf) }))
    .filter((s) => s.entries.length > 0);
}

const line = (e: HelpEntry) => `\`/${e.usage}\` — ${e.description}`;

/**
 * The sections as messages of embeds within Discord's limits: one embed per feature, continued in
 * another when its lines pass the description limit (never splitting a line), and as many embeds per
 * message as the message's embed count and total size allow.
 */
export function helpMessages(sections: readonly HelpSection[], limits: { description: number; embedsPerMessage: number; charsPerMessage: number } = EMBED_LIMITS): APIEmbed[][] {
  const embeds: APIEmbed[] = [];
  for (const { feature, entries } of sections) {
    let lines: string[] = [];
    let length = 0;
    let parts = 0;
    const flush = () => {
      if (!lines.length) return;
      embeds.push({ title: parts++ ? `${feature} (continued)` : feature, description: lines.join('\n'), color: EMBED_COLOR });
      lines = [];
      length = 0;
    };
    for (const text of entries.map(line)) {
      // A command's description is at most 100 characters, so one line always fits an empty embed.
      if (length + text.length + 1 > limits.description) flush();
      lines.push(text);
      length += text.length + 1;
    }
    flush();
  }
  return embedsInMessages(embeds, limits);
}

/**
 * `/help`: every member gets, privately, the commands they can run in this server, by feature, read from
 * the registry and leaving out the features switched off here (`features` is read when the command runs, since the registry includes `/help` itself).
 */
export function createHelpCommand(features: () => readonly Feature[]): Command {
  return {
    data: { name: 'help', description: 'The commands you can use in this server', contexts: [0] },
    async handle(interaction, { prisma }) {
      const level = await interactionLevel(interaction, prisma);
      const member = interactionMember(interaction);
      const grants = member ? await grantsHeld(prisma, interaction.guildId!, member.userId, member.roleIds) : [];
      const off = interaction.inGuild() ? await disabledFeatures(prisma, interaction.guildId) : new Set<FeatureSwitch>();
      const [first = [], ...more] = helpMessages(helpSections(features().filter((f) => !f.switch || !off.has(f.switch)), { level, grants }));
      await interaction.reply({ content: `Commands you can use here (you are ${level}):`, embeds: first, flags: MessageFlags.Ephemeral });
      for (const embeds of more) await interaction.followUp({ embeds, flags: MessageFlags.Ephemeral });
    },
  };
}
