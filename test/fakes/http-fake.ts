import http from 'node:http';
import https from 'node:https';
import { type AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';

/**
 * The plumbing the protocol fakes share: a node:http server on 127.0.0.1, fault injection, latency, a
 * request log, and a close() that leaves no socket or timer behind. Each fake supplies the routes and the
 * error bodies its real service uses.
 */

export type FaultStatus = 429 | 500 | 503;

export interface FaultRule {
  /** Tested against the request target as sent (path and query string), e.g. /^\/v1\/users\/\d+/. */
  route: RegExp;
  status: FaultStatus;
  /** Only requests with this method (any when omitted). */
  method?: string;
  /** How many matching requests fail; until clearFaults() when omitted. */
  times?: number;
}

export interface RequestLogEntry {
  method: string;
  /** Path and query string as sent. */
  path: string;
  status: number;
  at: Date;
  /** Set when the answer was an injected fault. */
  fault?: FaultStatus;
  /** The latency applied to this answer (setLatency), in ms; 0 when none. */
  delayedMs: number;
}

export interface FakeRequest {
  method: string;
  /** Path and query string as sent. */
  target: string;
  url: URL;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface FakeResponse {
  status: number;
  json?: unknown;
  body?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
}

export interface FaultControls {
  inject(rule: FaultRule): void;
  /** Delays answers by `ms`; with a route only matching requests (a matching route rule wins over the global one). 0 removes. */
  setLatency(ms: number, route?: RegExp): void;
  /** Removes injected faults and latency. */
  clearFaults(): void;
  requests(): RequestLogEntry[];
  /** Requests received and not yet answered (e.g. held by latency). */
  inFlight(): number;
}

export interface FakeServer extends FaultControls {
  url: string;
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 1024 * 1024;

function matches(route: RegExp, target: string): boolean {
  route.lastIndex = 0; // a /g or /y RegExp keeps state between test() calls
  return route.test(target);
}

function readBody(req: http.IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('request body too large'));
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, response: FakeResponse): void {
  const body = response.json !== undefined ? Buffer.from(JSON.stringify(response.json)) : (response.body ?? Buffer.alloc(0));
  const contentType = response.json !== undefined ? 'application/json; charset=utf-8' : (response.contentType ?? 'application/octet-stream');
  res.writeHead(response.status, { 'Content-Type': contentType, 'Content-Length': body.length, ...response.headers });
  res.end(body);
}

export async function startFakeServer({
  handle,
  faultResponse,
}: {
  handle: (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;
  /** The body the real service sends with this status. */
  faultResponse: (status: FaultStatus) => FakeResponse;
}): Promise<FakeServer> {
  const abort = new AbortController();
  const faults: FaultRule[] = [];
  const latencies: { ms: number; route?: RegExp }[] = [];
  const log: RequestLogEntry[] = [];
  let inFlight = 0;

  const latencyFor = (target: string): number => {
    const routed = [...latencies].reverse().find((l) => l.route && matches(l.route, target));
    return routed?.ms ?? latencies.find((l) => !l.route)?.ms ?? 0;
  };

  const takeFault = (method: string, target: string): FaultStatus | undefined => {
    const index = faults.findIndex((f) => (!f.method || f.method.toUpperCase() === method) && matches(f.route, target));
    const rule = faults[index];
    if (!rule) return undefined;
    if (rule.times !== undefined && --rule.times <= 0) faults.splice(index, 1);
    return rule.status;
  };

  const server = http.createServer((req, res) => {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    inFlight++;
    res.on('close', () => inFlight--);
    void (async () => {
      let response: FakeResponse;
      let fault: FaultStatus | undefined;
      let delayedMs = 0;
      try {
        const body = await readBody(req);
        delayedMs = latencyFor(target);
        if (delayedMs > 0) await delay(delayedMs, undefined, { signal: abort.signal });
        fault = takeFault(method, target);
        response = fault
          ? faultResponse(fault)
          : await handle({ method, target, url: new URL(target, 'http://127.0.0.1'), headers: req.headers, body });
      } catch (err) {
        if (abort.signal.aborted) return void res.destroy();
        // A bug in the fake shows up as a 500 naming it rather than as a hung request.
        response = { status: 500, json: { fakeError: err instanceof Error ? err.message : String(err) } };
      }
      log.push({ method, path: target, status: response.status, at: new Date(), delayedMs, ...(fault ? { fault } : {}) });
      send(res, response);
    })();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    inject: (rule) => {
      if (rule.times !== undefined && rule.times <= 0) return;
      faults.push({ ...rule });
    },
    setLatency: (ms, route) => {
      const index = latencies.findIndex((l) => (route ? l.route?.source === route.source && l.route.flags === route.flags : !l.route));
      if (index >= 0) latencies.splice(index, 1);
      if (ms > 0) latencies.push({ ms, route });
    },
    clearFaults: () => {
      faults.length = 0;
      latencies.length = 0;
    },
    requests: () => log.map((entry) => ({ ...entry })),
    inFlight: () => inFlight,
    close: () =>
      new Promise<void>((resolve) => {
        abort.abort();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface HttpResult {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

/**
 * One HTTP request without connection reuse (agent: false), so nothing stays open after the answer and
 * jest can exit. Used by the fakes for outgoing calls (notifications) and by tests as a client.
 */
export function httpRequest(
  url: string,
  {
    method = 'GET',
    headers = {},
    body,
    timeoutMs = 15_000,
    signal,
  }: { method?: string; headers?: Record<string, string>; body?: string | Buffer; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<HttpResult> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8');
    const request = (target.protocol === 'https:' ? https : http).request(
      target,
      {
        method,
        agent: false,
        signal,
        headers: { ...headers, ...(payload ? { 'Content-Length': String(payload.length) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const buffer = Buffer.concat(chunks);
          const text = buffer.toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: buffer, text, json });
        });
      },
    );
    request.setTimeout(timeoutMs, () => request.destroy(new Error(`no answer from ${method} ${url} within ${timeoutMs} ms`)));
    request.on('error', reject);
    request.end(payload);
  });
}
