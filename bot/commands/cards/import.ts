import { TextInputStyle, type ChatInputCommandInteraction } from 'discord.js';
import { importList, type ImportReport } from '../../../activities/cards/import';
import { customId } from '../../../lib/discord/custom-id';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { ValidationError } from '../../../lib/errors';
import type { ComponentHandler } from '../../command';
import type { BotDeps } from '../../deps';
import { guildIdOf, textInputRow } from '../../interaction';
import { alertWanters, catalogOf, edited } from './shared';

/**
 * `/cards import list:haves|wants [file] [condition]`: the list from a .txt attachment, or from a form
 * when there is none. Lines are resolved one by one (Scryfall allows 10 a second), so the answer is
 * deferred; failed lines are listed with why and change nothing (activities/cards/import.ts).
 */
const MAX_FILE_BYTES = 64 * 1024;
const KINDS = ['haves', 'wants'] as const;
type Kind = (typeof KINDS)[number];

function reportEmbed(kind: Kind, report: ImportReport) {
  const failed = report.failed.slice(0, 15).map((f) => `line ${f.line}: \`${f.text.slice(0, 60)}\` — ${f.reason}`);
  if (report.failed.length > failed.length) failed.push(`… and ${report.failed.length - failed.length} more`);
  return guildflowEmbed({
    outcome: report.failed.length ? (report.applied.length ? 'warning' : 'error') : 'success',
    title: `Imported ${report.applied.length} line${report.applied.length === 1 ? '' : 's'} into your ${kind}`,
    description: failed.length ? `**Not imported (nothing changed for these):**\n${failed.join('\n')}` : 'Every line was imported.',
  });
}

async function run(deps: BotDeps, userId: string, guildId: string, kind: Kind, text: string, condition: string | undefined) {
  const report = await importList({ prisma: deps.prisma, catalog: catalogOf(deps) }, userId, kind, text, { condition });
  if (report.haveIds.length) await alertWanters(deps, guildId, report.haveIds);
  return reportEmbed(kind, report);
}

export async function importHandler(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  const kind = interaction.options.getString('list', true) as Kind;
  if (!KINDS.includes(kind)) throw new ValidationError('Import as haves or wants.');
  const condition = interaction.options.getString('condition') ?? '';
  const file = interaction.options.getAttachment('file');
  if (!file) {
    await interaction.showModal({
      custom_id: customId('cards-import', `${kind}:${condition}`),
      title: `Import ${kind}`,
      components: [textInputRow('list', 'One card per line: 4 Lightning Bolt (LEA) 161', TextInputStyle.Paragraph, true, 4000)],
    });
    return;
  }
  if (file.size > MAX_FILE_BYTES) throw new ValidationError(`The file is ${Math.ceil(file.size / 1024)} KB; at most ${MAX_FILE_BYTES / 1024} KB.`);
  await interaction.deferReply({ flags: 'Ephemeral' });
  const res = await fetch(file.url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new ValidationError(`Discord did not give the file (${res.status}); attach it again.`);
  const text = await res.text();
  await interaction.editReply(edited(await run(deps, interaction.user.id, guildId, kind, text, condition || undefined)));
}

/** The form's submission: the key carries the list kind and condition (checked again: client data). */
export const importModalHandler: ComponentHandler = {
  action: 'cards-import',
  async handle(interaction, key, deps) {
    if (!interaction.isModalSubmit()) return;
    const guildId = guildIdOf(interaction);
    const [kind, condition] = key.split(':') as [Kind, string | undefined];
    if (!KINDS.includes(kind)) throw new ValidationError('Import as haves or wants.');
    await interaction.deferReply({ flags: 'Ephemeral' });
    const text = interaction.fields.getTextInputValue('list');
    await interaction.editReply(edited(await run(deps, interaction.user.id, guildId, kind, text, condition || undefined)));
  },
};
