import type { BaseMessageOptions } from 'discord.js';
import { assetLabel, listItems, type AssetLabel } from '../../../activities/shop';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { PrismaClient } from '../../../prisma/client';
import type { Command, ComponentHandler } from '../../command';
import { shopData } from './definitions';
import { describeItem } from './shared';
import { buttonRow, guildIdOf } from '../../interaction';

const SHOP_PAGE_SIZE = 5;
const ACTION = 'shop-page';

/**
 * One page of the shop (0-based) with Previous/Next buttons whose custom ids carry the page they lead to
 * (`gf:shop-page:{page}`), so they keep working after a restart. A page past the end shows the last one.
 */
async function shopPage(prisma: PrismaClient, guildId: string, requested: number): Promise<Pick<BaseMessageOptions, 'embeds' | 'components' | 'allowedMentions'>> {
  let page = Math.max(0, requested);
  let { items, total } = await listItems(prisma, guildId, { offset: page * SHOP_PAGE_SIZE, limit: SHOP_PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(total / SHOP_PAGE_SIZE));
  if (page >= pages) {
    page = pages - 1;
    ({ items, total } = await listItems(prisma, guildId, { offset: page * SHOP_PAGE_SIZE, limit: SHOP_PAGE_SIZE }));
  }
  const labels = new Map<string, AssetLabel>();
  for (const code of new Set(items.map((i) => i.assetCode))) labels.set(code, await assetLabel(prisma, guildId, code));
  const lines = items.map((i) => describeItem(i, labels.get(i.assetCode)!));
  return {
    allowedMentions: { parse: [] },
    embeds: [
      guildflowEmbed({
        outcome: 'info',
        title: 'Shop',
        description: total === 0 ? 'The shop is empty for now.' : `${lines.join('\n\n')}\n\nBuy with \`/buy item:<id or name>\` · Page ${page + 1} of ${pages} · ${total} items`,
      }),
    ],
    components: [
      buttonRow([
        { action: ACTION, key: String(Math.max(0, page - 1)), label: 'Previous', disabled: page === 0 },
        { action: ACTION, key: String(page + 1), label: 'Next', disabled: page + 1 >= pages },
      ]),
    ],
  };
}

/** `/shop`: what the server sells, paged, only for the member who asked. */
export const shopCommand: Command = {
  data: shopData,
  async handle(interaction, { prisma }) {
    await interaction.reply({ ...(await shopPage(prisma, guildIdOf(interaction), 0)), flags: 'Ephemeral' });
  },
};

/** Previous/Next on a /shop message: shows the page in the custom id. */
export const shopPageButtons: ComponentHandler = {
  action: ACTION,
  async handle(interaction, key, { prisma }) {
    if (!interaction.isButton() || !/^\d{1,6}$/.test(key)) throw new AppError('invalid_component', 'This button is not a shop page.');
    await interaction.update(await shopPage(prisma, guildIdOf(interaction), Number(key)));
  },
};
