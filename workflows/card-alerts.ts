import { allHandlersFinished, condition, proxyActivities, setHandler, sleep, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities';
import {
  CARD_ALERT_REFUSALS,
  cardAlertFlow,
  cardAlertPairsSignal,
  cardAlertStatusQuery,
  type CardAlertInput,
  type CardAlertPair,
  type CardAlertState,
} from '../lib/flows/card-alerts';
import { activityProfiles } from './activity-options';
import { showDetails, tagFlow, tell } from './common';

/**
 * Want alerts, workflow id `card-alerts:{userId}`: started (signal-with-start) when someone comes to have
 * a card the member wants with an alert, and signalled again by each new have meanwhile.
 *
 *   collect pairs for `collectSeconds` → ONE DM listing them (cardsAlertSend) → again while pairs came
 *   in during the send → done
 *
 * Each (want, have) pair is told once: the flow drops pairs it already received, and the activity claims
 * pairs in card_alert_notices (pairs told by an earlier run are not told again). A DM that cannot be sent
 * (closed DMs, Discord away past its retries) is not a failure of the flow: nothing is owed. No
 * compensations: it moves nothing.
 */
export async function cardAlerts(input: CardAlertInput): Promise<CardAlertState> {
  tagFlow(cardAlertFlow.kind, input.guildId, input.userId);
  const { discord } = activityProfiles(CARD_ALERT_REFUSALS);
  const acts = proxyActivities<Activities>(discord);
  const state: CardAlertState = { status: 'collecting', received: 0, told: 0, dms: 0 };
  const seen = new Set<string>();
  const pending: CardAlertPair[] = [];
  setHandler(cardAlertPairsSignal, (pairs) => {
    for (const pair of pairs) {
      const key = `${pair.wantId}:${pair.haveId}`;
      if (seen.has(key)) continue;
      seen.add(key);
      pending.push(pair);
      state.received += 1;
    }
  });
  setHandler(cardAlertStatusQuery, () => ({ ...state }));

  for (let round = 0; pending.length > 0; round++) {
    state.status = 'collecting';
    showDetails(`collecting · ${state.received} pairs`, `${state.dms} DMs sent`);
    await sleep(input.collectSeconds * 1000);
    const batch = pending.splice(0, pending.length);
    state.status = 'sending';
    const batchKey = `${workflowInfo().workflowId}:${workflowInfo().runId}:${round}`;
    await tell('send the want alert DM', async () => {
      const { told } = await acts.cardsAlertSend({ userId: input.userId, batchKey, pairs: batch });
      state.told += told;
      if (told > 0) state.dms += 1;
    });
  }
  await condition(allHandlersFinished);
  state.status = 'done';
  showDetails(`done · ${state.told} pairs told`, `${state.dms} DMs sent`);
  return { ...state };
}
