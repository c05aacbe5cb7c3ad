import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type Router from '@koa/router';
import { z } from 'zod';
import { createApp } from '../../api/app';
import { buildDocument, mountedRoutes, openApiPath } from '../../api/openapi/document';
import { route, routerOf } from '../../api/openapi/route';
import { createLogger } from '../../lib/logger';
import type { PrismaClient } from '../../prisma/client';

/**
 * The API's OpenAPI document (api/openapi/document.ts) is built from the same declarations that validate
 * requests and check responses: every route the app serves is in it, it is a well-formed OpenAPI 3.1
 * document, and an answer that does not match its declaration is caught. No database: nothing here
 * reaches one.
 */
const prisma = {} as PrismaClient;
const log = createLogger({ level: 'silent' });
const app = createApp({ prisma, log, readiness: [] });
const doc = buildDocument(app) as unknown as { openapi: string; info: { title: string; version: string }; paths: Record<string, Record<string, Operation>>; components: { schemas?: Record<string, unknown>; securitySchemes: Record<string, unknown> }; tags: { name: string }[] };
interface Operation {
  operationId: string;
  summary: string;
  tags: string[];
  security: Record<string, string[]>[];
  parameters?: { name: string; in: string; required?: boolean; schema: unknown }[];
  requestBody?: { content: Record<string, { schema: unknown }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
}

/** Every route layer of every router the app mounts, as the permission matrix reads them. */
function servedRoutes(): string[] {
  return app.middleware
    .map((mw) => (mw as { router?: Router }).router)
    .filter((r): r is Router => r !== undefined)
    .flatMap((router) => router.stack.flatMap((layer) => layer.methods.filter((m) => m !== 'HEAD').map((method) => `${method} ${openApiPath(layer.path as string)}`)));
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];

it('describes every route the app serves, with the same method and path, and nothing else', () => {
  const served = servedRoutes();
  const described = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`));
  expect(served.length).toBeGreaterThan(100);
  expect({ undescribed: served.filter((r) => !described.includes(r)) }).toEqual({ undescribed: [] });
  expect({ notServed: described.filter((r) => !served.includes(r)) }).toEqual({ notServed: [] });
  expect(new Set(served).size).toBe(served.length);
});

it('is a well-formed OpenAPI 3.1 document', () => {
  expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
  expect(doc.info).toMatchObject({ title: expect.any(String), version: expect.any(String) });
  const schemes = Object.keys(doc.components.securitySchemes);
  expect(schemes).toEqual(expect.arrayContaining(['apiToken', 'session', 'metricsToken']));
  const tags = new Set(doc.tags.map((t) => t.name));
  const ids = new Set<string>();
  const problems: string[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    if (!path.startsWith('/')) problems.push(`${path}: does not start with /`);
    const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.includes(method)) problems.push(`${where}: not an HTTP method`);
      if (!op.operationId || ids.has(op.operationId)) problems.push(`${where}: operationId missing or repeated (${op.operationId})`);
      ids.add(op.operationId);
      if (!op.summary) problems.push(`${where}: no summary`);
      if (op.tags.length !== 1 || !tags.has(op.tags[0]!)) problems.push(`${where}: its tag is not declared`);
      for (const requirement of op.security) for (const name of Object.keys(requirement)) if (!schemes.includes(name)) problems.push(`${where}: unknown security scheme ${name}`);
      // Every path template name is a required path parameter, and there is no other path parameter.
      const pathParams = (op.parameters ?? []).filter((p) => p.in === 'path');
      for (const name of templated) if (!pathParams.some((p) => p.name === name && p.required === true)) problems.push(`${where}: path parameter ${name} not declared as required`);
      for (const p of pathParams) if (!templated.includes(p.name)) problems.push(`${where}: path parameter ${p.name} is not in the path`);
      for (const p of op.parameters ?? []) if (!['path', 'query', 'header', 'cookie'].includes(p.in) || typeof p.schema !== 'object') problems.push(`${where}: bad parameter ${p.name}`);
      const statuses = Object.keys(op.responses);
      if (!statuses.some((s) => /^[23]\d\d$/.test(s))) problems.push(`${where}: no success response`);
      for (const [status, r] of Object.entries(op.responses)) {
        if (!/^([1-5]\d\d|default)$/.test(status)) problems.push(`${where}: bad status ${status}`);
        if (typeof r.description !== 'string') problems.push(`${where} ${status}: no description`);
      }
    }
  }
  // Every $ref points at a schema the document has.
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]!);
  for (const ref of new Set(refs)) if (!doc.components.schemas?.[ref]) problems.push(`$ref to a missing schema ${ref}`);
  expect(problems).toEqual([]);
  expect(doc.components.schemas?.Error).toBeDefined();
});

it('documents guild routes with their level, bodies with their schema and the shared error body', () => {
  const op = doc.paths['/api/guilds/{guildId}/shop/items']!.post!;
  expect(op.security).toEqual([{ apiToken: [] }, { session: [] }]);
  expect((op as unknown as { 'x-guildflow-access': unknown })['x-guildflow-access']).toEqual({ kind: 'guild', level: 'admin', grant: 'manage_shop' });
  expect(op.requestBody?.content['application/json']?.schema).toMatchObject({ type: 'object' });
  expect(op.responses['201']?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/ShopItem' });
  expect(op.responses['400']?.content?.['application/json']?.schema).toEqual({ $ref: '#/components/schemas/Error' });
  expect(doc.paths['/api/guilds/{guildId}/events']!.get!.responses['200']!.content).toHaveProperty('text/event-stream');
  expect(doc.paths['/api/guilds/{guildId}/ledger/entries.csv']!.get!.responses['200']!.content).toHaveProperty('text/csv');
  expect(mountedRoutes(app).length).toBe(servedRoutes().length);
});

describe('served', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((r) => server.close(r)));

  it('serves the document at /api/openapi.json and a script-free reference page at /api/docs', async () => {
    const res = await fetch(`${base}/api/openapi.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(doc)));
    const page = await fetch(`${base}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'");
    const html = await page.text();
    expect(html).not.toMatch(/<script|<link|style=/i);
    expect(html).toContain('POST /api/guilds/{guildId}/shop/items');
  });

  it('answers bad input as before: 400 invalid_input naming the field', async () => {
    // The token check runs first; an app whose routes need no token shows the input check alone.
    const probe = appWith(
      route({
        method: 'post',
        path: '/probe/:n',
        summary: 'A test route.',
        tag: 'test',
        access: { kind: 'public' },
        params: z.object({ n: z.coerce.number().int().min(1) }),
        body: z.object({ name: z.string().min(1) }).strict(),
        responses: { 200: { description: 'ok', schema: z.object({ ok: z.literal(true) }) } },
        handler: (ctx) => {
          ctx.body = { ok: true };
        },
      }),
    );
    expect(await call(probe, 'POST', '/probe/0', { name: 'a' })).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: 'n: Too small: expected number to be >=1' } } });
    expect(await call(probe, 'POST', '/probe/1', { name: '' })).toEqual({ status: 400, body: { error: { code: 'invalid_input', message: 'name: Too small: expected string to have >=1 characters' } } });
    expect(await call(probe, 'POST', '/probe/1', 'x', 'text/plain')).toMatchObject({ status: 415, body: { error: { code: 'unsupported_media_type' } } });
    expect(await call(probe, 'POST', '/probe/1', { name: 'a' })).toEqual({ status: 200, body: { ok: true } });
  });

  it('fails loudly (500, logged with route and issue) when a route answers what it did not declare', async () => {
    const logged: unknown[] = [];
    const spyLog = createLogger({ level: 'silent' });
    const wrong = appWith(
      route({
        method: 'get',
        path: '/wrong/:what',
        summary: 'A test route that answers what it did not declare.',
        tag: 'test',
        access: { kind: 'public' },
        params: z.object({ what: z.enum(['shape', 'status', 'fine']) }),
        responses: { 200: { description: 'ok', schema: z.object({ count: z.number().int() }) } },
        handler: (ctx, { params }) => {
          ctx.state.log = Object.assign(Object.create(ctx.state.log) as typeof ctx.state.log, { error: (obj: unknown) => logged.push(obj) });
          if (params.what === 'status') ctx.status = 202;
          ctx.body = { count: params.what === 'shape' ? 'three' : 3 };
        },
      }),
      spyLog,
    );
    expect(await call(wrong, 'GET', '/wrong/fine')).toEqual({ status: 200, body: { count: 3 } });
    expect(await call(wrong, 'GET', '/wrong/shape')).toMatchObject({ status: 500, body: { error: { code: 'internal' } } });
    // The mismatch's own line (the error middleware logs the 500 after it).
    const mismatches = () => logged.filter((o) => typeof o === 'object' && o !== null && 'route' in o);
    expect(mismatches()[0]).toMatchObject({ route: 'GET /wrong/:what', status: 200, problem: expect.stringContaining('count') });
    expect(await call(wrong, 'GET', '/wrong/status')).toMatchObject({ status: 500, body: { error: { code: 'internal' } } });
    expect(mismatches()[1]).toMatchObject({ route: 'GET /wrong/:what', status: 202, problem: expect.stringContaining('not declared') });
  });
});

/** A bare app with the error middleware and one test router built by routerOf, response checking on. */
function appWith(spec: ReturnType<typeof route>, logger = log) {
  const test = createApp({ prisma, log: logger, readiness: [] });
  const router = routerOf(undefined, { prisma, checkResponses: true }, [spec]);
  test.use(router.routes());
  return test;
}

async function call(target: ReturnType<typeof createApp>, method: string, path: string, body?: unknown, type = 'application/json') {
  const server = await new Promise<Server>((resolve) => {
    const s = target.listen(0, '127.0.0.1', () => resolve(s));
  });
  try {
    const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': type },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as unknown };
  } finally {
    await new Promise((r) => server.close(r));
  }
}
