import type { BaseMessageOptions } from 'discord.js';
import { assetLabel, listCategories, listItems, parseCategory, type AssetLabel } from '../../../activities/shop';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { PrismaClient } from '../../../prisma/client';
import type { Command, ComponentHandler } from '../../command';
import { shopData } from './definitions';
import { describeItem } from './shared';
import { buttonRow, guildIdOf } from '../../interaction';

const SHOP_PAGE_SIZE = 5;
const ACTION = 'shop-page';
/** Keeps the listing within an embed's 4096 characters however many categories a server makes. */
const MAX_CATEGORIES_SHOWN = 30;

/**
 * One page of the shop (0-based), of one category or all, with Previous/Next buttons whose custom ids
 * carry the page they lead to and the category (`gf:shop-page:{page}` or `gf:shop-page:{page}.{category}`),
 * so they keep working after a restart. A page past the end shows the last one.
 */
async function shopPage(prisma: PrismaClient, guildId: string, requested: number, category: string | null): Promise<Pick<BaseMessageOptions, 'embeds' | 'components' | 'allowedMentions'>> {
  let page = Math.max(0, requested);
  const list = () => listItems(prisma, guildId, { offset: page * SHOP_PAGE_SIZE, limit: SHOP_PAGE_SIZE, category });
  let { items, total } = await list();
  const pages = Math.max(1, Math.ceil(total / SHOP_PAGE_SIZE));
  if (page >= pages) {
    page = pages - 1;
    ({ items, total } = await list());
  }
  const categories = await listCategories(prisma, guildId);
  const shown = categories.length > MAX_CATEGORIES_SHOWN ? [...categories.slice(0, MAX_CATEGORIES_SHOWN), '…'] : categories;
  const categoryLine = categories.length ? `\n**Categories:** ${shown.join(' · ')} (\`/shop category:<name>\`)` : '';
  const empty = category ? `No item on sale in the category *${category}*.` : 'The shop is empty for now.';
  const pageKey = (p: number) => (category ? `${p}.${category}` : String(p));
  const labels = new Map<string, AssetLabel>();
  for (const code of new Set(items.map((i) => i.assetCode))) labels.set(code, await assetLabel(prisma, guildId, code));
  const lines = items.map((i) => describeItem(i, labels.get(i.assetCode)!));
  return {
    allowedMentions: { parse: [] },
    embeds: [
      guildflowEmbed({
        outcome: 'info',
        title: category ? `Shop — ${category}` : 'Shop',
        description: `${total === 0 ? empty : `${lines.join('\n\n')}\n\nBuy with \`/buy item:<id or name>\` · Page ${page + 1} of ${pages} · ${total} items`}${categoryLine}`,
      }),
    ],
    components: [
      buttonRow([
        { action: ACTION, key: pageKey(Math.max(0, page - 1)), label: 'Previous', disabled: page === 0 },
        { action: ACTION, key: pageKey(page + 1), label: 'Next', disabled: page + 1 >= pages },
      ]),
    ],
  };
}

/** `/shop [category]`: what the server sells, paged, only for the member who asked. */
export const shopCommand: Command = {
  data: shopData,
  async handle(interaction, { prisma }) {
    const category = interaction.options.getString('category');
    await interaction.reply({ ...(await shopPage(prisma, guildIdOf(interaction), 0, category === null ? null : parseCategory(category))), flags: 'Ephemeral' });
  },
};

/** Previous/Next on a /shop message: shows the page in the custom id. */
export const shopPageButtons: ComponentHandler = {
  action: ACTION,
  async handle(interaction, key, { prisma }) {
    const m = /^(\d{1,6})(?:\.(.+))?$/.exec(key);
    if (!interaction.isButton() || !m) throw new AppError('invalid_component', 'This button is not a shop page.');
    await interaction.update(await shopPage(prisma, guildIdOf(interaction), Number(m[1]), m[2] === undefined ? null : parseCategory(m[2])));
  },
};
