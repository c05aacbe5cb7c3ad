import { createHmac } from 'node:crypto';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import {
  GAME_SIGNATURE_HEADERS,
  canonicalString,
  signGameRequest,
  verifyGameSignature,
} from '../../../lib/roblox/game-signature';
import { createGameServerClient } from '../../fakes/game-server-client';

// The vector the Luau script's documentation repeats; computed independently below.
const VECTOR = {
  secret: 'gf-test-secret-0123456789',
  timestamp: 1_700_000_000,
  nonce: 'abcDEF0123456789_-xy',
  method: 'post',
  path: '/roblox/v1/withdrawals?serverId=abc',
  body: '{"itemId":"pet-42","quantity":1}',
};
const EXPECTED = '88e09166c2730861c6b28a1ff7d8e38517d695f75197095ae4ec24bfd2b3f858';
const NOW = new Date(VECTOR.timestamp * 1000);

const headersFor = (overrides: Record<string, string | undefined> = {}) => ({
  'x-guildflow-game': 'game-1',
  'x-guildflow-timestamp': String(VECTOR.timestamp),
  'x-guildflow-nonce': VECTOR.nonce,
  'x-guildflow-signature': EXPECTED,
  ...overrides,
});

const verify = (overrides: Partial<Parameters<typeof verifyGameSignature>[0]> = {}) =>
  verifyGameSignature({ secret: VECTOR.secret, method: 'POST', path: VECTOR.path, body: VECTOR.body, headers: headersFor(), now: NOW, ...overrides });

describe('game request signature: the test vector', () => {
  it('signs the documented canonical string with HMAC-SHA256, lowercase hex', () => {
    const canonical = '1700000000\nabcDEF0123456789_-xy\nPOST\n/roblox/v1/withdrawals?serverId=abc\n{"itemId":"pet-42","quantity":1}';
    expect(createHmac('sha256', VECTOR.secret).update(canonical).digest('hex')).toBe(EXPECTED);
    expect(canonicalString(VECTOR)).toBe(canonical);
    expect(signGameRequest(VECTOR)).toBe(EXPECTED);
    expect(signGameRequest({ ...VECTOR, timestamp: '1700000000', body: Buffer.from(VECTOR.body) })).toBe(EXPECTED);
  });

  it('signs an empty body as the empty string', () => {
    const expected = createHmac('sha256', 's3cret').update('1\nnonce-nonce-nonce\nGET\n/x\n').digest('hex');
    expect(signGameRequest({ secret: 's3cret', timestamp: 1, nonce: 'nonce-nonce-nonce', method: 'get', path: '/x' })).toBe(expected);
  });

  it('names its headers as documented', () => {
    expect(GAME_SIGNATURE_HEADERS).toEqual({
      game: 'X-Guildflow-Game',
      timestamp: 'X-Guildflow-Timestamp',
      nonce: 'X-Guildflow-Nonce',
      signature: 'X-Guildflow-Signature',
    });
  });
});

describe('verifyGameSignature', () => {
  it('accepts the genuine request, whatever the header names’ case', () => {
    expect(verify()).toEqual({ ok: true });
    const mixedCase = Object.fromEntries(Object.entries(headersFor()).map(([k, v]) => [k.toUpperCase(), v]));
    expect(verify({ headers: mixedCase })).toEqual({ ok: true });
  });

  it.each(['x-guildflow-game', 'x-guildflow-timestamp', 'x-guildflow-nonce', 'x-guildflow-signature'])('reports missing_headers without %s', (name) => {
    expect(verify({ headers: headersFor({ [name]: undefined }) })).toEqual({ ok: false, reason: 'missing_headers' });
    expect(verify({ headers: headersFor({ [name]: '' }) })).toEqual({ ok: false, reason: 'missing_headers' });
  });

  it('treats a repeated header as missing', () => {
    expect(verify({ headers: { ...headersFor(), 'x-guildflow-signature': [EXPECTED, EXPECTED] } })).toEqual({ ok: false, reason: 'missing_headers' });
  });

  it.each(['1.7e9', '-1700000000', '1700000000.5', 'now', ' 1700000000', '1234567890123'])('reports bad_timestamp for %p', (timestamp) => {
    expect(verify({ headers: headersFor({ 'x-guildflow-timestamp': timestamp }) })).toEqual({ ok: false, reason: 'bad_timestamp' });
  });

  it('accepts a clock skew up to the window in both directions and refuses one beyond it', () => {
    const at = (deltaSeconds: number) => new Date((VECTOR.timestamp + deltaSeconds) * 1000);
    expect(verify({ now: at(300) })).toEqual({ ok: true });
    expect(verify({ now: at(-300) })).toEqual({ ok: true });
    expect(verify({ now: at(301) })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verify({ now: at(-301) })).toEqual({ ok: false, reason: 'stale_timestamp' });
    expect(verify({ now: at(30), maxSkewSeconds: 10 })).toEqual({ ok: false, reason: 'stale_timestamp' });
  });

  it.each(['short-nonce', 'x'.repeat(65), 'has space 0123456789', 'has.dot.0123456789', 'ünïcode-0123456789'])('reports bad_nonce for %p', (nonce) => {
    expect(verify({ headers: headersFor({ 'x-guildflow-nonce': nonce }) })).toEqual({ ok: false, reason: 'bad_nonce' });
  });

  it.each([
    ['a flipped digit', { headers: headersFor({ 'x-guildflow-signature': `${EXPECTED.slice(0, -1)}9` }) }],
    ['upper-case hex', { headers: headersFor({ 'x-guildflow-signature': EXPECTED.toUpperCase() }) }],
    ['a short signature', { headers: headersFor({ 'x-guildflow-signature': EXPECTED.slice(0, 32) }) }],
    ['another nonce', { headers: headersFor({ 'x-guildflow-nonce': 'abcDEF0123456789_-xz' }) }],
    ['another timestamp', { headers: headersFor({ 'x-guildflow-timestamp': '1700000001' }) }],
    ['another body', { body: '{"itemId":"pet-42","quantity":9}' }],
    ['no body', { body: undefined }],
    ['another query string', { path: '/roblox/v1/withdrawals?serverId=abd' }],
    ['the query string dropped', { path: '/roblox/v1/withdrawals' }],
    ['another method', { method: 'PUT' }],
    ['another secret', { secret: 'gf-test-secret-012345678' }],
  ])('reports bad_signature for %s', (_what, overrides) => {
    expect(verify(overrides)).toEqual({ ok: false, reason: 'bad_signature' });
  });

  it('verifies the body as bytes', () => {
    expect(verify({ body: Buffer.from(VECTOR.body) })).toEqual({ ok: true });
    expect(verify({ body: Buffer.from(`${VECTOR.body} `) })).toEqual({ ok: false, reason: 'bad_signature' });
  });
});

