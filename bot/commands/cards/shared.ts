import { MessageFlags, type APIEmbed, type ChatInputCommandInteraction } from 'discord.js';
import { createCardCatalog, type CardCatalog } from '../../../activities/cards/catalog';
import { alertPairsForHaves } from '../../../activities/cards/matching';
import { ValidationError } from '../../../lib/errors';
import { signalCardAlerts } from '../../../lib/flows/card-alerts.client';
import type { CardPrinting } from '../../../prisma/client';
import type { BotDeps } from '../../deps';

/** A private reply with embeds that pings nobody. */
export const ephemeral = (embed: APIEmbed, extra: object = {}) => ({ flags: MessageFlags.Ephemeral as const, allowedMentions: { parse: [] }, embeds: [embed], ...extra });

/** The same for editing a deferred private reply (it stays private: the defer decided). */
export const edited = (embed: APIEmbed, extra: object = {}) => ({ allowedMentions: { parse: [] }, embeds: [embed], ...extra });

export const catalogOf = (deps: BotDeps): CardCatalog => createCardCatalog({ prisma: deps.prisma, scryfall: deps.scryfall });

/** The printing the `card` option (and optional `set` + `number`) names. */
export async function printingOption(interaction: ChatInputCommandInteraction, catalog: CardCatalog): Promise<CardPrinting> {
  const name = interaction.options.getString('card', true);
  const set = interaction.options.getString('set');
  const number = interaction.options.getString('number');
  if ((set === null) !== (number === null)) throw new ValidationError('Give both the set code and the collector number, or neither.');
  return set && number ? catalog.printing(set, number) : catalog.named(name);
}

/** Dollars from a Number option as whole cents (null stays null). */
export function centsOption(value: number | null): number | null {
  return value === null ? null : Math.round(value * 100);
}

export const printingLabel = (p: Pick<CardPrinting, 'name' | 'setCode' | 'collectorNumber'>) => `${p.name} (${p.setCode.toUpperCase()}) ${p.collectorNumber}`;

/** After new haves committed: the members whose alerted wants they fill are told (one DM each, batched). */
export async function alertWanters(deps: BotDeps, guildId: string, haveIds: bigint[]): Promise<void> {
  const pairs = await alertPairsForHaves(deps.prisma, haveIds);
  if (pairs.size) await signalCardAlerts({ temporal: deps.temporal, taskQueue: deps.taskQueue }, guildId, pairs, deps.cardAlertCollectSeconds);
}
