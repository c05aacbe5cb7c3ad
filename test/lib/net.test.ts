import net from 'node:net';
import { canConnect, freePort, waitForPort } from '../../lib/net';

describe('freePort / waitForPort', () => {
  it('returns a port that can then be listened on, and waitForPort sees it', async () => {
    const port = await freePort();
    expect(await canConnect('127.0.0.1', port)).toBe(false);
    const server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      await expect(waitForPort(port, { timeoutMs: 5_000 })).resolves.toBe(true);
    } finally {
      server.close();
    }
  });

  it('times out naming the address', async () => {
    const port = await freePort();
    await expect(waitForPort(port, { timeoutMs: 100, intervalMs: 20 })).rejects.toThrow(`waiting for 127.0.0.1:${port} to accept connections`);
  });
});
