import { MessageFlags, type BaseMessageOptions } from 'discord.js';
import { createLedger, userAccount, type Asset, type EntryType, type LedgerEntry } from '../../../activities/ledger';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import type { PrismaClient } from '../../../prisma/client';
import type { Command, ComponentHandler } from '../../command';
import { transactionsData } from './definitions';
import { parsePage, signedAmount } from './shared';
import { buttonRow, guildIdOf } from '../../interaction';

const TRANSACTIONS_PAGE_SIZE = 10;
const ACTION = 'transactions';

/** Every entry type has a label (the compiler checks), so a statement never shows a raw type. */
const TYPE_LABELS: Record<EntryType, string> = {
  daily: 'Daily reward',
  admin_adjust: 'Adjusted by an admin',
  purchase: 'Purchase',
  topup: 'Top-up',
  refund: 'Refund',
  sell_back: 'Sold back to the shop',
  escrow: 'Escrow',
  reward: 'Reward',
  reversal: 'Reversal',
  transfer: 'Transfer',
  give: 'Gift',
  checkpoint: 'Earlier history (archived)',
};

/** One line of a statement, from `userId`'s side: when, how much in or out, what and with whom. */
function describeEntry(entry: LedgerEntry, userId: string, assets: Asset[]): string {
  const assetOf = (code: string) => assets.find((a) => a.code === code) ?? { name: code, emoji: '' };
  const isMe = (a: { ownerType: string; ownerId: string }) => a.ownerType === 'user' && a.ownerId === userId;
  let amounts: string;
  let others: { ownerType: string; ownerId: string }[];
  if (entry.postings.length > 0) {
    amounts = entry.postings
      .filter((p) => isMe(p.account))
      .map((p) => signedAmount(assetOf(p.asset), p.amount))
      .join(', ');
    others = entry.postings.filter((p) => !isMe(p.account)).map((p) => p.account);
  } else if (entry.hold) {
    // A pending or voided hold has no postings yet: show what it reserves.
    const out = isMe(entry.hold.from);
    amounts = `${signedAmount(assetOf(entry.hold.asset), out ? -entry.hold.amount : entry.hold.amount)} (${entry.status === 'pending' ? 'held' : 'released'})`;
    others = [out ? entry.hold.to : entry.hold.from];
  } else {
    amounts = '—';
    others = [];
  }
  const counterpart = others.find((a) => a.ownerType === 'user');
  let what: string;
  if (entry.type === 'give') {
    const incoming = !amounts.startsWith('−');
    what = counterpart ? `${incoming ? 'Gift from' : 'Gift to'} <@${counterpart.ownerId}>` : 'Gift';
  } else if (entry.type === 'daily') {
    what = entry.reason ?? TYPE_LABELS.daily;
  } else {
    what = TYPE_LABELS[entry.type];
  }
  const note = entry.reason && entry.type !== 'daily' ? ` — ${entry.reason.length > 80 ? `${entry.reason.slice(0, 79)}…` : entry.reason}` : '';
  return `<t:${Math.floor(entry.createdAt.getTime() / 1000)}:d> **${amounts}** · ${what}${note}`;
}

/**
 * A page of the member's own entries, newest first. Paging follows the ledger's cursor (an entry id), so a
 * button's custom id carries the page number and the cursor: `gf:transactions:{page}:{cursor}` — well
 * under 100 characters. The ledger pages only towards older entries, so the buttons are Newest and Older.
 */
async function transactionsPage(prisma: PrismaClient, guildId: string, userId: string, page: number, cursor: string | null): Promise<Pick<BaseMessageOptions, 'embeds' | 'components' | 'allowedMentions'>> {
  const ledger = createLedger(prisma);
  const [assets, entries] = await Promise.all([
    ledger.assets(guildId),
    ledger.entries({ guildId, account: userAccount(userId), cursor, limit: TRANSACTIONS_PAGE_SIZE }),
  ]);
  const empty = entries.items.length === 0;
  return {
    allowedMentions: { parse: [] },
    embeds: [
      guildflowEmbed({
        outcome: 'info',
        title: 'Your transactions',
        description: empty
          ? page === 1
            ? 'No transactions yet. Try /daily.'
            : 'No older transactions.'
          : `${entries.items.map((e) => describeEntry(e, userId, assets)).join('\n')}\n\nPage ${page}`,
      }),
    ],
    components: [
      buttonRow([
        { action: ACTION, key: '1:', label: 'Newest', disabled: page === 1 },
        { action: ACTION, key: `${page + 1}:${entries.nextCursor ?? ''}`, label: 'Older', disabled: entries.nextCursor === null },
      ]),
    ],
  };
}

/** `/transactions`: your own history, only to you. */
export const transactionsCommand: Command = {
  data: transactionsData,
  async handle(interaction, { prisma }) {
    const page = await transactionsPage(prisma, guildIdOf(interaction), interaction.user.id, 1, null);
    await interaction.reply({ ...page, flags: MessageFlags.Ephemeral });
  },
};

/** Newest/Older: always the clicking member's own history (the id carries no user). */
export const transactionsButtons: ComponentHandler = {
  action: ACTION,
  async handle(interaction, key, { prisma }) {
    if (!interaction.isButton()) throw new AppError('unknown_component', 'This button is no longer in use.');
    const match = /^([0-9]{1,6}):([0-9]{0,19})$/.exec(key);
    if (!match) throw new AppError('bad_page', 'This button is out of date; run /transactions again.');
    const page = parsePage(match[1]!);
    await interaction.update(await transactionsPage(prisma, guildIdOf(interaction), interaction.user.id, Math.max(1, page), match[2] || null));
  },
};
