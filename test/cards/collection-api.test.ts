import type Koa from 'koa';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import { openProposal } from '../../activities/card-trades/service';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { switchFeatures } from '../../lib/feature-switches';
import { createLogger } from '../../lib/logger';
import { createScryfallClient } from '../../lib/scryfall/client';
import { httpRequest } from '../fakes/http-fake';
import { startCardsEnv, type CardsEnv } from './helpers';

/**
 * A member's collection through the API: paging, add, quantity/condition changes and removal, refused
 * (409 collection_in_use) while copies are reserved in a live proposal or offered as haves; and the
 * guild's `cards` switch refusing card writes while reads go on.
 */
describe('cards collection API', () => {
  let env: CardsEnv;
  let server: http.Server;
  let base: string;
  const GUILD = '400000000000000101';
  const [ANN, BEN] = ['400000000000000111', '400000000000000112'];
  let admin: string;
  let mod: string;
  let user: string;

  beforeAll(async () => {
    env = await startCardsEnv();
    await env.seedGuild(GUILD, [ANN, BEN]);
    const app: Koa = createApp({ prisma: env.prisma, log: createLogger({ level: process.env.LOG_LEVEL ?? 'silent', pretty: false }), readiness: [], scryfall: createScryfallClient({ baseUrl: env.scryfall.url }) });
    server = app.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${GUILD}/cards`;
    admin = (await createApiToken(env.prisma, { guildId: GUILD, name: 'admin', level: 'admin', createdBy: 'cli', creatorLevel: 'owner' })).token;
    mod = (await createApiToken(env.prisma, { guildId: GUILD, name: 'mod', level: 'mod', createdBy: 'cli', creatorLevel: 'owner' })).token;
    user = (await createApiToken(env.prisma, { guildId: GUILD, name: 'user', level: 'user', createdBy: 'cli', creatorLevel: 'owner' })).token;
  }, 120_000);
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    await env?.close();
  });

  const call = (method: string, path: string, token: string, body?: unknown) =>
    httpRequest(`${base}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined });
  const item = (id: string) => env.prisma.cardCollectionItem.findUnique({ where: { id: BigInt(id) } });
  interface Page {
    items: { id: string; quantity: number; reserved: number; offered: number; condition: string; card: { name: string } }[];
    nextCursor: string | null;
  }

  it('adds copies (same card, condition, finish and language join one item) and pages the collection by id', async () => {
    const bolt = await call('POST', `/members/${ANN}/collection`, admin, { set: 'm10', number: '146', quantity: 2 });
    expect(bolt.status).toBe(201);
    const again = await call('POST', `/members/${ANN}/collection`, admin, { set: 'm10', number: '146', quantity: 1 });
    expect((again.json as { id: string }).id).toBe((bolt.json as { id: string }).id);
    expect((await item((bolt.json as { id: string }).id))?.quantity).toBe(3);
    await call('POST', `/members/${ANN}/collection`, admin, { name: 'Baneslayer Angel', condition: 'LP', finish: 'foil' });
    await call('POST', `/members/${ANN}/collection`, admin, { set: 'dom', number: '168', language: 'de' });
    // Not offered for trade: no have appears.
    expect(await env.prisma.cardHave.count({ where: { userId: ANN } })).toBe(0);

    const first = (await call('GET', `/members/${ANN}/collection?limit=2`, mod)).json as Page;
    expect(first.items.map((i) => [i.card.name, i.quantity, i.condition])).toEqual([
      ['Lightning Bolt', 3, 'NM'],
      ['Baneslayer Angel', 1, 'LP'],
    ]);
    expect(first.nextCursor).toBe(first.items[1]!.id);
    const second = (await call('GET', `/members/${ANN}/collection?limit=2&cursor=${first.nextCursor}`, mod)).json as Page;
    expect(second).toMatchObject({ items: [{ quantity: 1, card: { name: 'Llanowar Elves' } }], nextCursor: null });

    const bad = await call('POST', `/members/${ANN}/collection`, admin, { name: 'Lightning Bolt', condition: 'MINT' });
    expect(bad.status).toBe(400);
    const notPrinted = await call('POST', `/members/${ANN}/collection`, admin, { set: 'lea', number: '161', finish: 'foil' });
    expect(notPrinted.status).toBe(400);
    expect(await env.prisma.cardCollectionItem.count({ where: { userId: ANN } })).toBe(3);
  });

  it('another member’s collection: a mod token reads it, only an admin token changes it', async () => {
    expect((await call('GET', `/members/${BEN}/collection`, mod)).status).toBe(200);
    expect((await call('GET', `/members/${BEN}/collection`, user)).status).toBe(403);
    expect((await call('POST', `/members/${BEN}/collection`, user, { name: 'Tarmogoyf' })).status).toBe(403);
    expect((await call('POST', `/members/${BEN}/collection`, mod, { name: 'Tarmogoyf' })).status).toBe(403);
    const added = await call('POST', `/members/${BEN}/collection`, admin, { name: 'Tarmogoyf' });
    expect(added.status).toBe(201);
    // Ben's item is not reachable through Ann's path.
    const id = (added.json as { id: string }).id;
    expect((await call('PATCH', `/members/${ANN}/collection/${id}`, admin, { quantity: 5 })).status).toBe(404);
    expect((await call('DELETE', `/members/${ANN}/collection/${id}`, admin)).status).toBe(404);
    expect((await item(id))?.quantity).toBe(1);
  });

  it('never goes below the copies offered as haves or reserved in a live proposal: a clear 409, nothing changed', async () => {
    const added = await call('POST', `/members/${ANN}/haves`, admin, { set: 'mh2', number: '138', quantity: 2 });
    const itemId = String((await env.prisma.cardHave.findUniqueOrThrow({ where: { id: BigInt((added.json as { id: string }).id) } })).collectionItemId);
    await call('POST', `/members/${ANN}/collection`, admin, { set: 'mh2', number: '138', quantity: 3 });
    expect((await item(itemId))?.quantity).toBe(5);

    const belowHaves = await call('PATCH', `/members/${ANN}/collection/${itemId}`, admin, { quantity: 1 });
    expect(belowHaves.status).toBe(409);
    expect(belowHaves.json).toMatchObject({ error: { code: 'collection_in_use', message: expect.stringMatching(/offer 2 of these for trade/) } });
    const removeOffered = await call('DELETE', `/members/${ANN}/collection/${itemId}`, admin);
    expect(removeOffered.status).toBe(409);
    expect(removeOffered.json).toMatchObject({ error: { code: 'collection_in_use' } });
    expect((await call('PATCH', `/members/${ANN}/collection/${itemId}`, admin, { quantity: 2 })).status).toBe(204);
    expect((await item(itemId))?.quantity).toBe(2);

    // A live proposal reserves both copies; taking the have off leaves the reservation in force.
    const have = await env.prisma.cardHave.findFirstOrThrow({ where: { collectionItemId: BigInt(itemId) } });
    expect((await call('DELETE', `/members/${ANN}/haves/${have.id}`, admin)).status).toBe(200);
    await openProposal(env.prisma, {
      proposalId: 'collection-api-p1',
      guildId: GUILD,
      proposerId: ANN,
      recipientId: BEN,
      terms: { offered: [{ collectionItemId: itemId, quantity: 2 }], asked: [] },
      expiresAt: new Date(Date.now() + 3_600_000),
      cashAllowed: false,
    });
    expect((await item(itemId))?.reserved).toBe(2);
    const belowReserved = await call('PATCH', `/members/${ANN}/collection/${itemId}`, admin, { quantity: 1 });
    expect(belowReserved.status).toBe(409);
    expect(belowReserved.json).toMatchObject({ error: { code: 'collection_in_use', message: expect.stringMatching(/2 of these are promised in live trade proposals/) } });
    const regrade = await call('PATCH', `/members/${ANN}/collection/${itemId}`, admin, { condition: 'LP' });
    expect(regrade.status).toBe(409);
    const remove = await call('DELETE', `/members/${ANN}/collection/${itemId}`, admin);
    expect(remove.status).toBe(409);
    expect(await item(itemId)).toMatchObject({ quantity: 2, reserved: 2, condition: 'NM' });
    // More copies are always fine.
    expect((await call('PATCH', `/members/${ANN}/collection/${itemId}`, admin, { quantity: 4 })).status).toBe(204);
  });

  it('changes the condition of copies nothing holds, refuses one that would duplicate another item, removes an item', async () => {
    const a = (await call('POST', `/members/${BEN}/collection`, admin, { set: 'm11', number: '192', condition: 'NM' })).json as { id: string };
    const b = (await call('POST', `/members/${BEN}/collection`, admin, { set: 'm11', number: '192', condition: 'LP', quantity: 2 })).json as { id: string };
    expect((await call('PATCH', `/members/${BEN}/collection/${a.id}`, admin, { condition: 'MP', quantity: 3 })).status).toBe(204);
    expect(await item(a.id)).toMatchObject({ condition: 'MP', quantity: 3 });
    const clash = await call('PATCH', `/members/${BEN}/collection/${b.id}`, admin, { condition: 'MP' });
    expect(clash.status).toBe(409);
    expect(clash.json).toMatchObject({ error: { code: 'collection_in_use', message: expect.stringMatching(/already have MP copies/) } });
    expect((await call('PATCH', `/members/${BEN}/collection/${b.id}`, admin, {})).status).toBe(400);
    expect((await call('DELETE', `/members/${BEN}/collection/${b.id}`, admin)).status).toBe(204);
    expect(await item(b.id)).toBeNull();
    expect((await call('DELETE', `/members/${BEN}/collection/${b.id}`, admin)).status).toBe(404);
  });

  it('with the cards switch off, card writes are refused (409 feature_disabled) and reads go on', async () => {
    await switchFeatures(env.prisma, GUILD, { cards: false }, { actorType: 'system', actorId: 'test' });
    try {
      const refused = await call('POST', `/members/${ANN}/collection`, admin, { name: 'Tarmogoyf' });
      expect(refused.status).toBe(409);
      expect(refused.json).toMatchObject({ error: { code: 'feature_disabled', message: expect.stringMatching(/Card trading is switched off/) } });
      expect((await call('POST', `/members/${ANN}/haves`, admin, { name: 'Tarmogoyf' })).status).toBe(409);
      expect((await call('PUT', `/members/${ANN}/visibility`, admin, { listsPublic: false })).status).toBe(409);
      expect(await env.prisma.cardCollectionItem.count({ where: { userId: ANN, printing: { name: 'Tarmogoyf' } } })).toBe(0);
      expect((await call('GET', `/members/${ANN}/collection`, admin)).status).toBe(200);
      expect((await call('GET', '/price?name=tarmogoyf', admin)).status).toBe(200);
    } finally {
      await switchFeatures(env.prisma, GUILD, { cards: true }, { actorType: 'system', actorId: 'test' });
    }
    expect((await call('POST', `/members/${ANN}/collection`, admin, { name: 'Tarmogoyf' })).status).toBe(201);
  });
});
