import { Stream } from 'node:stream';
import Router, { type RouterContext } from '@koa/router';
import type { Middleware } from 'koa';
import { z, type ZodType } from 'zod';
import type { GrantName } from '../../lib/grants';
import type { Logger } from '../../lib/logger';
import type { PermissionLevel } from '../../lib/permissions';
import { requireGuildToken, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import type { RouteDeps } from '../deps';

/**
 * Who may call a route. `guild`: a guild API token (requireGuildToken) of at least `level`, or a person's
 * token holding `grant`; `public`: anyone who reaches the port; `metrics`: the METRICS_TOKEN bearer when
 * one is set; `signature`: a signed request (webhook or game), checked by the route's own middleware or
 * handler — `scheme` names it in the document; `session`: a dashboard access token (JWT) as the bearer;
 * `cookie`: the dashboard's refresh cookie with the CSRF header. The last two are checked by the route's
 * own `before` middleware (api/dashboard-auth/routes.ts).
 */
export type Access =
  | { kind: 'guild'; level: PermissionLevel; grant?: GrantName }
  | { kind: 'public' }
  | { kind: 'metrics' }
  | { kind: 'signature'; scheme: 'midtransSignature' | 'robloxGameSignature' | 'stripeSignature' }
  | { kind: 'session' }
  | { kind: 'cookie' };

/** One answer a route gives itself (thrown errors are the shared error body, see api/errors.ts). */
export interface ResponseSpec {
  description: string;
  /** The body as JSON on the wire (dates as ISO strings); absent: no body. */
  schema?: ZodType;
  /** Default application/json; text/csv, text/plain, text/event-stream… (or several) are described, not parsed. */
  contentType?: string | readonly string[];
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
type Parsed<S> = S extends ZodType ? z.output<S> : undefined;
export type RouteState = AuthState & { log: Logger; requestId?: string };
export type RouteContext = RouterContext<RouteState>;

export interface RouteSpec<P extends ZodType | undefined = ZodType | undefined, Q extends ZodType | undefined = ZodType | undefined, B extends ZodType | undefined = ZodType | undefined> {
  method: Method;
  /** Relative to the router's prefix, in Koa's syntax (`/items/:itemId`). */
  path: string;
  summary: string;
  description?: string;
  /** The feature it belongs to (the document's tag). */
  tag: string;
  access: Access;
  /** Path parameters (the prefix's :guildId is added to the document by itself). */
  params?: P;
  query?: Q;
  /** A JSON body: read with readJsonBody (415 when not JSON) and parsed, after params and query. */
  body?: B;
  /** The most a JSON body may be (default readJsonBody's 1 MiB). */
  bodyLimitBytes?: number;
  /**
   * A JSON body a service checks itself (shared with the bot, with its own messages): read here (415 when
   * not JSON), handed to the handler as `json`, and documented with this schema.
   */
  jsonBody?: ZodType;
  /** A body the handler reads itself (signed requests need the raw bytes): documented only. */
  rawBody?: { contentType: string; schema: ZodType; description?: string; required?: boolean };
  /** Extra middleware run after the access check (signature checks, rate limits). */
  before?: Middleware[];
  responses: Record<number, ResponseSpec>;
  handler: (ctx: RouteContext, input: { params: Parsed<P>; query: Parsed<Q>; body: Parsed<B>; json: unknown }) => Promise<void> | void;
}

/** A route as mounted: its spec and the full Koa path (prefix included). */
export interface MountedRoute {
  spec: RouteSpec;
  fullPath: string;
}

/** Keeps the spec's types for the handler (identity at runtime). */
export function route<P extends ZodType | undefined = undefined, Q extends ZodType | undefined = undefined, B extends ZodType | undefined = undefined>(spec: RouteSpec<P, Q, B>): RouteSpec {
  return spec as unknown as RouteSpec;
}

const mounted = new WeakMap<object, MountedRoute[]>();

/** The routes a router built by routerOf describes (none for any other router). */
export function describedRoutes(router: object): readonly MountedRoute[] {
  return mounted.get(router) ?? [];
}

/** Test runs set this so every response is checked against its declaration (test/setup). */
const CHECK_ENV = 'GUILDFLOW_CHECK_RESPONSES';

/**
 * A feature's router from its route specs: each gets its access check, its input parsed in the order
 * params, query, body (so the first bad part is the one named, as before), and — when response checking
 * is on — its answer checked against the declared responses.
 */
export function routerOf(prefix: string | undefined, deps: Pick<RouteDeps, 'prisma' | 'checkResponses'>, specs: readonly RouteSpec[]): Router<RouteState> {
  const router = new Router<RouteState>(prefix ? { prefix } : {});
  const check = deps.checkResponses ?? process.env[CHECK_ENV] === '1';
  const routes: MountedRoute[] = [];
  for (const spec of specs) {
    const guard: Middleware[] = spec.access.kind === 'guild' ? [requireGuildToken(deps.prisma, spec.access.level, spec.access.grant)] : [];
    const handle = async (ctx: RouteContext) => {
      const params = spec.params ? spec.params.parse(ctx.params) : undefined;
      const query = spec.query ? spec.query.parse(ctx.query) : undefined;
      const body = spec.body ? spec.body.parse(await readJsonBody(ctx, spec.bodyLimitBytes)) : undefined;
      const json = spec.jsonBody ? await readJsonBody(ctx, spec.bodyLimitBytes) : undefined;
      await spec.handler(ctx, { params, query, body, json } as Parameters<RouteSpec['handler']>[1]);
      if (check) checkResponse(ctx, spec, `${spec.method.toUpperCase()} ${fullPathOf(router)}`);
    };
    router.register(spec.path, [spec.method], [...guard, ...(spec.before ?? []), handle] as Middleware[]);
    routes.push({ spec, fullPath: fullPathOf(router) });
  }
  mounted.set(router, routes);
  return router;
}

function fullPathOf(router: Router<RouteState>): string {
  return router.stack[router.stack.length - 1]!.path as string;
}

/** Raised when a route answers what it did not declare: a 500, and the log names route and issue. */
class ResponseMismatchError extends Error {}

function checkResponse(ctx: RouteContext, spec: RouteSpec, name: string): void {
  const declared = spec.responses[ctx.status];
  const fail = (problem: string) => {
    ctx.state.log.error({ route: name, status: ctx.status, problem }, 'response does not match its declaration');
    throw new ResponseMismatchError(`${name} answered ${ctx.status}: ${problem}`);
  };
  if (!declared) return fail(`status ${ctx.status} is not declared (declared: ${Object.keys(spec.responses).join(', ')})`);
  const body: unknown = ctx.body;
  if (!declared.schema) {
    if (body !== undefined && body !== null) fail('a body where none is declared');
    return;
  }
  const types = [declared.contentType ?? 'application/json'].flat();
  if (body instanceof Stream || typeof body === 'string' || Buffer.isBuffer(body)) {
    // Streams (server-sent events, exports) are described, not read; text must match its schema.
    if (!types.some((t) => ctx.response.type === t.split(';')[0])) fail(`content type ${ctx.response.type || 'none'}, declared ${types.join(' or ')}`);
    if (typeof body === 'string' && !declared.schema.safeParse(body).success) fail(`the ${ctx.response.type} body does not match`);
    return;
  }
  if (!types.includes('application/json')) fail(`a JSON body, declared ${types.join(' or ')}`);
  // Checked as the client receives it: dates as strings, undefined fields gone.
  const wire: unknown = body === undefined ? undefined : JSON.parse(JSON.stringify(body));
  const result = declared.schema.safeParse(wire);
  if (!result.success) fail(z.prettifyError(result.error).replace(/\n/g, ' '));
}
