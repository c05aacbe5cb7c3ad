import type { Command, ComponentHandler } from '../../command';
import { economyCommand } from './admin';
import { balanceCommand } from './balance';
import { dailyCommand } from './daily';
import { giveCommand } from './give';
import { leaderboardButtons, leaderboardCommand } from './leaderboard';
import { transactionsButtons, transactionsCommand } from './transactions';

/** The economy's commands and buttons, for the one registry in bot/commands/index.ts. */
export const economyCommands: readonly Command[] = [balanceCommand, dailyCommand, giveCommand, leaderboardCommand, transactionsCommand, economyCommand];
export const economyComponents: readonly ComponentHandler[] = [leaderboardButtons, transactionsButtons];
