/**
 * `npm run playground [script.ts]`: Guildflow against the project's fakes of Discord, Roblox and Midtrans,
 * with a demo guild, for trying flows without a Discord token. Runs the same stack as `npm start`
 * (embedded database and Temporal dev server unless DATABASE_URL / TEMPORAL_ADDRESS are set; data in
 * DATA_DIR/playground), then either runs `script.ts` (its default export gets the playground) or opens a
 * REPL with `discord`, `roblox`, `midtrans`, `demo`, `api`, `adminToken` and `slash()` in scope. Watch the
 * flows in the Temporal UI it prints. scripts/playground-examples/ has one script per flow.
 */
import path from 'node:path';
import repl from 'node:repl';
import { runProcess } from '../lib/process';
import { startPlayground, type Playground } from './playground-stack';

runProcess('guildflow-playground', async (ctx) => {
  const playground = await startPlayground(ctx);
  const script = process.argv[2];
  if (script) {
    const mod = (await import(path.resolve(script))) as { default?: (p: Playground) => unknown };
    if (typeof mod.default !== 'function') throw new Error(`${script} must export a default function (playground) => …`);
    await mod.default(playground);
    ctx.log.info(`${script} finished; Ctrl-C to stop the playground`);
  } else if (process.stdin.isTTY) {
    const session = repl.start({ prompt: 'guildflow> ' });
    Object.assign(session.context, playground);
    session.on('exit', () => process.kill(process.pid, 'SIGINT'));
  } else {
    ctx.log.info('no TTY: running until Ctrl-C / SIGTERM');
  }
});
