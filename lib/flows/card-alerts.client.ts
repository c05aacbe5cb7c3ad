import { signalWithStartFlow, type FlowTarget } from './client';
import { cardAlertFlow, cardAlertPairsSignal, DEFAULT_CARD_ALERT_COLLECT_SECONDS, type CardAlertPair } from './card-alerts';

/**
 * Tells each member's alert flow about the (want, have) pairs just found for them, starting the flow if
 * it is not collecting (signal-with-start): pairs found within its collecting time become one DM.
 * Call it after the haves have committed.
 */
export async function signalCardAlerts(
  target: FlowTarget,
  guildId: string,
  pairsByUser: ReadonlyMap<string, CardAlertPair[]>,
  collectSeconds = DEFAULT_CARD_ALERT_COLLECT_SECONDS,
): Promise<void> {
  for (const [userId, pairs] of pairsByUser) {
    await signalWithStartFlow(target, cardAlertFlow, [userId], {
      guildId,
      userId,
      summary: `Card want alerts for ${userId}`,
      input: { userId, guildId, collectSeconds },
      signal: cardAlertPairsSignal,
      signalArgs: [pairs],
    });
  }
}
