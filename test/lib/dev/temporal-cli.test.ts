import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEMPORAL_CLI_MODULE, TemporalCliError, defaultCacheDir, obtainTemporalCli } from '../../../lib/dev/temporal-cli';
import { createLogger } from '../../../lib/logger';
import { waitFor } from '../../../lib/wait';

// Fake executables stand in for `temporal` and `go`, so the resolution order and the build-into-cache
// logic are tested without the 3-minute build.
let dir: string;
let lines: string[];
const log = () => createLogger({ level: 'info', pretty: false }, { write: (line: string) => void lines.push(line) });

async function executable(file: string, body = 'echo fake'): Promise<string> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
  return file;
}

/**
 * A fake `go`: `go version` prints `version`; `go install -v` prints what the real one prints while it works
 * (module downloads, then compiled packages), writes $GOBIN/temporal after `gate` exists (if given) and
 * counts its runs.
 */
function fakeGo(name: string, { gate, fail, version = '1.26.8' }: { gate?: string; fail?: boolean; version?: string } = {}): Promise<string> {
  const runs = path.join(dir, `${name}.runs`);
  const body = [
    'PATH=/usr/bin:/bin', // the callers under test get an empty PATH
    `[ "$1" = version ] && { echo "go version go${version} linux/amd64"; exit 0; }`,
    `echo run >> '${runs}'`,
    `[ "$1 $2 $3" = "install -v ${TEMPORAL_CLI_MODULE}" ] || { echo "unexpected args: $*" >&2; exit 2; }`,
    `echo "go: downloading go.temporal.io/server v1.29.1" >&2`,
    `echo "go.temporal.io/server/common/log" >&2`,
    gate ? `while [ ! -e '${gate}' ]; do sleep 0.05; done` : '',
    fail
      ? 'for i in $(seq 1 40); do echo "noise line $i" >&2; done; echo "compile error: boom" >&2; exit 1'
      : `printf '#!/bin/sh\\necho built\\n' > "$GOBIN/temporal" && chmod 755 "$GOBIN/temporal"`,
  ].join('\n');
  return executable(path.join(dir, 'go', name), body);
}

