import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_KEYS, loadConfig } from '../../lib/config';
import { DYNAMIC_CONFIG_FILE, SEARCH_ATTRIBUTE_SPECS, SETUP_NAMESPACE_SCRIPT, SETUP_SCHEMA_SCRIPT, TEMPORAL_CONFIG_DIR, TEMPORAL_CONFIG_ENV, databaseEnv } from '../../lib/dev/temporal-cluster';
import { TEMPORAL_SERVER_VERSION } from '../../lib/dev/temporal-server';

// Docker does not run on this machine, so the compose file is checked against what the code knows.
const root = path.resolve(__dirname, '../..');
const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<
    string,
    { build?: string; image?: string; command?: string[]; entrypoint?: string[]; environment?: Record<string, string>; healthcheck?: unknown; ports?: string[]; volumes?: string[] }
  >;
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
    const longRunning = Object.entries(compose.services).filter(([name]) => !['migrate', 'temporal-schema', 'temporal-setup'].includes(name));
    expect(longRunning.filter(([, s]) => !s.healthcheck).map(([n]) => n)).toEqual([]);
    const setup = JSON.stringify(compose.services['temporal-setup']);
    for (const attr of ['GuildId', 'DiscordUserId', 'FlowKind']) expect(setup).toContain(attr);
  });
});

describe('the Temporal server in docker-compose.yml, as `npm run cluster` runs it', () => {
  const services = compose.services;
  const temporal = services.temporal!;

  /** A path inside a container → the repository file its volume mounts there. */
  function hostPath(service: string, containerPath: string): string | undefined {
    for (const volume of services[service]?.volumes ?? []) {
      const [host, target] = volume.split(':') as [string, string];
      if (containerPath === target || containerPath.startsWith(`${target}/`)) return path.join(root, host, path.relative(target, containerPath));
    }
    return undefined;
  }

  it('runs the server image of the version the scripts build, and no development image', () => {
    expect(temporal.image).toBe(`temporalio/server:${TEMPORAL_SERVER_VERSION}`);
    for (const job of ['temporal-schema', 'temporal-setup']) expect(services[job]?.image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
    expect(Object.values(services).filter((s) => s.image?.includes('auto-setup'))).toEqual([]);
  });

  it('starts it with the same config file and dynamic config', () => {
    const command = (temporal.command ?? []).join(' ');
    const configDir = /--config (\S+)/.exec(command)?.[1];
    expect(hostPath('temporal', configDir!)).toBe(TEMPORAL_CONFIG_DIR);
    expect(command).toContain(`--env ${TEMPORAL_CONFIG_ENV}`);
    expect(hostPath('temporal', temporal.environment!.DYNAMIC_CONFIG_FILE_PATH!)).toBe(DYNAMIC_CONFIG_FILE);
  });

  it('sets only variables the config template reads, and the database ones the script sets', () => {
    const template = readFileSync(path.join(TEMPORAL_CONFIG_DIR, `${TEMPORAL_CONFIG_ENV}.yaml`), 'utf8');
    const read = new Set([...template.matchAll(/env "([A-Z_]+)"/g)].map((m) => m[1]));
    expect(Object.keys(temporal.environment!).filter((k) => !read.has(k))).toEqual([]);
    expect(Object.keys(temporal.environment!)).toEqual(expect.arrayContaining(Object.keys(databaseEnv('postgresql://u@h/d'))));
  });

  it('sets up the schemas and the namespace with the same scripts and search attributes', () => {
    const schema = services['temporal-schema']!;
    expect(hostPath('temporal-schema', schema.entrypoint![1]!)).toBe(SETUP_SCHEMA_SCRIPT);
    expect(Object.keys(schema.environment!).sort()).toEqual(Object.keys(databaseEnv('postgresql://u@h/d')).sort());
    const setup = services['temporal-setup']!;
    expect(hostPath('temporal-setup', setup.entrypoint![1]!)).toBe(SETUP_NAMESPACE_SCRIPT);
    expect(setup.environment!.SEARCH_ATTRIBUTES).toBe(SEARCH_ATTRIBUTE_SPECS);
  });

  // The server version is the one the Temporal CLI embeds: its go.mod says which (in Go's module cache after the CLI build).
  const cliGoMod = path.join(process.env.GOMODCACHE ?? path.join(process.env.GOPATH ?? path.join(os.homedir(), 'go'), 'pkg/mod'), 'cache/download/github.com/temporalio/cli/@v/v1.5.1.mod');
  (existsSync(cliGoMod) ? it : it.skip)('is the version the Temporal CLI v1.5.1 embeds', () => {
    expect(readFileSync(cliGoMod, 'utf8')).toMatch(new RegExp(`go\\.temporal\\.io/server v${TEMPORAL_SERVER_VERSION.replace(/\./g, '\\.')}\\b`));
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
