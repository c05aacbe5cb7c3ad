import { defineQuery, defineSignal } from '@temporalio/workflow';
import { DISCORD_REFUSALS } from './discord';
import { defineFlow, INPUT_FAILURES } from './flow';

/**
 * Card trading's lists and want alerts: the failure types of the cards service (activities/cards) and
 * the public face of the alert flow, `card-alerts:{userId}` — one per member whose alerted wants someone
 * just came to have. New (want, have) pairs are signalled to it (signal-with-start); it collects them for
 * `collectSeconds`, then sends ONE DM summarising them, each pair told once (workflows/card-alerts.ts).
 */

export const CARDS_FAILURES = {
  invalidList: 'CardsInvalidList',
  notOwned: 'CardsNotOwned',
  catalogOff: 'CardsCatalogOff',
} as const;

export const CARD_ALERT_REFUSALS: readonly string[] = [...Object.values(CARDS_FAILURES), ...INPUT_FAILURES, ...DISCORD_REFUSALS];

/** A want of the member's that a have of another member fills (ids as strings: bigints in the database). */
export interface CardAlertPair {
  wantId: string;
  haveId: string;
}

export interface CardAlertInput {
  userId: string;
  /** The guild where the first have was added (the flow's GuildId search attribute). */
  guildId: string;
  /** How long the flow collects pairs before the one DM (production: a minute; tests: a second). */
  collectSeconds: number;
}

export interface CardAlertState {
  status: 'collecting' | 'sending' | 'done';
  /** Pairs received (duplicates counted once). */
  received: number;
  /** Pairs in DMs sent (pairs told before, by an earlier run, are not told again). */
  told: number;
  dms: number;
}

export const DEFAULT_CARD_ALERT_COLLECT_SECONDS = 60;

export const cardAlertPairsSignal = defineSignal<[CardAlertPair[]]>('pairs');
export const cardAlertStatusQuery = defineQuery<CardAlertState>('status');

export const cardAlertFlow = defineFlow({ type: 'cardAlerts', kind: 'card-alerts', id: (userId: string) => `card-alerts:${userId}` });
