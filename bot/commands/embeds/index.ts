import type { Command, ComponentHandler } from '../../command';
import { embedCommand } from './command';
import { cancelButton, createModal, discardButton, editModal, postButton, saveButton } from './components';

/** Saved embeds in Discord (/embed), for the one registry in bot/commands/index.ts. */
export const embedCommands: readonly Command[] = [embedCommand];
export const embedComponents: readonly ComponentHandler[] = [createModal, editModal, saveButton, discardButton, postButton, cancelButton];
