import type { Command, ComponentHandler } from '../../command';
import { announceCommand } from './command';
import { cancelButton, editModal, newModal, postButton } from './components';

/** Announcements in Discord (/announce), for the one registry in bot/commands/index.ts. */
export const announceCommands: readonly Command[] = [announceCommand];
export const announceComponents: readonly ComponentHandler[] = [newModal, editModal, postButton, cancelButton];
