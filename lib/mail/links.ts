import { createHash, createHmac, randomBytes } from 'node:crypto';

/** Tokens are stored only as this hash: a leaked table cannot unsubscribe or confirm anyone. */
export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

/** A fresh single-use token (email confirmation). */
export const randomToken = () => randomBytes(32).toString('base64url');

/**
 * A member's unsubscribe token, the same in every email since their address was confirmed: derived from
 * MAIL_LINK_SECRET, so only its hash needs storing (card_traders.unsubscribe_hash) and re-confirming an
 * address starts a new one.
 */
export function unsubscribeToken(secret: string, userId: string, confirmedAt: Date): string {
  return createHmac('sha256', secret).update(`card-unsubscribe:${userId}:${confirmedAt.getTime()}`).digest('base64url');
}

export const unsubscribeUrl = (publicBaseUrl: string, token: string) => `${publicBaseUrl}/api/cards/unsubscribe?token=${encodeURIComponent(token)}`;
export const confirmUrl = (publicBaseUrl: string, token: string) => `${publicBaseUrl}/api/cards/email/confirm?token=${encodeURIComponent(token)}`;