async function runsOf(name: string): Promise<number> {
  return (await fs.readFile(path.join(dir, `${name}.runs`), 'utf8').catch(() => '')).split('\n').filter(Boolean).length;
}

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'gf-cli-'));
  lines = [];
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('obtainTemporalCli', () => {
  it('uses the explicit path first, even with temporal on PATH', async () => {
    const explicit = await executable(path.join(dir, 'explicit', 'temporal'));
    const onPath = await executable(path.join(dir, 'bin', 'temporal'));
    expect(await obtainTemporalCli({ cliPath: explicit, log: log(), env: { PATH: path.dirname(onPath) } })).toBe(explicit);
  });

  it('refuses an explicit path that is missing, not executable or a directory', async () => {
    const plain = path.join(dir, 'plain');
    await fs.writeFile(plain, 'not a program', { mode: 0o644 });
    for (const cliPath of [path.join(dir, 'missing'), plain, dir]) {
      await expect(obtainTemporalCli({ cliPath, log: log(), env: { PATH: '' } })).rejects.toMatchObject({
        code: 'temporal_cli_not_executable',
        message: expect.stringContaining('TEMPORAL_CLI='),
      });
    }
  });

  it('uses temporal on PATH before the cache', async () => {
    const onPath = await executable(path.join(dir, 'bin', 'temporal'));
    const cacheDir = path.join(dir, 'cache');
    await executable(path.join(cacheDir, 'temporal'));
    const env = { PATH: [path.join(dir, 'empty'), path.dirname(onPath)].join(path.delimiter) };
    expect(await obtainTemporalCli({ log: log(), env, cacheDir })).toBe(onPath);
  });

  it('uses the cache under XDG_CACHE_HOME, else HOME/.cache, without building', async () => {
    const xdg = await executable(path.join(dir, 'xdg', 'guildflow', 'temporal-1.5.1', 'temporal'));
    const goBinary = await fakeGo('unused');
    expect(await obtainTemporalCli({ log: log(), env: { PATH: '', XDG_CACHE_HOME: path.join(dir, 'xdg') }, goBinary })).toBe(xdg);
    expect(defaultCacheDir({ HOME: '/home/u' })).toBe('/home/u/.cache/guildflow/temporal-1.5.1');
    expect(await runsOf('unused')).toBe(0);
  });

  it('explains what to do when nothing is found and Go is missing', async () => {
    const err = await obtainTemporalCli({ log: log(), env: { PATH: path.join(dir, 'empty') }, cacheDir: path.join(dir, 'cache') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TemporalCliError);
    expect(err).toMatchObject({ code: 'go_missing' });
    expect((err as Error).message).toMatch(/Install Go 1\.25.*TEMPORAL_CLI.*TEMPORAL_ADDRESS/s);
  });

  it('builds into the cache with go install and leaves no build directory or lock behind', async () => {
    const cacheDir = path.join(dir, 'cache');
    const goBinary = await fakeGo('go');
    const cli = await obtainTemporalCli({ log: log(), env: { PATH: '' }, cacheDir, goBinary });
    expect(cli).toBe(path.join(cacheDir, 'temporal'));
    expect(await fs.readdir(cacheDir)).toEqual(['temporal']);
    expect(lines.join('')).toContain('building the Temporal CLI with go install, once');
    // Second call: cached, no build.
    expect(await obtainTemporalCli({ log: log(), env: { PATH: '' }, cacheDir, goBinary })).toBe(cli);
    expect(await runsOf('go')).toBe(1);
  });

  it('builds once when two callers race; the second waits on the lock', async () => {
    const cacheDir = path.join(dir, 'cache');
    const gate = path.join(dir, 'gate');
    const goBinary = await fakeGo('go', { gate });
    const a = obtainTemporalCli({ log: log(), env: { PATH: '' }, cacheDir, goBinary });
    await waitFor(async () => (await runsOf('go')) === 1, { timeoutMs: 10_000, what: 'the first build to start' });
    const b = obtainTemporalCli({ log: log(), env: { PATH: '' }, cacheDir, goBinary });
    await waitFor(() => lines.some((l) => l.includes('another process is building')), { timeoutMs: 10_000, what: 'the second caller to wait' });
    // Mid-build the target does not exist yet: only a whole binary is ever renamed into place.
    await expect(fs.stat(path.join(cacheDir, 'temporal'))).rejects.toMatchObject({ code: 'ENOENT' });
    await fs.writeFile(gate, '');
    expect(await Promise.all([a, b])).toEqual([path.join(cacheDir, 'temporal'), path.join(cacheDir, 'temporal')]);
    expect(await runsOf('go')).toBe(1);
  });

  it('reports a failed build with its output, then a later call can build', async () => {
    const cacheDir = path.join(dir, 'cache');
    const broken = await fakeGo('broken', { fail: true });
    await expect(obtainTemporalCli({ log: log(), env: { PATH: '' }, cacheDir, goBinary: broken })).rejects.toMatchObject({
      code: 'temporal_cli_build_failed',
      message: expect.stringContaining('compile error: boom'),
    });
    expect(await fs.readdir(cacheDir)).toEqual([]);
    const goBinary = await fakeGo('go');
    expect(await obtainTemporalCli({ log: log(), env: { PATH: '' }, cacheDir, goBinary })).toBe(path.join(cacheDir, 'temporal'));
  });

  it('takes over a lock and removes a build directory left by a dead process', async () => {
    const cacheDir = path.join(dir, 'cache');
    const deadPid = 2 ** 22 + 1; // above Linux's largest pid_max: no such process
    await fs.mkdir(path.join(cacheDir, `.build-${deadPid}-abc`), { recursive: true });
    await fs.writeFile(path.join(cacheDir, '.build.lock'), String(deadPid));
    const goBinary = await fakeGo('go');
    expect(await obtainTemporalCli({ log: log(), env: { PATH: '' }, cacheDir, goBinary })).toBe(path.join(cacheDir, 'temporal'));
    expect(await fs.readdir(cacheDir)).toEqual(['temporal']);
  });
});

describe('building the Temporal CLI, as a newcomer sees it', () => {
  /** A fake `go` on PATH (the usual way it is found), and a PATH holding nothing else. */
  async function goOnPath(opts: Parameters<typeof fakeGo>[1] = {}): Promise<NodeJS.ProcessEnv> {
    const go = await fakeGo('go', opts);
    return { PATH: path.dirname(go) };
  }

  it('logs a line with the elapsed time and what Go is doing while the build runs (no terminal)', async () => {
    const gate = path.join(dir, 'gate');
    const env = await goOnPath({ gate });
    const stream = { isTTY: false, write: jest.fn(() => true) };
    const building = obtainTemporalCli({ log: log(), env, cacheDir: path.join(dir, 'cache'), progress: { stream, intervalMs: 50 } });
    await waitFor(() => lines.some((l) => /building the Temporal CLI \(once\): \d+s elapsed, compiling: 1 of ~1,300 packages \(go\.temporal\.io\/server\/common\/log\)/.test(l)), {
      timeoutMs: 10_000,
      what: `a progress line (lines: ${lines.join('')})`,
    });
    await fs.writeFile(gate, '');
    await expect(building).resolves.toBe(path.join(dir, 'cache', 'temporal'));
    expect(stream.write).not.toHaveBeenCalled();
    expect(lines.some((l) => l.includes('built the Temporal CLI'))).toBe(true);
  });

  it('draws a spinner with the elapsed time on a terminal and clears it when done', async () => {
    const gate = path.join(dir, 'gate');
    const env = await goOnPath({ gate });
    const written: string[] = [];
    const stream = { isTTY: true, write: (text: string) => written.push(text) > 0 };
    const building = obtainTemporalCli({ log: log(), env, cacheDir: path.join(dir, 'cache'), progress: { stream } });
    await waitFor(() => written.some((w) => w.startsWith('\r\x1b[K') && /. building the Temporal CLI \(once\): \ds, compiling: 1 of ~1,300 packages/.test(w)), {
      timeoutMs: 10_000,
      what: `the spinner (written: ${JSON.stringify(written.slice(-3))})`,
    });
    await fs.writeFile(gate, '');
    await building;
    expect(written.at(-1)).toBe('\r\x1b[K');
    expect(lines.some((l) => l.includes('elapsed'))).toBe(false); // the spinner replaces the periodic lines
  });

  it('names the fix in one message when Go is too old, and does not try to build', async () => {
    const env = await goOnPath({ version: '1.19.4' });
    await expect(obtainTemporalCli({ log: log(), env, cacheDir: path.join(dir, 'cache') })).rejects.toMatchObject({
      code: 'go_too_old',
      message: expect.stringMatching(/Go 1\.19 is too old to build the Temporal CLI \(it needs 1\.25\): install Go 1\.25 or newer .*TEMPORAL_CLI/),
    });
    expect(await runsOf('go')).toBe(0);
  });

  it('accepts Go 1.21–1.24 (they fetch the toolchain) unless GOTOOLCHAIN=local', async () => {
    const env = await goOnPath({ version: '1.22.1' });
    await expect(obtainTemporalCli({ log: log(), env: { ...env, GOTOOLCHAIN: 'local' }, cacheDir: path.join(dir, 'cache') })).rejects.toMatchObject({
      code: 'go_too_old',
      message: expect.stringContaining('unset GOTOOLCHAIN'),
    });
    await expect(obtainTemporalCli({ log: log(), env, cacheDir: path.join(dir, 'cache') })).resolves.toBe(path.join(dir, 'cache', 'temporal'));
  });

  it('shows the tail of Go’s output and the exact command when the build fails', async () => {
    const env = await goOnPath({ fail: true });
    const cacheDir = path.join(dir, 'cache');
    const err = (await obtainTemporalCli({ log: log(), env, cacheDir }).catch((e: unknown) => e)) as TemporalCliError;
    expect(err.code).toBe('temporal_cli_build_failed');
    expect(err.message).toContain(`GOBIN=${cacheDir} CGO_ENABLED=0 ${path.join(dir, 'go', 'go')} install -v ${TEMPORAL_CLI_MODULE}`);
    expect(err.message).toMatch(/exit 1/);
    expect(err.message).toMatch(/noise line 40\ncompile error: boom/);
    expect(err.message).not.toContain('noise line 5\n'); // the tail, not all of it
  });
});
