import net from 'node:net';

/**
 * A TCP proxy that a test can cut and restore, to make a dependency (the database) unreachable for a
 * while as a network failure would. Given several targets it is a load balancer in front of them: each
 * new connection goes to the next target that accepts it (a Temporal cluster's frontends, one of them
 * killed).
 */
export interface TcpProxy {
  port: number;
  /** Drops every open connection and refuses new ones. */
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

type Target = { host: string; port: number };

export async function startTcpProxy(target: Target | Target[]): Promise<TcpProxy> {
  const targets = Array.isArray(target) ? target : [target];
  let next = 0;
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  let port = 0;

  const listen = () =>
    new Promise<void>((resolve, reject) => {
      server = net.createServer((client) => {
        sockets.add(client);
        client.on('close', () => sockets.delete(client));
        client.on('error', () => client.destroy());
        client.pause();
        const first = next++ % targets.length;
        const connect = (tried: number): void => {
          if (tried === targets.length || client.destroyed) return void client.destroy();
          const { host, port } = targets[(first + tried) % targets.length]!;
          const upstream = net.connect(port, host);
          upstream.once('error', () => connect(tried + 1));
          upstream.once('connect', () => {
            upstream.removeAllListeners('error');
            if (client.destroyed) return void upstream.destroy();
            sockets.add(upstream);
            upstream.on('close', () => sockets.delete(upstream));
            for (const s of [client, upstream]) s.on('error', () => (client.destroy(), upstream.destroy()));
            client.pipe(upstream).pipe(client);
            client.resume();
          });
        };
        connect(0);
      });
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        port = (server!.address() as net.AddressInfo).port;
        resolve();
      });
    });

  const cut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      if (!server) return resolve();
      server.close(() => resolve());
      server = undefined;
    });

  await listen();
  return { port, cut, restore: listen, close: cut };
}
