import http from 'node:http';
import { type AddressInfo } from 'node:net';

/**
 * A tiny HTTP server a test points a fake at (a webhook stand-in): it records every request with its raw
 * body and answers with whatever the test's responder returns (200 by default).
 */
export interface ReceivedRequest {
  method: string;
  /** Path and query string as sent. */
  url: string;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
  at: Date;
}

export type Responder = (req: ReceivedRequest) => { status: number; json?: unknown } | Promise<{ status: number; json?: unknown }>;

export interface HttpReceiver {
  url: string;
  received: ReceivedRequest[];
  respondWith(responder: Responder): void;
  close(): Promise<void>;
}

export async function startHttpReceiver(responder: Responder = () => ({ status: 200 })): Promise<HttpReceiver> {
  let respond = responder;
  const received: ReceivedRequest[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      void (async () => {
        const raw = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch {
          json = undefined;
        }
        const request: ReceivedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, raw, json, at: new Date() };
        received.push(request);
        let answer: { status: number; json?: unknown };
        try {
          answer = await respond(request);
        } catch (err) {
          answer = { status: 500, json: { error: err instanceof Error ? err.message : String(err) } };
        }
        res.writeHead(answer.status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(answer.json ?? {}));
      })();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    respondWith: (next) => {
      respond = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
