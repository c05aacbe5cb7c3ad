import { Writable } from 'node:stream';
import { loadConfig, redactConfig, requireSettings, WORKER_SETTING_DEFAULTS } from '../../lib/config';
import { ConfigError } from '../../lib/errors';
import { createLogger } from '../../lib/logger';

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('runs on embedded defaults with an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.TEMPORAL_TASK_QUEUE).toBe('guildflow');
    expect(config.DATA_DIR).toMatch(/^\/.*\.data$/);
  });

  it('links the dashboard to the dev server’s Temporal UI when it runs one, else only to a configured UI', () => {
    expect(loadConfig({}).TEMPORAL_UI_URL).toBe('http://127.0.0.1:8233');
    expect(loadConfig({ TEMPORAL_UI_PORT: '9233' }).TEMPORAL_UI_URL).toBe('http://127.0.0.1:9233');
    expect(loadConfig({ TEMPORAL_ADDRESS: 'temporal.example:7233' }).TEMPORAL_UI_URL).toBeUndefined();
    expect(loadConfig({ TEMPORAL_ADDRESS: 'temporal.example:7233', TEMPORAL_UI_URL: 'https://temporal.example/ui/' }).TEMPORAL_UI_URL).toBe('https://temporal.example/ui');
    expect(problemsOf({ TEMPORAL_UI_URL: 'temporal.example' })).toEqual(['TEMPORAL_UI_URL: must be an http(s):// URL']);
  });

  it('lists every problem at once, naming each setting', () => {
    const problems = problemsOf({
      PORT: 'seventy',
      DATABASE_URL: 'mysql://x@y/z',
      TEMPORAL_ADDRESS: 'no-port-here',
      LOG_LEVEL: 'loud',
      TEMPORAL_TLS: 'maybe',
      DATABASE_POOL_SIZE: '0',
    });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(
      ['DATABASE_POOL_SIZE', 'DATABASE_URL', 'LOG_LEVEL', 'PORT', 'TEMPORAL_ADDRESS', 'TEMPORAL_TLS'].sort(),
    );
    expect(problems.find((p) => p.startsWith('DATABASE_URL'))).toMatch(/postgres/);
  });

  it('treats empty values as unset', () => {
    const config = loadConfig({ DATABASE_URL: '', DISCORD_TOKEN: '  ', PORT: '' });
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.DISCORD_TOKEN).toBeUndefined();
    expect(config.PORT).toBe(3000);
  });

  it('refuses a short metrics token and stream limits below one', () => {
    expect(problemsOf({ METRICS_TOKEN: 'short' })[0]).toMatch(/^METRICS_TOKEN: must be at least 16 characters/);
    expect(problemsOf({ SSE_MAX_STREAMS_PER_TOKEN: '0' })[0]).toMatch(/^SSE_MAX_STREAMS_PER_TOKEN:/);
  });

  it('takes the bot’s shard count as a number or `auto`, one shard by default', () => {
    expect(loadConfig({}).DISCORD_SHARD_COUNT).toBe(1);
    expect(loadConfig({ DISCORD_SHARD_COUNT: '4' }).DISCORD_SHARD_COUNT).toBe(4);
    expect(loadConfig({ DISCORD_SHARD_COUNT: 'auto' }).DISCORD_SHARD_COUNT).toBe('auto');
    for (const bad of ['0', '-2', '1.5', 'many', '10000']) expect(problemsOf({ DISCORD_SHARD_COUNT: bad })).toEqual([expect.stringMatching(/^DISCORD_SHARD_COUNT: must be `auto` or a number/)]);
  });

  it('reads the worker settings, with the measured defaults when unset', () => {
    expect(loadConfig({})).toMatchObject(WORKER_SETTING_DEFAULTS);
    const config = loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '200', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '8', WORKER_WORKFLOW_TASK_POLLERS: '4', WORKER_MAX_CONCURRENT_ACTIVITIES: '16', WORKER_ACTIVITY_TASK_POLLERS: '2', WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: '32', WORKER_STICKY_QUEUE_TIMEOUT_MS: '2500' });
    expect(config).toMatchObject({ WORKER_MAX_CACHED_WORKFLOWS: 200, WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: 8, WORKER_WORKFLOW_TASK_POLLERS: 4, WORKER_MAX_CONCURRENT_ACTIVITIES: 16, WORKER_ACTIVITY_TASK_POLLERS: 2, WORKER_MAX_CONCURRENT_LOCAL_ACTIVITIES: 32, WORKER_STICKY_QUEUE_TIMEOUT_MS: 2500 });
  });

  it('refuses worker settings the SDK would not honour, saying why', () => {
    expect(problemsOf({ WORKER_MAX_CONCURRENT_ACTIVITIES: '0', WORKER_WORKFLOW_TASK_POLLERS: '1', WORKER_STICKY_QUEUE_TIMEOUT_MS: 'soon', WORKER_MAX_CACHED_WORKFLOWS: '-1' }).map((p) => p.split(':')[0]).sort()).toEqual(
      ['WORKER_MAX_CACHED_WORKFLOWS', 'WORKER_MAX_CONCURRENT_ACTIVITIES', 'WORKER_STICKY_QUEUE_TIMEOUT_MS', 'WORKER_WORKFLOW_TASK_POLLERS'],
    );
    expect(problemsOf({ WORKER_MAX_CACHED_WORKFLOWS: '1' })).toContain('WORKER_MAX_CACHED_WORKFLOWS: must be 0 (no cache) or at least 2');
    expect(problemsOf({ WORKER_MAX_CACHED_WORKFLOWS: '10', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20', WORKER_WORKFLOW_TASK_POLLERS: '4' })).toEqual([
      'WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: must not be above WORKER_MAX_CACHED_WORKFLOWS (20 > 10) unless the cache is off (0)',
    ]);
    expect(loadConfig({ WORKER_MAX_CACHED_WORKFLOWS: '0', WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '20', WORKER_WORKFLOW_TASK_POLLERS: '4' }).WORKER_MAX_CACHED_WORKFLOWS).toBe(0);
    expect(problemsOf({ WORKER_MAX_CONCURRENT_WORKFLOW_TASKS: '4', WORKER_WORKFLOW_TASK_POLLERS: '8', WORKER_MAX_CONCURRENT_ACTIVITIES: '2', WORKER_ACTIVITY_TASK_POLLERS: '3' })).toEqual([
      'WORKER_WORKFLOW_TASK_POLLERS: must not be above WORKER_MAX_CONCURRENT_WORKFLOW_TASKS (8 > 4)',
      'WORKER_ACTIVITY_TASK_POLLERS: must not be above WORKER_MAX_CONCURRENT_ACTIVITIES (3 > 2)',
    ]);
  });

  it('refuses an API key without a cluster address', () => {
    expect(problemsOf({ TEMPORAL_API_KEY: 'abc' })[0]).toMatch(/TEMPORAL_ADDRESS/);
  });

  it('redacts secrets and database passwords in printouts', () => {
    const config = loadConfig({
      DISCORD_TOKEN: 'MTIzNDU2Nzg5MDEyMzQ1Njc4.discord-secret',
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_API_KEY: 'tmprl-secret-key',
      DATABASE_URL: 'postgresql://app:hunter2@db.example:5432/guildflow',
      METRICS_TOKEN: 'prometheus-scrape-secret-42',
    });
    const printed = JSON.stringify(redactConfig(config));
    expect(printed).not.toContain('prometheus-scrape-secret-42');
    expect(printed).not.toContain('discord-secret');
    expect(printed).not.toContain('tmprl-secret-key');
    expect(printed).not.toContain('hunter2');
    expect(printed).toContain('db.example');
  });

  it('names what a production entry point is missing', () => {
    const config = loadConfig({});
    expect(() => requireSettings(config, ['DATABASE_URL', 'TEMPORAL_ADDRESS'], 'the worker')).toThrow(
      /DATABASE_URL: required by the worker[\s\S]*TEMPORAL_ADDRESS: required by the worker/,
    );
  });
});

describe('logger', () => {
  it('never writes secret-bearing fields', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const log = createLogger({ level: 'info' }, sink);
    const config = loadConfig({ DISCORD_TOKEN: 'very-secret-token-value', METRICS_TOKEN: 'metrics-secret-value-123' });
    log.info({ config, token: 'tok-123', headers: { authorization: 'Bearer gf_abc' } }, 'hello');
    expect(lines.join('')).not.toContain('metrics-secret-value-123');
    const out = lines.join('');
    expect(out).toContain('hello');
    expect(out).not.toContain('very-secret-token-value');
    expect(out).not.toContain('tok-123');
    expect(out).not.toContain('gf_abc');
  });
});
