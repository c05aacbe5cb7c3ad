import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];
export type Session = Schemas['Session'];
export type GuildLevel = Session['guilds'][number]['level'];

type Operation<P extends keyof paths, M extends string> = M extends keyof paths[P] ? paths[P][M] : never;
type JsonOf<R> = R extends { content: { 'application/json': infer T } } ? T : never;
/** What a route answers when it succeeds (its 200, else its 201 JSON body), from the generated types. */
export type Answer<P extends keyof paths, M extends string = 'get'> =
  Operation<P, M> extends { responses: infer R } ? (R extends { 200: infer Ok } ? JsonOf<Ok> : R extends { 201: infer Created } ? JsonOf<Created> : never) : never;
/** A route's query parameters. */
export type QueryOf<P extends keyof paths, M extends string = 'get'> = Operation<P, M> extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
/** A route's JSON body. */
export type BodyOf<P extends keyof paths, M extends string> = Operation<P, M> extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

/** The access token lives here only (never in storage): a reload gets a new one from the session cookie. */
let accessToken: string | null = null;

export function setAccessToken(token: string | null): void {
  accessToken = token;
}

export function authorization(): Record<string, string> {
  return accessToken ? { Authorization: `Bearer ${accessToken}` } : {};
}

/** The header the auth routes ask for, so a cross-site form cannot post to them. */
export const CSRF_HEADER = { 'X-Guildflow-CSRF': '1' } as const;

const bearer: Middleware = {
  onRequest({ request }) {
    if (accessToken && !request.headers.has('Authorization')) request.headers.set('Authorization', `Bearer ${accessToken}`);
    return request;
  },
};

/** Every API call of the page: typed by the API's OpenAPI description, same-origin, with the bearer token. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(bearer);

/** What the API said went wrong, as it said it (`{ error: { message } }`), or what the status means. */
export function errorMessage(error: unknown, response?: Response): string {
  // `{ error: { message } }` from the error middleware; `{ ok: false, message }` from a refused workflow update.
  const body = error as { error?: { message?: unknown }; message?: unknown } | undefined;
  const message = body?.error?.message ?? body?.message;
  if (typeof message === 'string' && message) return message;
  if (response) return `The API answered ${response.status} ${response.statusText}.`;
  return error instanceof Error ? error.message : 'The request failed.';
}

/** The data of an openapi-fetch answer, or an Error carrying the API's message. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || result.data === undefined) throw new ApiError(errorMessage(result.error, result.response), result.response.status);
  return result.data;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Throws an ApiError with the API's message unless the answer is a success (for answers without a body, such as 204). */
export function ensureOk(result: { error?: unknown; response: Response }): void {
  if (!result.response.ok) throw new ApiError(errorMessage(result.error, result.response), result.response.status);
}

/**
 * A whole amount (a price, a reward) as the person typed it. The API parses it with z.coerce.bigint, which
 * takes a decimal string exactly (a JS number is not exact above 2^53) and words the refusal itself; the
 * generated type says number because the OpenAPI document calls it an int64.
 */
export function wholeAmount(text: string): number {
  return text.trim() as unknown as number;
}
