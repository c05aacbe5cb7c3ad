/**
 * `npm run playground [script.ts]`: Guildflow against the project's fakes of Discord, Roblox and Midtrans,
 * with a demo guild, for trying flows without a Discord token. Runs the same stack as `npm start`
 * (embedded database and Temporal dev server unless DATABASE_URL / TEMPORAL_ADDRESS are set; data in
 * DATA_DIR/playground), then either runs `script.ts` (its default export gets the playground) or opens a
 * REPL with `discord`, `roblox`, `midtrans`, `demo`, `api` and `slash()` in scope. Watch the flows in the
 * Temporal UI it prints.
 */
import path from 'node:path';
import repl from 'node:repl';
import { runProcess } from '../lib/process';
import { seedDemoGuild, type DemoGuild } from '../test/fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord, type InteractionHandle } from '../test/fakes/discord';
import { startFakeMidtrans, type FakeMidtrans } from '../test/fakes/midtrans';
import { startFakeRoblox, type FakeRoblox } from '../test/fakes/roblox';
import { startStack } from './stack';

export interface Playground {
  discord: FakeDiscord;
  roblox: FakeRoblox;
  midtrans: FakeMidtrans;
  demo: DemoGuild;
  /** The API's base URL. */
  api: string;
  temporalUi?: string;
  /** `/name options` in the demo guild, as `demo.member` unless another user id is given. */
  slash(name: string, options?: Record<string, unknown>, userId?: string): InteractionHandle;
}

runProcess('guildflow-playground', async ({ config, log, started }) => {
  const discord = await startFakeDiscord();
  started.push({ name: 'fake Discord', stop: () => discord.close() });
  const roblox = await startFakeRoblox();
  started.push({ name: 'fake Roblox', stop: () => roblox.close() });
  const midtrans = await startFakeMidtrans({ serverKey: 'SB-Mid-server-playground' });
  started.push({ name: 'fake Midtrans', stop: () => midtrans.close() });
  const demo = seedDemoGuild(discord);

  const stack = await startStack({
    config: { ...config, DATA_DIR: path.join(config.DATA_DIR, 'playground'), DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.restUrl },
    log,
    started,
  });
  const playground: Playground = {
    discord,
    roblox,
    midtrans,
    demo,
    api: stack.apiUrl,
    temporalUi: stack.temporalUi,
    slash: (name, options = {}, userId = demo.member.id) => discord.slash(demo.guild.id, userId, name, options),
  };
  log.info(
    { fakeDiscord: discord.restUrl, fakeRoblox: roblox.url, fakeMidtrans: midtrans.url, guild: demo.guild.id, member: demo.member.id, admin: demo.admin.id },
    `playground ready: demo guild "${demo.guild.name}"; Temporal UI ${stack.temporalUi ?? '(external)'}`,
  );

  const script = process.argv[2];
  if (script) {
    const mod = (await import(path.resolve(script))) as { default?: (p: Playground) => unknown };
    if (typeof mod.default !== 'function') throw new Error(`${script} must export a default function (playground) => …`);
    await mod.default(playground);
    log.info(`${script} finished; Ctrl-C to stop the playground`);
  } else if (process.stdin.isTTY) {
    const session = repl.start({ prompt: 'guildflow> ' });
    Object.assign(session.context, playground);
    session.on('exit', () => process.kill(process.pid, 'SIGINT'));
  } else {
    log.info('no TTY: running until Ctrl-C / SIGTERM');
  }
});
