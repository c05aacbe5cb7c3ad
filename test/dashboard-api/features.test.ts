import { disabledFeatures } from '../../lib/feature-switches';
import { FEATURE_SWITCHES } from '../../lib/requests/guild-settings';
import { startDashEnv, type DashEnv, type Json } from './helpers';

/**
 * GET/PATCH …/features: the switches /setup features shows, read at mod level and changed at admin level
 * through the same service (so the bot sees the change), audited as a settings change.
 */
jest.setTimeout(60_000);

let env: DashEnv;
beforeAll(async () => {
  env = await startDashEnv();
});
afterAll(async () => {
  await env?.close();
});

const enabled = (body: Json) => Object.fromEntries(body.features.map((f: Json) => [f.feature, f.enabled]));

it('lists every switch with its label, all on by default', async () => {
  const res = await env.api('GET', '/features', { token: env.tokens.mod });
  expect(res.status).toBe(200);
  expect(res.body.features.map((f: Json) => f.feature)).toEqual([...FEATURE_SWITCHES]);
  expect(res.body.features[0]).toEqual({ feature: 'economy', label: 'Economy', enabled: true });
  expect(Object.values(enabled(res.body)).every(Boolean)).toBe(true);
});

it('an admin switches features; the others stay; audited; the switched-off feature refuses its writes', async () => {
  const res = await env.api('PATCH', '/features', { body: { shop: false, tasks: false } });
  expect(res.status).toBe(200);
  expect(enabled(res.body)).toMatchObject({ shop: false, tasks: false, economy: true });
  expect([...(await disabledFeatures(env.prisma, env.guildId))].sort()).toEqual(['shop', 'tasks']);
  const again = await env.api('PATCH', '/features', { body: { tasks: true } });
  expect(enabled(again.body)).toMatchObject({ shop: false, tasks: true });
  const audits = await env.prisma.auditEvent.findMany({ where: { guildId: env.guildId, action: 'guild_settings.updated' }, orderBy: { id: 'asc' } });
  expect(audits.map((a) => a.data)).toEqual([{ disabledFeatures: ['shop', 'tasks'] }, { disabledFeatures: ['shop'] }]);
  expect(audits[0]).toMatchObject({ actorType: 'api_token', targetType: 'guild', targetId: env.guildId });
  const write = await env.api('POST', '/shop/items', { body: { name: 'Thing', price: 5 } });
  expect(write.status).toBe(409);
  expect(write.body.error.code).toBe('feature_disabled');
  expect((await env.api('GET', '/features', { token: env.tokens.mod })).body).toEqual(again.body);
  await env.api('PATCH', '/features', { body: { shop: true } });
});

it('concurrent switches of different features both count', async () => {
  await Promise.all(['economy', 'verification', 'trades', 'announcements'].map((f) => env.api('PATCH', '/features', { body: { [f]: false } })));
  expect([...(await disabledFeatures(env.prisma, env.guildId))].sort()).toEqual(['announcements', 'economy', 'trades', 'verification']);
  await env.api('PATCH', '/features', { body: { economy: true, verification: true, trades: true, announcements: true } });
});

it('bad input changes nothing: unknown feature, non-boolean, empty body', async () => {
  const before = await env.prisma.guildSettings.findUniqueOrThrow({ where: { guildId: env.guildId } });
  for (const body of [{ raffles: false }, { shop: 'off' }, {}, [], null]) {
    const res = await env.api('PATCH', '/features', { body });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_input');
  }
  expect(await env.prisma.guildSettings.findUniqueOrThrow({ where: { guildId: env.guildId } })).toEqual(before);
});

it('levels: a mod reads but cannot change, a member token cannot read', async () => {
  const patch = await env.api('PATCH', '/features', { token: env.tokens.mod, body: { shop: false } });
  expect(patch.status).toBe(403);
  expect((await disabledFeatures(env.prisma, env.guildId)).has('shop')).toBe(false);
  expect((await env.api('GET', '/features', { token: env.tokens.user })).status).toBe(403);
});
