import type { Command, ComponentHandler } from '../../command';
import { padCommand, padSettingsCommand } from './pad';
import { endButtonHandler, padsCommand, trainingCommand, tryoutCommand } from './sessions';

/** The pad session commands and the End session button, for the one registry in bot/commands/index.ts. */
export const padCommands: readonly Command[] = [trainingCommand, tryoutCommand, padCommand, padsCommand, padSettingsCommand];
export const padComponents: readonly ComponentHandler[] = [endButtonHandler];
