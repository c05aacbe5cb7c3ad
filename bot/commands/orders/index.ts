import type { Command, ComponentHandler } from '../index';
import { stockCommand } from './stock';

/** The code shop's commands and components (issue 7), for the one registry in bot/commands/index.ts. */
export const orderCommands: readonly Command[] = [stockCommand];
export const orderComponents: readonly ComponentHandler[] = [];
