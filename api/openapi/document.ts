import type Koa from 'koa';
import { z } from 'zod';
import { createDocument, type ZodOpenApiObject, type ZodOpenApiOperationObject, type ZodOpenApiPathsObject, type ZodOpenApiResponsesObject } from 'zod-openapi';
import { describedRoutes, type MountedRoute } from './route';
import { errorBody } from './schemas';

type OpenApiDocument = ReturnType<typeof createDocument>;

/** Koa's `/a/:b` as OpenAPI's `/a/{b}`. */
export function openApiPath(koaPath: string): string {
  return koaPath.replace(/:(\w+)/g, '{$1}');
}

/** Every route the app mounts through routerOf, in mounting order (the routers hang off their dispatch middleware). */
export function mountedRoutes(app: Koa): MountedRoute[] {
  return app.middleware.flatMap((mw) => {
    const router = (mw as { router?: object }).router;
    return router ? describedRoutes(router) : [];
  });
}

const ERRORS: Record<number, string> = {
  400: 'Invalid input: the message names the fields.',
  401: 'No valid token.',
  403: 'The token may not do this.',
  503: 'A dependency (Discord, Temporal, dashboard sessions) cannot answer now.',
};

function errorResponse(description: string) {
  return { description, content: { 'application/json': { schema: errorBody } } };
}

function securityOf(access: MountedRoute['spec']['access']): Record<string, string[]>[] {
  switch (access.kind) {
    case 'guild':
      return [{ apiToken: [] }, { session: [] }];
    case 'metrics':
      return [{ metricsToken: [] }, {}];
    case 'signature':
      return [{ [access.scheme]: [] }];
    case 'session':
      return [{ session: [] }];
    case 'cookie':
      return [{ refreshCookie: [], csrfHeader: [] }];
    case 'public':
      return [];
  }
}

function operationOf({ spec, fullPath }: MountedRoute): ZodOpenApiOperationObject {
  const responses: ZodOpenApiResponsesObject = {};
  for (const [status, r] of Object.entries(spec.responses)) {
    responses[status as `${1 | 2 | 3 | 4 | 5}${string}`] = r.schema ? { description: r.description, content: Object.fromEntries([r.contentType ?? 'application/json'].flat().map((type) => [type, { schema: r.schema! }])) } : { description: r.description };
  }
  const thrown = [...(spec.params || spec.query || spec.body || spec.jsonBody || spec.rawBody ? [400] : []), ...(spec.access.kind === 'guild' ? [401, 403, 503] : []), ...(spec.access.kind === 'metrics' || spec.access.kind === 'signature' ? [401] : []), ...(spec.access.kind === 'session' ? [401, 503] : []), ...(spec.access.kind === 'cookie' ? [401, 403, 503] : [])];
  for (const status of thrown) responses[String(status) as `4${string}`] ??= errorResponse(ERRORS[status]!);
  responses.default = errorResponse('Any other failure, in the one error body.');

  // Every name the path template has is a path parameter; the prefix's (guildId) are plain strings.
  const names = [...fullPath.matchAll(/:(\w+)/g)].map((m) => m[1]!);
  const declared = (spec.params as z.ZodObject | undefined)?.shape ?? {};
  const path = z.object(Object.fromEntries(names.map((n) => [n, declared[n] ?? z.string()])));
  const access = spec.access;
  return {
    operationId: `${spec.method}${fullPath.replace(/[:/.{}-]+(\w)?/g, (_, c: string | undefined) => (c ?? '').toUpperCase())}`,
    summary: spec.summary,
    ...(spec.description ? { description: spec.description } : {}),
    tags: [spec.tag],
    security: securityOf(access),
    'x-guildflow-access': access,
    requestParams: { ...(names.length ? { path } : {}), ...(spec.query ? { query: spec.query as z.ZodObject } : {}) },
    ...(spec.body ? { requestBody: { required: true, content: { 'application/json': { schema: spec.body } } } } : {}),
    ...(spec.jsonBody ? { requestBody: { required: true, content: { 'application/json': { schema: spec.jsonBody } } } } : {}),
    ...(spec.rawBody ? { requestBody: { required: spec.rawBody.required ?? true, description: spec.rawBody.description, content: { [spec.rawBody.contentType]: { schema: spec.rawBody.schema } } } } : {}),
    responses,
  };
}

/** The OpenAPI 3.1 document of every route the app serves. */
export function buildDocument(app: Koa): OpenApiDocument {
  const paths: ZodOpenApiPathsObject = {};
  const tags = new Set<string>();
  for (const r of mountedRoutes(app)) {
    const item = (paths[openApiPath(r.fullPath)] ??= {});
    item[r.spec.method] = operationOf(r);
    tags.add(r.spec.tag);
  }
  const doc: ZodOpenApiObject = {
    openapi: '3.1.0',
    info: {
      title: 'Guildflow API',
      version: '1',
      description: 'The dashboard API of a Guildflow community. Guild routes take a guild API token (or a dashboard session) as `Authorization: Bearer …`; every failure answers `{ error: { code, message, details? } }`.',
    },
    tags: [...tags].map((name) => ({ name })),
    components: {
      securitySchemes: {
        apiToken: { type: 'http', scheme: 'bearer', description: 'A guild API token (npm run token:create, or POST /api/guilds/{guildId}/api-tokens).' },
        session: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A dashboard session token (JWT) for the signed-in member.' },
        refreshCookie: { type: 'apiKey', in: 'cookie', name: 'gf_refresh', description: 'The dashboard session cookie (HttpOnly, SameSite=Strict) set by the login callback and each refresh.' },
        csrfHeader: { type: 'apiKey', in: 'header', name: 'X-Guildflow-CSRF', description: 'Must be `1`: a browser sends this header only from the dashboard itself (CORS), never from a cross-site form.' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when the process has one (otherwise /metrics is open).' },
        midtransSignature: { type: 'apiKey', in: 'header', name: 'x-midtrans-signature', description: 'Midtrans notifications carry signature_key (SHA-512 of order id, status code, gross amount and the server key) in the body; checked before anything is read.' },
        robloxGameSignature: { type: 'apiKey', in: 'header', name: 'x-guildflow-signature', description: 'A registered Roblox game signs each request with its secret (HMAC over method, path, timestamp and body).' },
        stripeSignature: { type: 'apiKey', in: 'header', name: 'Stripe-Signature', description: 'Stripe signs each event: t=<timestamp>,v1=<HMAC-SHA256 of "t.body" with STRIPE_WEBHOOK_SECRET>; checked over the raw body (within 300 s) before anything is recorded, else 400.' },
      },
    },
    paths,
  };
  return createDocument(doc);
}

const documents = new WeakMap<Koa, OpenApiDocument>();

/** The app's document, built once (routes do not change once mounted). */
export function documentOf(app: Koa): OpenApiDocument {
  let doc = documents.get(app);
  if (!doc) documents.set(app, (doc = buildDocument(app)));
  return doc;
}
