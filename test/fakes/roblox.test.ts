import { waitFor } from '../../lib/wait';
import { httpRequest } from './http-fake';
import { type FakeRoblox, startFakeRoblox } from './roblox';

describe('fake Roblox', () => {
  let roblox: FakeRoblox;
  beforeEach(async () => {
    roblox = await startFakeRoblox();
  });
  afterEach(() => roblox.close());

  const lookup = (usernames: unknown, excludeBannedUsers = false) =>
    httpRequest(`${roblox.url}/v1/usernames/users`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ usernames, excludeBannedUsers }),
    });

  it('looks usernames up case-insensitively, in Roblox’s shape, leaving unknown names out', async () => {
    const alice = roblox.addUser({ name: 'AliceBuilds', displayName: 'Alice', hasVerifiedBadge: true });
    const bob = roblox.addUser({ name: 'bob_42' });
    const res = await lookup(['alicebuilds', 'BOB_42', 'nobody_here']);
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      data: [
        { requestedUsername: 'alicebuilds', hasVerifiedBadge: true, id: alice.id, name: 'AliceBuilds', displayName: 'Alice' },
        { requestedUsername: 'BOB_42', hasVerifiedBadge: false, id: bob.id, name: 'bob_42', displayName: 'bob_42' },
      ],
    });
    expect(Number.isSafeInteger(alice.id) && alice.id !== bob.id).toBe(true);
  });

  it('excludes banned users only when asked to', async () => {
    const banned = roblox.addUser({ name: 'Rulebreaker', isBanned: true });
    expect((await lookup(['Rulebreaker'], true)).json).toEqual({ data: [] });
    expect((await lookup(['Rulebreaker'], false)).json).toEqual({ data: [expect.objectContaining({ id: banned.id })] });
    roblox.setBanned(banned.id, false);
    expect((await lookup(['Rulebreaker'], true)).json).toEqual({ data: [expect.objectContaining({ id: banned.id })] });
  });

  it('refuses more than 100 usernames with Roblox’s error envelope', async () => {
    const res = await lookup(Array.from({ length: 101 }, (_, i) => `user${i}`));
    expect(res.status).toBe(400);
    expect(res.json).toEqual({ errors: [expect.objectContaining({ code: 2, message: 'Too many usernames.' })] });
    expect((await lookup('not-an-array')).status).toBe(400);
  });

  it('returns user details with the current profile description', async () => {
    const user = roblox.addUser({ name: 'Verifier', displayName: 'Vee', description: 'hello', created: '2015-03-04T05:06:07.000Z' });
    const get = () => httpRequest(`${roblox.url}/v1/users/${user.id}`);
    const first = await get();
    expect(first.status).toBe(200);
    expect(first.json).toEqual({
      description: 'hello',
      created: '2015-03-04T05:06:07.000Z',
      isBanned: false,
      externalAppDisplayName: null,
      hasVerifiedBadge: false,
      id: user.id,
      name: 'Verifier',
      displayName: 'Vee',
    });
    expect(Object.keys(first.json as object)).toEqual(['description', 'created', 'isBanned', 'externalAppDisplayName', 'hasVerifiedBadge', 'id', 'name', 'displayName']);
    roblox.setDescription(user.id, 'my code is gf-1234');
    roblox.setBanned(user.id, true);
    expect((await get()).json).toMatchObject({ description: 'my code is gf-1234', isBanned: true });
  });

  it('answers an unknown user id with 404 and Roblox’s error shape', async () => {
    for (const id of ['999', 'abc']) {
      const res = await httpRequest(`${roblox.url}/v1/users/${id}`);
      expect(res.status).toBe(404);
      expect(res.json).toEqual({ errors: [expect.objectContaining({ code: 3, message: 'The user id is invalid.' })] });
    }
  });

  it('serves headshots: Completed with a fetchable PNG, Blocked for banned users, Error for unknown ids', async () => {
    const ok = roblox.addUser({ name: 'Pictured' });
    const banned = roblox.addUser({ name: 'Hidden', isBanned: true });
    const res = await httpRequest(`${roblox.url}/v1/users/avatar-headshot?userIds=${ok.id},${banned.id},7&size=150x150&format=Png&isCircular=false`);
    expect(res.status).toBe(200);
    const data = (res.json as { data: { targetId: number; state: string; imageUrl: string | null; version: string }[] }).data;
    expect(data).toEqual([
      { targetId: ok.id, state: 'Completed', imageUrl: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\//), version: 'TN3' },
      { targetId: banned.id, state: 'Blocked', imageUrl: null, version: 'TN3' },
      { targetId: 7, state: 'Error', imageUrl: null, version: 'TN3' },
    ]);
    const image = await httpRequest(data[0]!.imageUrl!);
    expect(image.headers['content-type']).toBe('image/png');
    expect(image.body.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const badSize = await httpRequest(`${roblox.url}/v1/users/avatar-headshot?userIds=${ok.id}&size=123x123&format=Png`);
    expect(badSize.status).toBe(400);
  });

  it('injects a 429 in Roblox’s shape for the given number of requests, then answers normally', async () => {
    const user = roblox.addUser({ name: 'Throttled' });
    roblox.inject({ route: /^\/v1\/users\/\d+/, status: 429, times: 1 });
    const first = await httpRequest(`${roblox.url}/v1/users/${user.id}`);
    expect(first.status).toBe(429);
    expect(first.json).toEqual({ errors: [{ code: 0, message: 'Too many requests' }] });
    // Other routes are untouched by the rule.
    expect((await lookup(['Throttled'])).status).toBe(200);
    const second = await httpRequest(`${roblox.url}/v1/users/${user.id}`);
    expect(second.status).toBe(200);
    expect(roblox.requests().map((r) => [r.method, r.path, r.status])).toEqual([
      ['GET', `/v1/users/${user.id}`, 429],
      ['POST', '/v1/usernames/users', 200],
      ['GET', `/v1/users/${user.id}`, 200],
    ]);
    expect(roblox.requests()[0]).toMatchObject({ fault: 429, at: expect.any(Date) });
  });

  it('keeps failing without `times` until the faults are cleared; 500 and 503 too', async () => {
    roblox.inject({ route: /usernames/, status: 503 });
    expect((await lookup(['x'])).status).toBe(503);
    expect((await lookup(['x'])).status).toBe(503);
    roblox.clearFaults();
    roblox.inject({ route: /usernames/, status: 500, method: 'GET' });
    expect((await lookup(['x'])).status).toBe(200); // the rule is for GET only
    roblox.clearFaults();
    roblox.inject({ route: /usernames/, status: 500 });
    expect((await lookup(['x'])).json).toEqual({ errors: [{ code: 0, message: 'InternalServerError' }] });
  });

  it('delays answers on the routes given latency, and only those', async () => {
    const user = roblox.addUser({ name: 'Slowpoke' });
    roblox.setLatency(300, /^\/v1\/users\/\d+/);
    const slowStart = performance.now();
    expect((await httpRequest(`${roblox.url}/v1/users/${user.id}`)).status).toBe(200);
    expect(performance.now() - slowStart).toBeGreaterThanOrEqual(290);
    // A client with a shorter timeout gives up, as a production client's deadline would.
    await expect(httpRequest(`${roblox.url}/v1/users/${user.id}`, { timeoutMs: 50 })).rejects.toThrow(/within 50 ms/);
    const held = await waitFor(() => {
      const both = roblox.requests().filter((r) => r.path === `/v1/users/${user.id}`);
      return both.length === 2 ? both : null;
    }, { timeoutMs: 5000, what: 'the abandoned request to be answered' });
    expect(held.map((r) => r.delayedMs)).toEqual([300, 300]);
    // Which answers were held is read from the fake's log, not from the clock: a loaded machine is slow
    // for every request alike.
    const delayOf = (since: number) => roblox.requests().slice(since).map((r) => `${r.method} ${r.path.split('?')[0]} ${r.delayedMs}`);
    let since = roblox.requests().length;
    await lookup(['Slowpoke']);
    expect(delayOf(since)).toEqual(['POST /v1/usernames/users 0']);
    roblox.clearFaults();
    since = roblox.requests().length;
    await httpRequest(`${roblox.url}/v1/users/${user.id}`);
    expect(delayOf(since)).toEqual([`GET /v1/users/${user.id} 0`]);
  });

  it('closes promptly even with a request stuck in latency', async () => {
    roblox.setLatency(60_000);
    const stuck = httpRequest(`${roblox.url}/v1/users/1`);
    stuck.catch(() => undefined); // asserted below
    await waitFor(() => roblox.inFlight() === 1, { timeoutMs: 5_000, intervalMs: 10, what: 'the request to reach the fake' });
    await roblox.close();
    await expect(stuck).rejects.toThrow(/socket hang up|ECONNRESET/);
  });
});
