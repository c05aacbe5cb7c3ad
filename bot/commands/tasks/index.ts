import type { Command, ComponentHandler } from '../../command';
import { taskAdminCommand, taskCommand, tasksCommand } from './commands';
import {
  acceptButton,
  claimButton,
  createModalHandler,
  listPageButtons,
  proofButton,
  proofModal,
  rejectButton,
  rejectModal,
  revokeButton,
  revokeModal,
} from './components';

/** The task commands and components, for the one registry in bot/commands/index.ts. */
export const taskCommands: readonly Command[] = [tasksCommand, taskCommand, taskAdminCommand];
export const taskComponents: readonly ComponentHandler[] = [
  claimButton,
  proofButton,
  proofModal,
  acceptButton,
  rejectButton,
  rejectModal,
  revokeButton,
  revokeModal,
  createModalHandler,
  listPageButtons,
];
