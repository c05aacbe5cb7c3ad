import type { Client } from '@temporalio/client';
import { readFlowStatus, signalFlow, startFlow, type FlowStatus, type FlowTarget } from './client';
import { paymentUpdateSignal, topupFlow, topupStatusQuery, type PaymentUpdate, type TopupInput, type TopupState } from './payments';

/** How the bot and the API start and talk to top-ups. */

/** Starts `topup:{paymentId}` once: the same payment again is `started: false`, even after it ended. */
export function startTopup(target: FlowTarget, input: TopupInput, summary: string) {
  return startFlow(target, topupFlow, [input.paymentId], { guildId: input.guildId, userId: input.userId, summary, input, reuse: 'reject' });
}

/** Hands the top-up a gateway status; `false` when no such top-up is running (it ended or never started). */
export function sendPaymentUpdate(temporal: Client | null | undefined, paymentId: string, update: PaymentUpdate): Promise<boolean> {
  return signalFlow(temporal, topupFlow.id(paymentId), paymentUpdateSignal, update);
}

export function readTopupStatus(temporal: Client | null | undefined, paymentId: string): Promise<FlowStatus<TopupState>> {
  return readFlowStatus(temporal, topupFlow.id(paymentId), topupStatusQuery);
}
