import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Midtrans signs every HTTP notification (and GET status answer) with
 * `signature_key = hex(SHA512(order_id + status_code + gross_amount + serverKey))`, all four as the exact
 * strings Midtrans sent (gross_amount keeps its ".00"). Only Midtrans and we know the server key, so a
 * matching signature proves the notification came from Midtrans and was not altered in those fields.
 */
export interface MidtransSignedFields {
  order_id: string;
  status_code: string;
  gross_amount: string;
}

const SHA512_HEX = /^[0-9a-fA-F]{128}$/;

function requireKey(serverKey: string): void {
  // An empty key would make the signature computable by anyone; that is a configuration error, not a
  // bad notification.
  if (!serverKey) throw new Error('Midtrans server key is empty; cannot sign or verify notifications.');
}

export function midtransSignature(fields: MidtransSignedFields, serverKey: string): string {
  requireKey(serverKey);
  return createHash('sha512')
    .update(fields.order_id + fields.status_code + fields.gross_amount + serverKey, 'utf8')
    .digest('hex');
}

/**
 * True only when `notification` carries string order_id, status_code, gross_amount and a 128-hex-digit
 * signature_key equal to the one we compute. Anything missing, of another type or malformed is false,
 * never an exception: the webhook answers such requests as unauthenticated.
 */
export function verifyMidtransSignature(notification: unknown, serverKey: string): boolean {
  requireKey(serverKey);
  if (typeof notification !== 'object' || notification === null) return false;
  const { order_id, status_code, gross_amount, signature_key } = notification as Record<string, unknown>;
  if (typeof order_id !== 'string' || typeof status_code !== 'string' || typeof gross_amount !== 'string') return false;
  if (typeof signature_key !== 'string' || !SHA512_HEX.test(signature_key)) return false;
  const expected = Buffer.from(midtransSignature({ order_id, status_code, gross_amount }, serverKey), 'hex');
  const given = Buffer.from(signature_key, 'hex');
  // Both are 64 bytes here (the regex fixed the length); the check keeps timingSafeEqual from throwing.
  return given.length === expected.length && timingSafeEqual(given, expected);
}
