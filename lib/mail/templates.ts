import type { CardTradeNoticeKind } from '../flows/card-trades';

/**
 * The card trade emails: plain text and a simple HTML part with every value escaped, and the unsubscribe
 * link in both. One subject line per kind of notification.
 */

/** Every notice of the trade flow has an email (lib/flows/card-trades.ts names them). */
export type CardNotificationKind = CardTradeNoticeKind;

const SUBJECTS: Record<CardNotificationKind, string> = {
  proposal_received: 'You received a card trade proposal',
  countered: 'Your card trade proposal was countered',
  accepted: 'Your card trade was accepted',
  expiring: 'A card trade is about to expire',
  completed: 'Your card trade is complete',
  dispute: 'A card trade is disputed',
  declined: 'Your card trade proposal was declined',
  cancelled: 'A card trade was cancelled',
  expired: 'A card trade proposal expired',
  resolved: 'A card trade dispute was resolved',
  message: 'New message about a card trade',
  overdue: 'A card trade is waiting for your receipt',
};

/** What an email adds below its text (a trade's terms): plain text and its HTML, already escaped. */
export interface EmailDetail {
  text: string;
  html: string;
}

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}

/** Subject lines are one line, whatever a title holds. */
const oneLine = (value: string) => value.replace(/[\r\n]+/g, ' ').trim().slice(0, 150);

export function cardTradeEmail(input: {
  kind: CardNotificationKind;
  proposalId: string;
  title: string;
  text: string;
  detail?: EmailDetail | null;
  unsubscribeUrl: string;
}): { subject: string; text: string; html: string } {
  const subject = oneLine(`${SUBJECTS[input.kind]}: ${input.title}`);
  const footer = `You get these emails because you chose email for card trade notifications. Unsubscribe: ${input.unsubscribeUrl}`;
  const detail = input.detail ? `${input.detail.text}\n\n` : '';
  const text = `${input.title}\n\n${input.text}\n\n${detail}Trade ${input.proposalId}\n\n--\n${footer}\n`;
  const html =
    `<!doctype html><html><body style="font-family:sans-serif">` +
    `<h2>${escapeHtml(input.title)}</h2>` +
    `<p>${escapeHtml(input.text).replace(/\n/g, '<br>')}</p>` +
    (input.detail?.html ?? '') +
    `<p style="color:#666">Trade ${escapeHtml(input.proposalId)}</p>` +
    `<hr><p style="color:#666;font-size:12px">You get these emails because you chose email for card trade notifications. ` +
    `<a href="${escapeHtml(input.unsubscribeUrl)}">Unsubscribe</a></p></body></html>`;
  return { subject, text, html };
}

export function confirmationEmail(input: { confirmUrl: string; hours: number }): { subject: string; text: string; html: string } {
  return {
    subject: 'Confirm your email for Guildflow card trades',
    text: `Confirm this address for card trade notifications:\n\n${input.confirmUrl}\n\nThe link works once, for ${input.hours} hours. If you did not ask for this, ignore this email.\n`,
    html:
      `<!doctype html><html><body style="font-family:sans-serif"><p>Confirm this address for card trade notifications:</p>` +
      `<p><a href="${escapeHtml(input.confirmUrl)}">Confirm my email</a></p>` +
      `<p style="color:#666">The link works once, for ${input.hours} hours. If you did not ask for this, ignore this email.</p></body></html>`,
  };
}
