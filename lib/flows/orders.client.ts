import type { Client } from '@temporalio/client';
import { readFlowStatus, signalFlow, workflowExists, type FlowStatus } from './client';
import { orderAdminSignal, orderFlow, orderStatusQuery, type AdminAction, type OrderState } from './orders';

/** How the bot and the API talk to code orders (the Confirm button starts them: bot/commands/confirm-flow.ts). */

/** An admin's decision for an order that needs one; `false` when the order's flow is not running. */
export function sendOrderAdminAction(temporal: Client | null | undefined, orderId: string, action: AdminAction): Promise<boolean> {
  return signalFlow(temporal, orderFlow.id(orderId), orderAdminSignal, action);
}

export function readOrderStatus(temporal: Client | null | undefined, orderId: string): Promise<FlowStatus<OrderState>> {
  return readFlowStatus(temporal, orderFlow.id(orderId), orderStatusQuery);
}

/** Whether the order was confirmed (its flow started, in any state since). */
export function orderStarted(temporal: Client, orderId: string): Promise<boolean> {
  return workflowExists(temporal, orderFlow.id(orderId));
}
