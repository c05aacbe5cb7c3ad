import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * How a Roblox game server proves a request to our game-server API comes from a game we registered.
 * The Luau script documented for game owners signs exactly like this:
 *
 *   signature = lowercase hex HMAC-SHA256(secret,
 *                 timestamp + "\n" + nonce + "\n" + METHOD + "\n" + path + "\n" + body)
 *
 * - timestamp: Unix seconds as a decimal string (Luau `tostring(os.time())`);
 * - nonce: 16–64 characters of [A-Za-z0-9_-], new for every request;
 * - METHOD: upper case; path: the request target as sent, query string included
 *   (`/roblox/v1/withdrawals?serverId=abc`); body: the raw bytes sent ('' when there is none).
 *
 * The body is signed as bytes, so the sender must serialize it once and send those same bytes, and the
 * server must verify the raw body before parsing it.
 */
export const GAME_SIGNATURE_HEADERS = {
  game: 'X-Guildflow-Game',
  timestamp: 'X-Guildflow-Timestamp',
  nonce: 'X-Guildflow-Nonce',
  signature: 'X-Guildflow-Signature',
} as const;

const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
const TIMESTAMP_PATTERN = /^[0-9]{1,12}$/;
const SIGNATURE_PATTERN = /^[0-9a-f]{64}$/;

export interface CanonicalInput {
  timestamp: string | number;
  nonce: string;
  method: string;
  path: string;
  body?: string | Buffer;
}

function timestampString(timestamp: string | number): string {
  if (typeof timestamp === 'string') return timestamp;
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error(`timestamp must be whole Unix seconds, got ${timestamp}`);
  return String(timestamp);
}

function prefix({ timestamp, nonce, method, path }: CanonicalInput): string {
  return `${timestampString(timestamp)}\n${nonce}\n${method.toUpperCase()}\n${path}\n`;
}

/** The exact string that is signed (the body decoded as UTF-8 when given as bytes; for docs and tests). */
export function canonicalString(input: CanonicalInput): string {
  const body = input.body ?? '';
  return prefix(input) + (typeof body === 'string' ? body : body.toString('utf8'));
}

function hmac(secret: string, input: CanonicalInput): Buffer {
  const mac = createHmac('sha256', secret).update(prefix(input), 'utf8');
  const body = input.body ?? '';
  // Bytes go in as received, so a body that is not valid UTF-8 still verifies byte for byte.
  if (typeof body === 'string') mac.update(body, 'utf8');
  else mac.update(body);
  return mac.digest();
}

export function signGameRequest(input: CanonicalInput & { secret: string }): string {
  if (!input.secret) throw new Error('Game secret is empty; refusing to sign.');
  if (!NONCE_PATTERN.test(input.nonce)) throw new Error('nonce must be 16-64 characters of [A-Za-z0-9_-]');
  return hmac(input.secret, input).toString('hex');
}

export type GameSignatureFailure = 'missing_headers' | 'bad_timestamp' | 'stale_timestamp' | 'bad_nonce' | 'bad_signature';
export type GameSignatureResult = { ok: true } | { ok: false; reason: GameSignatureFailure };

type HeaderBag = Record<string, string | string[] | undefined>;

/** One value per header, case-insensitively; a repeated header counts as missing (it is ambiguous). */
function header(headers: HeaderBag, name: string): string | undefined {
  const lower = name.toLowerCase();
  let value = headers[lower];
  if (value === undefined) {
    const key = Object.keys(headers).find((k) => k.toLowerCase() === lower);
    value = key === undefined ? undefined : headers[key];
  }
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Checks a request's signature headers against the game's secret. The comparison is constant-time.
 * Remembering nonces to refuse a replay inside the skew window is the server's job (it needs shared
 * storage), not this function's: a replayed request verifies here as `ok`.
 */
export function verifyGameSignature({
  secret,
  method,
  path,
  body,
  headers,
  now = new Date(),
  maxSkewSeconds = 300,
}: {
  secret: string;
  method: string;
  path: string;
  body?: string | Buffer;
  headers: HeaderBag;
  now?: Date;
  maxSkewSeconds?: number;
}): GameSignatureResult {
  if (!secret) throw new Error('Game secret is empty; refusing to verify.');
  const game = header(headers, GAME_SIGNATURE_HEADERS.game);
  const timestamp = header(headers, GAME_SIGNATURE_HEADERS.timestamp);
  const nonce = header(headers, GAME_SIGNATURE_HEADERS.nonce);
  const signature = header(headers, GAME_SIGNATURE_HEADERS.signature);
  if (!game || !timestamp || !nonce || !signature) return { ok: false, reason: 'missing_headers' };
  if (!TIMESTAMP_PATTERN.test(timestamp)) return { ok: false, reason: 'bad_timestamp' };
  if (Math.abs(Math.floor(now.getTime() / 1000) - Number(timestamp)) > maxSkewSeconds) return { ok: false, reason: 'stale_timestamp' };
  if (!NONCE_PATTERN.test(nonce)) return { ok: false, reason: 'bad_nonce' };
  // The format check leaks nothing secret; it fixes the length so timingSafeEqual compares 32 bytes.
  if (!SIGNATURE_PATTERN.test(signature)) return { ok: false, reason: 'bad_signature' };
  const expected = hmac(secret, { timestamp, nonce, method, path, body });
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected) ? { ok: true } : { ok: false, reason: 'bad_signature' };
}
