import { createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { httpRequest } from './http-fake';

/**
 * Calls our game-server API the way the documented Luau script does: the body is serialized once
 * (HttpService:JSONEncode there, JSON.stringify here), those bytes are signed and those bytes are sent.
 * The HMAC is computed here with its own crypto call rather than with lib/roblox/game-signature, so a
 * server that verifies differently from the documented scheme fails the tests.
 */

export type GameRequestTamper = 'signature' | 'body' | 'timestamp-old' | 'reuse-nonce';

export interface GameServerClient {
  request(
    method: string,
    path: string,
    body?: unknown,
    options?: { tamper?: GameRequestTamper; headers?: Record<string, string> },
  ): Promise<{ status: number; json: unknown; text: string; headers: IncomingHttpHeaders }>;
}

export function createGameServerClient({
  baseUrl,
  gameId,
  secret,
  clock = () => new Date(),
  nonce = () => randomBytes(16).toString('base64url'),
}: {
  baseUrl: string;
  gameId: string;
  secret: string;
  /** The game server's clock (os.time() in Luau). */
  clock?: () => Date;
  nonce?: () => string;
}): GameServerClient {
  let lastNonce: string | undefined;

  return {
    async request(method, path, body, { tamper, headers = {} } = {}) {
      const verb = method.toUpperCase();
      const raw = body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body);
      const seconds = Math.floor(clock().getTime() / 1000) - (tamper === 'timestamp-old' ? 3_600 : 0);
      const timestamp = String(seconds);
      const requestNonce = tamper === 'reuse-nonce' && lastNonce ? lastNonce : nonce();
      lastNonce = requestNonce;

      const canonical = `${timestamp}\n${requestNonce}\n${verb}\n${path}\n${raw}`;
      let signature = createHmac('sha256', secret).update(canonical, 'utf8').digest('hex');
      if (tamper === 'signature') signature = (signature[0] === '0' ? '1' : '0') + signature.slice(1);
      // The signed body differs from the sent one by a trailing space: still valid JSON, different bytes.
      const sent = tamper === 'body' ? `${raw} ` : raw;

      const res = await httpRequest(new URL(path, baseUrl).toString(), {
        method: verb,
        headers: {
          ...(sent !== '' ? { 'Content-Type': 'application/json' } : {}),
          'X-Guildflow-Game': gameId,
          'X-Guildflow-Timestamp': timestamp,
          'X-Guildflow-Nonce': requestNonce,
          'X-Guildflow-Signature': signature,
          ...headers,
        },
        body: sent === '' ? undefined : sent,
      });
      return { status: res.status, json: res.json, text: res.text, headers: res.headers };
    },
  };
}