/**
 * A stand-in for the game-server API: raw body first, then verifyGameSignature over req.method/req.url,
 * then the nonce check that is the server's job (a replay inside the window verifies fine on its own).
 */
async function startVerifyingServer(secret: string) {
  const seen = new Set<string>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const result = verifyGameSignature({ secret, method: req.method ?? '', path: req.url ?? '', body: raw, headers: req.headers });
      let status = 200;
      let json: unknown = { ok: true, method: req.method, path: req.url, body: raw.length ? (JSON.parse(raw.toString('utf8')) as unknown) : null };
      if (!result.ok) [status, json] = [401, { error: result.reason }];
      else {
        const nonce = String(req.headers['x-guildflow-nonce']);
        if (seen.has(nonce)) [status, json] = [409, { error: 'nonce_reused' }];
        seen.add(nonce);
      }
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(json));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('the game-server client against a verifying server', () => {
  const secret = 'per-game-secret-for-tests';
  let server: Awaited<ReturnType<typeof startVerifyingServer>>;
  beforeAll(async () => {
    server = await startVerifyingServer(secret);
  });
  afterAll(() => server.close());

  const client = (overrides: Partial<Parameters<typeof createGameServerClient>[0]> = {}) =>
    createGameServerClient({ baseUrl: server.url, gameId: 'game-1', secret, ...overrides });

  it('signs JSON bodies, query strings and body-less requests so that they verify', async () => {
    const c = client();
    await expect(c.request('POST', '/roblox/v1/withdrawals?serverId=abc', { itemId: 'pet-42', note: 'ünïcode ✓' })).resolves.toMatchObject({
      status: 200,
      json: { ok: true, method: 'POST', path: '/roblox/v1/withdrawals?serverId=abc', body: { itemId: 'pet-42', note: 'ünïcode ✓' } },
    });
    await expect(c.request('get', '/roblox/v1/withdrawals?serverId=abc&limit=5')).resolves.toMatchObject({ status: 200, json: { method: 'GET', body: null } });
    await expect(c.request('DELETE', '/roblox/v1/withdrawals/w-1', '{"raw":"string body sent as is"}')).resolves.toMatchObject({ status: 200 });
  });

  it('is refused for each tampering, with the reason', async () => {
    const c = client();
    await expect(c.request('POST', '/roblox/v1/deposits', { a: 1 }, { tamper: 'signature' })).resolves.toMatchObject({ status: 401, json: { error: 'bad_signature' } });
    await expect(c.request('POST', '/roblox/v1/deposits', { a: 1 }, { tamper: 'body' })).resolves.toMatchObject({ status: 401, json: { error: 'bad_signature' } });
    await expect(c.request('POST', '/roblox/v1/deposits', { a: 1 }, { tamper: 'timestamp-old' })).resolves.toMatchObject({ status: 401, json: { error: 'stale_timestamp' } });
    await expect(c.request('POST', '/roblox/v1/deposits', { a: 2 })).resolves.toMatchObject({ status: 200 });
    // A replayed nonce signs correctly; only the server's nonce memory refuses it.
    await expect(c.request('POST', '/roblox/v1/deposits', { a: 3 }, { tamper: 'reuse-nonce' })).resolves.toMatchObject({ status: 409, json: { error: 'nonce_reused' } });
  });

  it('is refused when the game server’s clock is off by more than the window, either way', async () => {
    const skewed = (seconds: number) => client({ clock: () => new Date(Date.now() + seconds * 1000) });
    await expect(skewed(400).request('GET', '/roblox/v1/ping')).resolves.toMatchObject({ status: 401, json: { error: 'stale_timestamp' } });
    await expect(skewed(-400).request('GET', '/roblox/v1/ping')).resolves.toMatchObject({ status: 401, json: { error: 'stale_timestamp' } });
    await expect(skewed(-200).request('GET', '/roblox/v1/ping')).resolves.toMatchObject({ status: 200 });
  });

  it('is refused with the wrong secret or a nonce outside the alphabet', async () => {
    await expect(client({ secret: 'another-secret' }).request('GET', '/roblox/v1/ping')).resolves.toMatchObject({ status: 401, json: { error: 'bad_signature' } });
    await expect(client({ nonce: () => 'bad nonce with spaces!' }).request('GET', '/roblox/v1/ping')).resolves.toMatchObject({ status: 401, json: { error: 'bad_nonce' } });
  });
});
