import { announcementFlow } from './announcements';
import { cardAlertFlow } from './card-alerts';
import { cardTradeFlow } from './card-trades';
import { orderFlow } from './orders';
import { padFlow } from './pads';
import { topupFlow } from './payments';
import { purchaseFlow } from './shop';
import { syncFlow } from './sync';
import { taskClaimFlow, taskMessageFlow } from './tasks';
import { ticketFlow } from './tickets';
import { depositFlow, withdrawFlow } from './trades';
import { verifyFlow, unverifyFlow } from './verify';
import { memberRolesFlow } from './verify-roles';

/**
 * Every FlowKind the worker's flows tag themselves with (test/dashboard-api/flow-counts.test.ts checks it
 * against the recorded histories). Temporal groups a count by ExecutionStatus only, so the dashboard's
 * open flows per kind are one count per kind listed here.
 */
export const FLOW_KINDS: readonly string[] = [
  announcementFlow,
  cardAlertFlow,
  cardTradeFlow,
  depositFlow,
  memberRolesFlow,
  orderFlow,
  padFlow,
  purchaseFlow,
  syncFlow,
  taskClaimFlow,
  taskMessageFlow,
  ticketFlow,
  topupFlow,
  unverifyFlow,
  verifyFlow,
  withdrawFlow,
].map((flow) => flow.kind);
