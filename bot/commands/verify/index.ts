import type { Command, ComponentHandler } from '../../command';
import { bindsCommand } from './binds';
import { unverifyCommand, verifyAdminCommand, verifyCancelButton, verifyCheckButton, verifyCommand, verifyModal, verifyPanelButton, whoisCommand } from './commands';
import { updateCommand } from './update';

/** Roblox verification, for the one registry in bot/commands/index.ts. */
export const verifyCommands: readonly Command[] = [verifyCommand, unverifyCommand, whoisCommand, verifyAdminCommand, updateCommand, bindsCommand];
export const verifyComponents: readonly ComponentHandler[] = [verifyCheckButton, verifyCancelButton, verifyPanelButton, verifyModal];
