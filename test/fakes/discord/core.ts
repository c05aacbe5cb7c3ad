import type { APIInteraction } from 'discord-api-types/v10';
import type { Faults } from './faults';
import type { DiscordState } from './state';
import type { FakeDiscordOptions, InteractionResponseRecord, PendingRequestRecord, RequestRecord } from './types';
import type { UploadedFile } from './validate';

export type ResolvedOptions = Required<Omit<FakeDiscordOptions, 'privilegedIntents'>> & {
  privilegedIntents: { guildMembers: boolean; guildPresences: boolean; messageContent: boolean };
};

/**
 * What the parts use of the gateway (gateway.ts) and of the interactions (interactions.ts): declared
 * here, so those parts depend on this file and not on each other.
 */
export interface GatewayPart {
  readonly url: string;
  dispatchInteraction(payload: APIInteraction): void;
}
export interface InteractionsPart {
  readonly responses: readonly InteractionResponseRecord[];
}

/** What every part of the fake shares. */
export interface Core {
  state: DiscordState;
  faults: Faults;
  gateway: GatewayPart;
  interactions: InteractionsPart;
  options: ResolvedOptions;
  token: string;
  requests: RequestRecord[];
  /** Requests received and not answered yet; each moves to `requests` once answered. */
  pending: Set<PendingRequestRecord>;
  /** Exceptions thrown by the fake's own handlers (answered as 500): a bug in the fake, not in the bot. */
  internalErrors: unknown[];
  /** Where the REST API and gateway listen, e.g. http://127.0.0.1:1234 (no /api). */
  origin: string;
}

export interface RouteContext {
  method: string;
  /** Path after /api/v10, decoded. */
  route: string;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  files: UploadedFile[];
  /** X-Audit-Log-Reason, decoded. */
  reason?: string;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  /** Extra response headers (a route's rate-limit bucket). */
  headers?: Record<string, string>;
}

export interface RouteDef {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Segments starting with ':' are parameters, e.g. /channels/:channelId/messages. */
  pattern: string;
  /** false for routes Discord authenticates by the token in the path (interaction callbacks, webhooks). */
  auth: boolean;
  handler: (ctx: RouteContext) => RouteResult | Promise<RouteResult>;
}

export const ok = (body: unknown): RouteResult => ({ status: 200, body });
export const created = (body: unknown): RouteResult => ({ status: 201, body });
export const noContent = (): RouteResult => ({ status: 204 });
