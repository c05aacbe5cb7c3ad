import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../../../activities';
import type { CardAlertInput, CardAlertState } from '../../../lib/flows/card-alerts';

/**
 * Test only — an INCOMPATIBLE change of workflows/card-alerts.ts as someone might make it without
 * patched(): the DM is sent at once, without collecting first. Replaying recorded histories must fail.
 */
const acts = proxyActivities<Activities>({ startToCloseTimeout: '30 seconds' });

export async function cardAlerts(input: CardAlertInput): Promise<CardAlertState> {
  await acts.cardsAlertSend({ userId: input.userId, batchKey: 'now', pairs: [] });
  return { status: 'done', received: 0, told: 0, dms: 0 };
}
