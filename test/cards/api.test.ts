import type Koa from 'koa';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { createLogger } from '../../lib/logger';
import { createScryfallClient } from '../../lib/scryfall/client';
import { httpRequest } from '../fakes/http-fake';
import { startCardsEnv, type CardsEnv } from './helpers';

/** The /cards routes in-process: price look-ups, a member's lists, import and matches, with the token rules. */
describe('cards API', () => {
  let env: CardsEnv;
  let server: http.Server;
  let base: string;
  const GUILD = '400000000000000001';
  const [ANN, BEN] = ['400000000000000011', '400000000000000012'];
  let admin: string;
  let mod: string;

  beforeAll(async () => {
    env = await startCardsEnv();
    await env.seedGuild(GUILD, [ANN, BEN]);
    const app: Koa = createApp({ prisma: env.prisma, log: createLogger({ level: 'silent', pretty: false }), readiness: [], scryfall: createScryfallClient({ baseUrl: env.scryfall.url }) });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${GUILD}/cards`;
    admin = (await createApiToken(env.prisma, { guildId: GUILD, name: 'admin', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
    mod = (await createApiToken(env.prisma, { guildId: GUILD, name: 'mod', level: 'mod', createdBy: 'cli', creatorLevel: 'owner' })).token;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await env?.close();
  });

  const call = (method: string, path: string, token: string, body?: unknown) =>
    httpRequest(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });

  it('looks a price up by name or printing; a card that does not exist is a 404', async () => {
    const res = await call('GET', '/price?set=lea&number=161', mod);
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ name: 'Lightning Bolt', set: 'lea', number: '161', pricesCents: { nonfoil: 45000, foil: null, etched: null } });
    const missing = await call('GET', '/price?name=zzzz%20not%20a%20card', mod);
    expect(missing.status).toBe(404);
    expect(missing.json).toMatchObject({ error: { code: 'card_not_found' } });
    expect((await call('GET', '/autocomplete?q=tarmo', mod)).json).toEqual({ names: ['Tarmogoyf'] });
  });

  it('changes a member’s lists with an admin token; a mod token reads but may not change them', async () => {
    const added = await call('POST', `/members/${ANN}/haves`, admin, { set: 'fut', number: '153', quantity: 2, condition: 'NM' });
    expect(added.status).toBe(201);
    const refused = await call('POST', `/members/${ANN}/haves`, mod, { name: 'Tarmogoyf' });
    expect(refused.status).toBe(403);
    const bad = await call('POST', `/members/${ANN}/wants`, admin, { name: 'Snapcaster Mage', priority: 9 });
    expect(bad.status).toBe(400);
    const list = await call('GET', `/members/${ANN}/haves`, mod);
    expect(list.json).toMatchObject({ items: [{ quantity: 2, condition: 'NM', card: { name: 'Tarmogoyf' } }], nextCursor: null });
    const imported = await call('POST', `/members/${BEN}/import`, admin, { list: 'wants', text: '1 Tarmogoyf\n1 Unknown Card Thing' });
    expect(imported.json).toMatchObject({ applied: [{ line: 1, name: 'Tarmogoyf' }], failed: [{ line: 2, reason: expect.stringMatching(/No cards found/) }] });
    await call('POST', `/members/${BEN}/haves`, admin, { name: 'Snapcaster Mage' });
    await call('POST', `/members/${ANN}/wants`, admin, { name: 'Snapcaster Mage' });
    const matches = await call('GET', `/members/${ANN}/matches?scope=guild`, mod);
    expect(matches.json).toMatchObject({ items: [{ userId: BEN, theyGive: { cards: ['Snapcaster Mage'] }, iGive: { cards: ['Tarmogoyf'] } }], nextOffset: null });
    const want = (await call('GET', `/members/${ANN}/wants`, mod)).json as { items: { id: string }[] };
    expect((await call('DELETE', `/members/${ANN}/wants/${want.items[0]!.id}`, admin)).status).toBe(204);
    expect((await call('DELETE', `/members/${ANN}/wants/${want.items[0]!.id}`, admin)).status).toBe(404);
  });
});
