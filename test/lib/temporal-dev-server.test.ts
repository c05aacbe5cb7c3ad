import path from 'node:path';
import { randomInt, randomUUID } from 'node:crypto';
import { encodeSearchAttributeIndexedValueType } from '@temporalio/common/lib/search-attributes';
import { DiscordUserId, FlowKind, GuildId, SEARCH_ATTRIBUTES } from '../../lib/search-attributes';
import { waitFor } from '../../lib/wait';
import { runWorker, testTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';
import { echo, replySignal } from '../workflows/echo';

// The dev server started once by test/setup/global-setup.ts for the whole run.
const workflowsPath = path.join(__dirname, '../workflows/echo.ts');
let env: TestTemporal;

beforeAll(async () => {
  env = await testTemporal();
});
afterAll(async () => {
  await env?.close();
});

describe('shared Temporal dev server', () => {
  it('runs a workflow to its signal branch', async () => {
    const result = await runWorker({ workflowsPath, connection: env.nativeConnection }, async ({ taskQueue }) => {
      const handle = await env.client.workflow.start(echo, {
        taskQueue,
        workflowId: `test-echo-signal-${randomUUID()}`,
        args: [{ message: 'ping', replyTimeout: '1 minute' }],
      });
      await handle.signal(replySignal, 'pong');
      await handle.signal(replySignal, 'ignored');
      return handle.result();
    });
    expect(result).toEqual({ outcome: 'replied', text: 'ping -> pong' });
  });

  it('runs a workflow to its timeout branch when no signal comes', async () => {
    const { result, elapsedMs } = await runWorker({ workflowsPath, connection: env.nativeConnection }, async ({ taskQueue }) => {
      const started = performance.now();
      const result = await env.client.workflow.execute(echo, {
        taskQueue,
        workflowId: `test-echo-timeout-${randomUUID()}`,
        args: [{ message: 'anyone?', replyTimeout: '1 second' }],
      });
      return { result, elapsedMs: performance.now() - started };
    });
    expect(result).toEqual({ outcome: 'timed-out', text: 'anyone?' });
    // The timer really ran (real time on this server), it did not short-circuit.
    expect(elapsedMs).toBeGreaterThanOrEqual(950);
  });

  it('has GuildId, DiscordUserId and FlowKind registered as Keyword', async () => {
    const { customAttributes } = await env.connection.operatorService.listSearchAttributes({ namespace: env.namespace });
    const keyword = encodeSearchAttributeIndexedValueType('KEYWORD');
    expect(SEARCH_ATTRIBUTES.map((k) => k.name)).toEqual(['GuildId', 'DiscordUserId', 'FlowKind', 'FlowStuck']);
    for (const key of SEARCH_ATTRIBUTES) expect([key.name, customAttributes?.[key.name]]).toEqual([key.name, keyword]);
  });

  it('finds a workflow by its search attributes through visibility', async () => {
    const guildId = String(randomInt(2 ** 40, 2 ** 47)); // snowflake-like, so runs against a reused server never collide
    const workflowId = `test-echo-visibility-${randomUUID()}`;
    // No worker needed: a started workflow is listed while it waits for its first task.
    const handle = await env.client.workflow.start(echo, {
      taskQueue: uniqueTaskQueue('visibility'),
      workflowId,
      args: [{ message: 'find me', replyTimeout: '1 hour' }],
      typedSearchAttributes: [
        { key: GuildId, value: guildId },
        { key: DiscordUserId, value: '80351110224678912' },
        { key: FlowKind, value: 'echo' },
      ],
    });
    try {
      const query = `FlowKind = 'echo' AND GuildId = '${guildId}'`;
      const found = await waitFor(
        async () => {
          const ids: string[] = [];
          for await (const wf of env.client.workflow.list({ query })) ids.push(wf.workflowId);
          return ids.length > 0 ? ids : undefined;
        },
        { timeoutMs: 10_000, intervalMs: 100, what: `visibility to list ${workflowId} for ${query}` },
      );
      expect(found).toEqual([workflowId]);
      const description = await handle.describe();
      expect(description.typedSearchAttributes.get(DiscordUserId)).toBe('80351110224678912');
    } finally {
      await handle.terminate('test done');
    }
  });
});
