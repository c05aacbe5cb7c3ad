import net from 'node:net';

/**
 * A TCP proxy with a gate: while closed, what the client sends is held back from the server (and counted),
 * so a test can catch one process with a request in flight to a dependency that the test itself still
 * reaches directly. What was held is dropped, never delivered, when the client's connection ends.
 */
export interface GateProxy {
  /** `127.0.0.1:{port}`. */
  address: string;
  /** Holds back everything clients send from now on. */
  close(): void;
  /** Bytes clients sent since the gate closed. */
  heldBytes(): number;
  /** Drops every connection and stops listening. */
  stop(): Promise<void>;
}

export async function startGateProxy(target: { host: string; port: number }): Promise<GateProxy> {
  const sockets = new Set<net.Socket>();
  let gateClosed = false;
  let held = 0;
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => undefined);
    }
    client.on('data', (chunk: Buffer) => {
      if (gateClosed) held += chunk.length;
      else upstream.write(chunk);
    });
    upstream.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    address: `127.0.0.1:${port}`,
    close: () => void (gateClosed = true),
    heldBytes: () => held,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
