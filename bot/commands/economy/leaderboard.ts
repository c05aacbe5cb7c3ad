import type { BaseMessageOptions } from 'discord.js';
import { currencyOf } from '../../../activities/economy';
import { createLedger } from '../../../activities/ledger';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { PrismaClient } from '../../../prisma/client';
import type { Command, ComponentHandler } from '../../command';
import { leaderboardData } from './definitions';
import { parsePage } from './shared';
import { buttonRow, guildIdOf } from '../../interaction';

const LEADERBOARD_PAGE_SIZE = 10;
const ACTION = 'leaderboard';

/**
 * One page of the leaderboard (0-based), with Previous/Next buttons whose custom ids carry the page they
 * lead to (`gf:leaderboard:{page}`), so they work after a restart. A page past the end (members spent
 * their money since) shows the last page.
 */
async function leaderboardPage(prisma: PrismaClient, guildId: string, requested: number): Promise<Pick<BaseMessageOptions, 'embeds' | 'components' | 'allowedMentions'>> {
  const ledger = createLedger(prisma);
  const currency = await currencyOf(ledger, guildId);
  const fetch = (page: number) => ledger.leaderboard({ guildId, asset: 'currency', limit: LEADERBOARD_PAGE_SIZE, offset: page * LEADERBOARD_PAGE_SIZE });
  let page = requested;
  let board = await fetch(page);
  const pages = Math.max(1, Math.ceil(board.total / LEADERBOARD_PAGE_SIZE));
  if (page >= pages) {
    page = pages - 1;
    board = await fetch(page);
  }
  const lines = board.items.map((a, i) => `**${page * LEADERBOARD_PAGE_SIZE + i + 1}.** <@${a.account.ownerId}> — ${formatAmount(currency, a.balance)}`);
  return {
    allowedMentions: { parse: [] },
    embeds: [
      guildflowEmbed({
        outcome: 'info',
        title: `Leaderboard · ${currency.emoji} ${currency.name}`,
        description: board.total === 0 ? `Nobody has any ${currency.name} yet.` : `${lines.join('\n')}\n\nPage ${page + 1} of ${pages} · ${board.total} members`,
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

/** `/leaderboard`: the richest members, in public, paged. */
export const leaderboardCommand: Command = {
  data: leaderboardData,
  async handle(interaction, { prisma }) {
    await interaction.reply(await leaderboardPage(prisma, guildIdOf(interaction), 0));
  },
};

/** Previous/Next on a leaderboard message: shows the page named in the custom id. */
export const leaderboardButtons: ComponentHandler = {
  action: ACTION,
  async handle(interaction, key, { prisma }) {
    if (!interaction.isButton()) throw new AppError('unknown_component', 'This button is no longer in use.');
    await interaction.update(await leaderboardPage(prisma, guildIdOf(interaction), parsePage(key)));
  },
};
