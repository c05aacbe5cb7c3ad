import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_KEYS, loadConfig } from '../../lib/config';

// Docker does not run on this machine, so the compose file is checked against what the code knows.
const root = path.resolve(__dirname, '../..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, { build?: string; image?: string; command?: string[]; environment?: Record<string, string>; healthcheck?: unknown; ports?: string[] }>;
};
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
const guildflowServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined);

describe('docker-compose.yml', () => {
  it('runs worker, api, bot and migrations from the one Dockerfile', () => {
    expect(guildflowServices.map(([name]) => name).sort()).toEqual(['api', 'bot', 'migrate', 'worker']);
  });

  it.each(guildflowServices)('%s sets only settings the config knows, and valid values', (_name, service) => {
    const env = service.environment ?? {};
    expect(Object.keys(env).filter((k) => !(CONFIG_KEYS as string[]).includes(k))).toEqual([]);
    // Substitute compose's ${VAR:-default} with its default, then parse as the service would.
    const resolved = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v).replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1')]));
    expect(() => loadConfig(resolved)).not.toThrow();
  });

  it.each(guildflowServices)('%s runs an npm script that exists', (_name, service) => {
    const [npm, run, script] = service.command ?? [];
    expect([npm, run]).toEqual(['npm', 'run']);
    expect(Object.keys(pkg.scripts)).toContain(script);
  });

  it('gives every long-running service a health check and registers the search attributes', () => {
    const longRunning = Object.entries(compose.services).filter(([name]) => !['migrate', 'temporal-setup'].includes(name));
    expect(longRunning.filter(([, s]) => !s.healthcheck).map(([n]) => n)).toEqual([]);
    const setup = JSON.stringify(compose.services['temporal-setup']);
    for (const attr of ['GuildId', 'DiscordUserId', 'FlowKind']) expect(setup).toContain(attr);
  });
});

describe('the Temporal UI in docker-compose.yml', () => {
  const ui = compose.services['temporal-ui'];

  it('is published on the loopback interface only', () => {
    expect(ui?.ports?.length).toBeGreaterThan(0);
    for (const port of ui?.ports ?? []) expect(String(port)).toMatch(/^127\.0\.0\.1:\d+:\d+$/);
  });

  it('cannot signal, start, cancel or terminate flows (write actions disabled)', () => {
    expect(String(ui?.environment?.TEMPORAL_DISABLE_WRITE_ACTIONS)).toBe('true');
  });
});

describe('.env.example', () => {
  it('lists every setting the config reads, and nothing else', () => {
    const listed = readFileSync(path.join(root, '.env.example'), 'utf8')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => l.split('=')[0]);
    expect([...listed].sort()).toEqual([...CONFIG_KEYS].sort());
  });
});
