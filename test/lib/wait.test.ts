import { waitFor } from '../../lib/wait';

describe('waitFor', () => {
  it('returns the first truthy value of the probe, retrying through errors', async () => {
    let calls = 0;
    const value = await waitFor(
      () => {
        calls += 1;
        if (calls === 1) throw new Error('not yet');
        return calls === 3 ? { ready: true } : undefined;
      },
      { timeoutMs: 5_000, intervalMs: 1, what: 'the third call' },
    );
    expect(value).toEqual({ ready: true });
    expect(calls).toBe(3);
  });

  it('names what it waited for and the last error when it times out', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 50, intervalMs: 10, what: 'the frontend at 127.0.0.1:1' },
      ),
    ).rejects.toThrow('Timed out after 50 ms waiting for the frontend at 127.0.0.1:1 (last error: connection refused)');
  });

  it('stops early when its signal aborts', async () => {
    const controller = new AbortController();
    const waiting = waitFor(() => false, { timeoutMs: 60_000, intervalMs: 10, what: 'never', signal: controller.signal });
    controller.abort(new Error('server exited'));
    await expect(waiting).rejects.toThrow('server exited');
  });
});
