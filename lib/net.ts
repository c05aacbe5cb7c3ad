import net from 'node:net';
import { waitFor } from './wait';

/** A port from [min, max] that was free a moment ago (random tries), for a program that cannot take just any port. */
export async function freePortInRange(min: number, max: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const port = min + Math.floor(Math.random() * (max - min + 1));
    const free = await new Promise<boolean>((resolve) => {
      const server = net.createServer();
      server.unref();
      server.once('error', () => resolve(false));
      server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port found between ${min} and ${max} on ${host}`);
}

/**
 * A port that was free a moment ago: the OS picks one for port 0, we read it and close. Another process
 * can take it before the caller binds it, so callers that can retry on "address in use" should.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host, port: 0, exclusive: true }, () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : undefined;
      server.close(() => (port === undefined ? reject(new Error(`no port read from ${String(address)}`)) : resolve(port)));
    });
  });
}

/** Resolves true when a TCP connection to host:port succeeds, false when it is refused or times out. */
export function canConnect(host: string, port: number, timeoutMs = 1_000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export function waitForPort(
  port: number,
  { host = '127.0.0.1', timeoutMs = 30_000, intervalMs = 100, signal }: { host?: string; timeoutMs?: number; intervalMs?: number; signal?: AbortSignal } = {},
): Promise<true> {
  return waitFor(() => canConnect(host, port), { timeoutMs, intervalMs, signal, what: `${host}:${port} to accept connections` });
}
