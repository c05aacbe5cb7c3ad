import { ButtonStyle, ComponentType, type APIEmbed } from 'discord.js';
import { createLedger, userAccount } from '../../../activities/ledger';
import { assetLabel } from '../../../activities/shop/messages';
import { listPets, petLabel } from '../../../activities/trades';
import { formatAmount } from '../../../lib/discord/amounts';
import { customId } from '../../../lib/discord/custom-id';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { ValidationError } from '../../../lib/errors';
import type { PrismaClient } from '../../../prisma/client';
import type { ComponentHandler } from '../../command';
import { guildIdOf } from '../../interaction';
import { ephemeral } from './shared';

/** The pets and gems part of /inventory (the shop's command adds it) and its page buttons. */

const PETS_PAGE_SIZE = 20;

/** Previous/next buttons for the pets pages of /inventory (none when everything fits on one page). */
export async function petPageButtons(prisma: PrismaClient, guildId: string, userId: string, page = 0) {
  const stacks = await prisma.petHolding.count({ where: { guildId, ownerId: userId, quantity: { gt: 0 } } });
  const pages = Math.ceil(stacks / PETS_PAGE_SIZE);
  if (pages <= 1) return [];
  const button = (label: string, to: number, disabled: boolean) => ({ type: ComponentType.Button, style: ButtonStyle.Secondary, label, custom_id: customId('pets-page', `${userId}:${to}`), disabled });
  return [{ type: ComponentType.ActionRow, components: [button('◀ Previous pets', page - 1, page <= 0), button('Next pets ▶', page + 1, page >= pages - 1)] }];
}

/** The pets and gems of a member, for /inventory: most valuable stacks first (pages of 20) and the totals. */
export async function tradeInventoryEmbed(prisma: PrismaClient, guildId: string, userId: string, page = 0): Promise<APIEmbed> {
  const pets = await listPets(prisma, guildId, userId);
  const gems = await createLedger(prisma).balance(guildId, userAccount(userId), 'gems');
  const label = await assetLabel(prisma, guildId, 'gems');
  const count = pets.reduce((s, p) => s + p.quantity, 0);
  const value = pets.reduce((s, p) => s + p.unitValue * BigInt(p.quantity), 0n);
  const size = PETS_PAGE_SIZE;
  const shown = pets.slice(page * size, page * size + size);
  const lines = shown.map((p) => `**${p.quantity} ×** ${petLabel(p)} · ${p.rarity} · ${formatAmount(label, p.unitValue)} each`);
  return guildflowEmbed({
    outcome: 'info',
    title: 'Pets and gems',
    description: [
      `Gems: **${formatAmount(label, gems.balance)}**${gems.held > 0n ? ` (${formatAmount(label, gems.held)} held for a withdrawal)` : ''}`,
      `Pets: **${count}** worth **${formatAmount(label, value)}**`,
      '',
      ...(lines.length ? lines : ['No pets yet: deposit some in the Roblox game.']),
      ...(pets.length > size ? [`Page ${page + 1} of ${Math.ceil(pets.length / size)}`] : []),
    ].join('\n'),
  });
}

/** Pets page buttons under /inventory: a new private message with that page. */
export const petsPage: ComponentHandler = {
  action: 'pets-page',
  async handle(interaction, key, { prisma }) {
    const guildId = guildIdOf(interaction);
    const m = /^([0-9]{1,20}):([0-9]{1,5})$/.exec(key);
    if (!m) throw new ValidationError('This button is broken: run /inventory again.');
    const page = Number(m[2]);
    await interaction.reply(ephemeral(await tradeInventoryEmbed(prisma, guildId, m[1]!, page), { components: await petPageButtons(prisma, guildId, m[1]!, page) }));
  },
};
