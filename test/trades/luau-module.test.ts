import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
// fengari: a Lua 5.3 VM in JavaScript, to run the documented Luau module (plain Lua syntax + bit32).
import { lauxlib, lua, lualib, to_luastring } from 'fengari';
import { verifyGameSignature } from '../../lib/roblox/game-signature';

/**
 * docs/roblox-integration.md: its test vector must verify with the server's own verifier and an independent
 * HMAC, and its Luau module — run in a Lua VM with a bit32 shim and stubs of Roblox's HttpService — must
 * compute the same signatures (one block and several, short and long secrets) and send headers the server
 * accepts.
 */
const doc = readFileSync(path.resolve(__dirname, '../../docs/roblox-integration.md'), 'utf8');
const vector = Object.fromEntries(
  /```text\n([\s\S]*?)```/.exec(doc)![1]!.trim().split('\n').map((l) => {
    const at = l.indexOf(':');
    return [l.slice(0, at).trim(), l.slice(at + 1).trim()];
  }),
) as Record<'secret' | 'timestamp' | 'nonce' | 'method' | 'path' | 'body' | 'signature', string>;
const luauModule = /```lua\n(-- Guildflow game-server client[\s\S]*?)```/.exec(doc)![1]!;

// bit32 as Luau has it, on Lua 5.3's integer operators.
const BIT32 = `
local M = 0xffffffff
local function n(v) return math.floor(v) & M end
bit32 = {}
function bit32.band(...) local r = M for _, v in ipairs({...}) do r = r & n(v) end return r end
function bit32.bor(...) local r = 0 for _, v in ipairs({...}) do r = r | n(v) end return r end
function bit32.bxor(...) local r = 0 for _, v in ipairs({...}) do r = r ~ n(v) end return r end
function bit32.bnot(v) return (~n(v)) & M end
function bit32.rshift(v, d) return n(v) >> d end
function bit32.lshift(v, d) return (n(v) << d) & M end
function bit32.rrotate(v, d) v = n(v) return ((v >> d) | (v << (32 - d))) & M end
`;

function runLua(setup: string, expr: string, globals: Record<string, string> = {}): string {
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  for (const [k, v] of Object.entries(globals)) {
    lua.lua_pushstring(L, to_luastring(v));
    lua.lua_setglobal(L, to_luastring(k));
  }
  const chunk = `${BIT32}
HttpService = {
  JSONEncode = function(self, t) return BODY end,
  JSONDecode = function(self, s) return {} end,
  GenerateGUID = function(self, braces) return NONCE end,
  RequestAsync = function(self, req) LAST = req return { Success = true, StatusCode = 200, Body = "" } end,
}
game = { JobId = "job-1", GetService = function(self, name) return HttpService end }
os.time = function() return tonumber(TS) end
local Guildflow = (function() ${luauModule} end)()
${setup}
RESULT = ${expr}`;
  if (lauxlib.luaL_dostring(L, to_luastring(chunk)) !== lua.LUA_OK) throw new Error(`Lua error: ${lua.lua_tojsstring(L, -1)}`);
  lua.lua_getglobal(L, to_luastring('RESULT'));
  return lua.lua_tojsstring(L, -1);
}

const hmac = (secret: string, s: string) => createHmac('sha256', secret).update(s, 'utf8').digest('hex');

it("the docs' test vector verifies with the server's verifier and an independent HMAC", () => {
  expect(hmac(vector.secret, `${vector.timestamp}\n${vector.nonce}\n${vector.method}\n${vector.path}\n${vector.body}`)).toBe(vector.signature);
  const result = verifyGameSignature({
    secret: vector.secret,
    method: vector.method,
    path: vector.path,
    body: Buffer.from(vector.body),
    headers: { 'x-guildflow-game': 'g_docs', 'x-guildflow-timestamp': vector.timestamp, 'x-guildflow-nonce': vector.nonce, 'x-guildflow-signature': vector.signature },
    now: new Date(Number(vector.timestamp) * 1000),
  });
  expect(result).toEqual({ ok: true });
});

it('the Luau module signs the test vector exactly', () => {
  const sig = runLua('', 'Guildflow.sign(SECRET, TS, NONCE, "post", PATH, BODY)', { SECRET: vector.secret, TS: vector.timestamp, NONCE: vector.nonce, PATH: vector.path, BODY: vector.body });
  expect(sig).toBe(vector.signature);
});

it.each([
  ['an empty body (GET)', 'short-secret-but-fine-0123456789abc', ''],
  ['a multi-block body', 'another-secret-0123456789abcdefghij', JSON.stringify({ tradeId: 't-long', pets: Array.from({ length: 12 }, (_, i) => ({ species: `pet${i}`, variant: 'shiny', quantity: i + 1 })) })],
  ['a secret longer than a block', 'x'.repeat(100), '{"a":1}'],
  ['a body of exactly 55 bytes (padding edge)', 'edge-secret-0123456789abcdefghijklmn', 'a'.repeat(55)],
  ['a body of exactly 64 bytes', 'edge-secret-0123456789abcdefghijklmn', 'b'.repeat(64)],
])('the Luau module matches Node for %s', (_, secret, body) => {
  const expected = hmac(secret, `1764032400\nnonce-nonce-nonce-1\nGET\n/roblox/v1/withdrawals?players=1,2\n${body}`);
  expect(runLua('', 'Guildflow.sign(SECRET, "1764032400", "nonce-nonce-nonce-1", "GET", "/roblox/v1/withdrawals?players=1,2", BODY)', { SECRET: secret, BODY: body })).toBe(expected);
});

it("the Luau module's request sends the encoded body and headers that the server accepts", () => {
  const body = '{"serverId":"job-1","players":[1,2]}';
  const out = runLua(
    'Guildflow.new({ baseUrl = "http://127.0.0.1:1", gameId = "g_docs", secret = SECRET }):heartbeat({ 1, 2 })',
    'LAST.Method .. "|" .. LAST.Url .. "|" .. LAST.Body .. "|" .. LAST.Headers["X-Guildflow-Game"] .. "|" .. LAST.Headers["X-Guildflow-Timestamp"] .. "|" .. LAST.Headers["X-Guildflow-Nonce"] .. "|" .. LAST.Headers["X-Guildflow-Signature"] .. "|" .. LAST.Headers["Content-Type"]',
    { SECRET: vector.secret, BODY: body, NONCE: 'abcdef0123456789-nonce', TS: '1764032400' },
  );
  const [method, url, sent, game, ts, nonce, signature, type] = out.split('|');
  expect({ method, url, sent, game, ts, nonce, type }).toEqual({ method: 'POST', url: 'http://127.0.0.1:1/roblox/v1/heartbeat', sent: body, game: 'g_docs', ts: '1764032400', nonce: 'abcdef0123456789-nonce', type: 'application/json' });
  const result = verifyGameSignature({
    secret: vector.secret,
    method: 'POST',
    path: '/roblox/v1/heartbeat',
    body: Buffer.from(sent!),
    headers: { 'x-guildflow-game': game, 'x-guildflow-timestamp': ts, 'x-guildflow-nonce': nonce, 'x-guildflow-signature': signature },
    now: new Date(1764032400 * 1000),
  });
  expect(result).toEqual({ ok: true });
});
