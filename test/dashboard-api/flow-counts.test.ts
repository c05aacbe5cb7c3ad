import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { createApp } from '../../api/app';
import type { AppDeps } from '../../api/deps';
import { createApiToken } from '../../lib/api-tokens';
import { announcementFlow } from '../../lib/flows/announcements';
import { startFlow } from '../../lib/flows/client';
import { syncFlow } from '../../lib/flows/sync';
import { createLogger } from '../../lib/logger';
import { waitFor } from '../../lib/wait';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { createGuild } from '../helpers/ledger';
import { testTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/**
 * GET /api/guilds/:g/flows/open (api/routes/flows.ts) against flows started on the test Temporal server
 * through the project's own start helper (lib/flows/client.ts startFlow, which tags GuildId and FlowKind
 * at the start): the guild's running flows per kind, another guild's left out, with Temporal UI links
 * that filter to exactly those flows. No worker polls their queue, so they stay running until terminated.
 */
jest.setTimeout(180_000);

const UI = 'http://temporal-ui.test:8233';
let db: TestDatabase;
let temporal: TestTemporal;
let guild: string;
let otherGuild: string;
let modToken: string;
const servers: Server[] = [];
const started: string[] = [];

async function serve(deps: Partial<AppDeps>): Promise<string> {
  const app = createApp({ prisma: db.prisma, log: createLogger({ level: 'silent' }), readiness: [], ...deps });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function openFlows(base: string, guildId = guild, token = modToken) {
  const res = await fetch(`${base}/api/guilds/${guildId}/flows/open`, { headers: { authorization: `Bearer ${token}` } });
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the body is compared whole
  return { status: res.status, body: (await res.json()) as any };
}

/** The Temporal UI's list of the guild's running flows (of one kind), as an operator would type the filter. */
function uiLink(guildId: string, kind?: string): string {
  const query = kind ? `GuildId="${guildId}" AND FlowKind="${kind}" AND ExecutionStatus="Running"` : `GuildId="${guildId}" AND ExecutionStatus="Running"`;
  return `${UI}/namespaces/default/workflows?query=${encodeURIComponent(query)}`;
}

beforeAll(async () => {
  db = await createTestDatabase();
  temporal = await testTemporal();
  guild = await createGuild(db.prisma);
  otherGuild = await createGuild(db.prisma);
  modToken = (await createApiToken(db.prisma, { guildId: guild, name: 'mod', level: 'mod', createdBy: 'cli', creatorLevel: 'owner' })).token;
});

afterAll(async () => {
  for (const s of servers) await new Promise((r) => s.close(r));
  await Promise.all(started.map((id) => temporal.client.workflow.getHandle(id).terminate('test over').catch(() => undefined)));
  await temporal?.close();
  await db?.drop();
});

/** Starts a flow through startFlow on a queue no worker polls, and remembers it for the clean-up. */
async function running(flow: 'announcement' | 'sync', guildId: string): Promise<string> {
  const target = { temporal: temporal.client, taskQueue: uniqueTaskQueue('flow-counts') };
  const options = { guildId, input: {} };
  const { workflowId, started: ok } =
    flow === 'announcement' ? await startFlow(target, announcementFlow, [randomUUID()], options) : await startFlow(target, syncFlow, ['test', randomUUID()], options);
  expect(ok).toBe(true);
  started.push(workflowId);
  return workflowId;
}

/** Polls the route until it counts `total` running flows, in all and per kind (the visibility store trails starts and ends by a moment). */
function counted(base: string, total: number, guildId = guild, token = modToken) {
  return waitFor(
    async () => {
      const r = await openFlows(base, guildId, token);
      const perKind = r.status === 200 ? (r.body.items as { count: number }[]).reduce((sum, i) => sum + i.count, 0) : -1;
      return r.body.total === total && perKind === total ? r : null;
    },
    { timeoutMs: 30_000, what: `${total} running flows counted for ${guildId}` },
  );
}

it('counts the guild’s running flows per kind, not another guild’s, each with a Temporal UI link to exactly those flows', async () => {
  const base = await serve({ temporal: temporal.client, temporalUiUrl: UI });
  await running('announcement', guild);
  const lastAnnouncement = await running('announcement', guild);
  await running('sync', guild);
  await running('announcement', otherGuild);

  const expected = {
    total: 3,
    link: uiLink(guild),
    items: [
      { kind: 'announcement', count: 2, link: uiLink(guild, 'announcement') },
      { kind: 'sync', count: 1, link: uiLink(guild, 'sync') },
    ],
  };
  const res = await counted(base, 3);
  expect(res.body).toEqual(expected);

  // Each link's filter, given to Temporal, finds what the row counts.
  for (const item of [expected, ...expected.items]) {
    const query = new URL(item.link).searchParams.get('query')!;
    expect((await temporal.client.workflow.count(query)).count).toBe('count' in item ? item.count : item.total);
  }

  // The other guild sees only its own flow.
  const otherToken = (await createApiToken(db.prisma, { guildId: otherGuild, name: 'mod', level: 'mod', createdBy: 'cli', creatorLevel: 'owner' })).token;
  expect((await counted(base, 1, otherGuild, otherToken)).body).toEqual({ total: 1, link: uiLink(otherGuild), items: [{ kind: 'announcement', count: 1, link: uiLink(otherGuild, 'announcement') }] });

  // A flow that ends stops counting.
  await temporal.client.workflow.getHandle(lastAnnouncement).terminate('ended for the test');
  const after = await counted(base, 2);
  expect(after.body.items).toEqual([
    { kind: 'announcement', count: 1, link: uiLink(guild, 'announcement') },
    { kind: 'sync', count: 1, link: uiLink(guild, 'sync') },
  ]);
});

it('answers counts without links when no Temporal UI is configured', async () => {
  const base = await serve({ temporal: temporal.client });
  const quiet = await createGuild(db.prisma);
  const token = (await createApiToken(db.prisma, { guildId: quiet, name: 'mod', level: 'mod', createdBy: 'cli', creatorLevel: 'owner' })).token;
  expect((await openFlows(base, quiet, token)).body).toEqual({ total: 0, link: null, items: [] });
  await running('sync', quiet);
  expect((await counted(base, 1, quiet, token)).body).toEqual({ total: 1, link: null, items: [{ kind: 'sync', count: 1, link: null }] });
});

it('answers 503 temporal_unavailable when the API has no Temporal', async () => {
  expect(await openFlows(await serve({ temporalUiUrl: UI }))).toEqual({ status: 503, body: { error: { code: 'temporal_unavailable', message: 'Workflows are not configured for this process.' } } });
});
