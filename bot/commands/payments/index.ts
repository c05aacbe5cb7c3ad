import type { Command, ComponentHandler } from '../../command';
import { topupCommand } from './topup';

/** Payments' commands, for the one registry in bot/commands/index.ts. */
export const paymentCommands: readonly Command[] = [topupCommand];
export const paymentComponents: readonly ComponentHandler[] = [];
