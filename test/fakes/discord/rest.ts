import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Core, RouteContext, RouteDef, RouteResult } from './core';
import { DiscordHttpError, invalidJson, methodNotAllowed, missingPermissions, notFound, unauthorized } from './errors';
import type { CannedResponse } from './faults';
import type { PendingRequestRecord } from './types';
import type { UploadedFile } from './validate';

const API_PREFIX = '/api/v10';

interface Matched {
  def: RouteDef;
  params: Record<string, string>;
}

/** Matches a decoded path against route patterns; `methodMismatch` tells 405 from 404. */
function match(routes: RouteDef[], method: string, segments: string[]): Matched | { methodMismatch: boolean } {
  let methodMismatch = false;
  for (const def of routes) {
    const pattern = def.pattern.split('/').slice(1);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const fits = pattern.every((p, i) => {
      const seg = segments[i] ?? '';
      if (p.startsWith(':')) {
        params[p.slice(1)] = seg;
        return seg.length > 0;
      }
      return p === seg;
    });
    if (!fits) continue;
    if (def.method === method) return { def, params };
    methodMismatch = true;
  }
  return { methodMismatch };
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Parses a JSON or multipart/form-data body. Multipart is what @discordjs/rest sends with files:
 * `payload_json` plus `files[n]` parts; undici's own FormData parser (via Response) reads it.
 */
async function parseBody(req: IncomingMessage, raw: Buffer): Promise<{ body: unknown; files: UploadedFile[] }> {
  const type = req.headers['content-type'] ?? '';
  if (!raw.length) return { body: undefined, files: [] };
  if (type.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': type } }).formData();
    let body: unknown = {};
    const files: UploadedFile[] = [];
    for (const [field, value] of form) {
      if (typeof value === 'string') {
        if (field === 'payload_json') {
          try {
            body = JSON.parse(value);
          } catch {
            throw invalidJson();
          }
        }
        continue;
      }
      files.push({ field, filename: value.name, contentType: value.type || 'application/octet-stream', data: Buffer.from(await value.arrayBuffer()) });
    }
    return { body, files };
  }
  try {
    return { body: JSON.parse(raw.toString('utf8')), files: [] };
  } catch {
    throw invalidJson();
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text).toString(), ...headers });
  res.end(text);
}

function sendCanned(res: ServerResponse, canned: CannedResponse): void {
  res.writeHead(canned.status, { ...canned.headers, 'content-length': Buffer.byteLength(canned.body).toString() });
  res.end(canned.body);
}

/** Which guild and channel a request is about, for permission-denial rules. */
function scopeOf(core: Core, params: Record<string, string>): { guildId?: string; channelId?: string } {
  const scope: { guildId?: string; channelId?: string } = {};
  if (params.channelId) {
    scope.channelId = params.channelId;
    const guildId = core.state.channels.get(params.channelId)?.guildId;
    if (guildId) scope.guildId = guildId;
  }
  if (params.guildId) scope.guildId = params.guildId;
  return scope;
}

/**
 * The REST pipeline, in Discord's order: route lookup, authentication, (simulated) latency, injected
 * rate limits and 5xx, permission denials, then the handler. Every request is recorded.
 */
export function createRestHandler(core: Core, routes: RouteDef[], signal: AbortSignal) {
  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = performance.now();
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', core.origin);
    let route = url.pathname;
    let status = 500;
    let code: number | undefined;
    let recordedBody: unknown;
    const reasonHeader = req.headers['x-audit-log-reason'];
    const reason = typeof reasonHeader === 'string' ? decodeURIComponent(reasonHeader) : undefined;
    let pending: PendingRequestRecord | undefined;
    try {
      if (method === 'GET' && url.pathname.startsWith('/attachments/')) {
        status = serveAttachment(core, url.pathname, res);
        return;
      }
      if (!url.pathname.startsWith(`${API_PREFIX}/`)) throw notFound();
      // Discord's router sees decoded segments: %40original is @original.
      const segments = url.pathname.slice(API_PREFIX.length).split('/').slice(1).map((s) => decodeURIComponent(s));
      route = `/${segments.join('/')}`;
      const raw = await readBody(req);
      const found = match(routes, method, segments);
      if (!('def' in found)) throw found.methodMismatch ? methodNotAllowed() : notFound();
      const { def, params } = found;
      const auth = req.headers.authorization;
      if (def.auth ? auth !== `Bot ${core.token}` : auth !== undefined && auth !== `Bot ${core.token}`) throw unauthorized();
      pending = { method, route, at: Date.now() };
      core.pending.add(pending);
      const latency = core.faults.latencyFor(route);
      if (latency > 0) await sleep(latency, undefined, { signal });
      const canned = core.faults.takeInjected(method, route);
      if (canned) {
        status = canned.status;
        sendCanned(res, canned);
        return;
      }
      const { body, files } = await parseBody(req, raw);
      recordedBody = body;
      if (core.faults.denied({ method, route, authenticated: def.auth, ...scopeOf(core, params) })) throw missingPermissions();
      const ctx: RouteContext = { method, route, params, query: url.searchParams, body, files, ...(reason ? { reason } : {}) };
      const result: RouteResult = await def.handler(ctx);
      status = result.status;
      send(res, result.status, result.body, result.headers);
    } catch (err) {
      if (signal.aborted) {
        res.destroy();
        return;
      }
      const error = err instanceof DiscordHttpError ? err : new DiscordHttpError(500, 0, '500: Internal Server Error');
      if (!(err instanceof DiscordHttpError)) core.internalErrors.push(err);
      status = error.status;
      code = error.code || undefined;
      send(res, error.status, error.toJSON());
    } finally {
      if (pending) core.pending.delete(pending);
      core.requests.push({
        method,
        route,
        query: url.search,
        status,
        ...(code !== undefined ? { code } : {}),
        ...(recordedBody !== undefined ? { body: recordedBody } : {}),
        ...(reason ? { reason } : {}),
        at: Date.now(),
        durationMs: Math.round(performance.now() - started),
      });
    }
  };
}

/** Attachment URLs point back at the fake, so a bot (or test) can download what was uploaded. */
function serveAttachment(core: Core, pathname: string, res: ServerResponse): number {
  const [, , channelId, attachmentId] = pathname.split('/');
  for (const m of core.state.messages.values()) {
    if (m.channelId !== channelId) continue;
    const att = m.attachments.find((a) => a.id === attachmentId);
    if (att) {
      res.writeHead(200, { 'content-type': att.contentType, 'content-length': String(att.size) });
      res.end(att.data);
      return 200;
    }
  }
  res.writeHead(404, { 'content-type': 'text/plain' });
  res.end('Not Found');
  return 404;
}
