import { stdSerializers } from 'pino';

/**
 * How an error is written to the logs (the logger's `err` and `error` serializer). Errors of the Discord
 * REST client (DiscordAPIError, HTTPError, RateLimitError) carry their request: the URL of an interaction
 * reply or follow-up holds the interaction token (`/interactions/{id}/{token}/…`, `/webhooks/{app}/{token}`)
 * and `requestBody` holds what was being sent — a new API token, a game secret, codes in a DM. The log
 * keeps what helps an operator (type, message, Discord's code and status, method, the URL without its
 * token) and never the body.
 */

/** The path segment after an interaction or webhook id is a token that lets anyone answer as the bot. */
const TOKEN_IN_PATH = /\/(interactions|webhooks)\/(\d+)\/[^/?#\s"'\\]+/g;
/** Fields that hold what a request sent (for @discordjs/rest errors: `{ files, json }`). */
const REQUEST_FIELDS = new Set(['requestBody']);
/** Far deeper than any error we log; stops a self-referencing value. */
const MAX_DEPTH = 8;

/** The text with every interaction/webhook token in a Discord URL replaced by `[redacted]`. */
function redactDiscordTokens(text: string): string {
  return text.replace(TOKEN_IN_PATH, '/$1/$2/[redacted]');
}

export function serializeErrorForLog(err: unknown): unknown {
  // pino's own serializer first: type, message and stack with their causes, nested errors serialized.
  return scrub(stdSerializers.err(err as Error), 0);
}

function scrub(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return redactDiscordTokens(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (Array.isArray(value)) return value.map((v: unknown) => scrub(v, depth + 1));
  if (!isRecord(value)) return value; // Dates, Buffers… carry no URL
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (!REQUEST_FIELDS.has(key)) out[key] = scrub(v, depth + 1);
  }
  return out;
}

/** A plain record: an object literal, or what pino's serializer builds (its own prototype, enumerable fields). */
function isRecord(value: object): value is Record<string, unknown> {
  return !(value instanceof Date) && !ArrayBuffer.isView(value) && !(value instanceof Map) && !(value instanceof Set);
}
