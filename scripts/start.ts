/** `npm start`: the whole of Guildflow in one command, on embedded defaults unless configured otherwise. */
import { runProcess } from '../lib/process';
import { ensureWebBuilt } from '../lib/web/build';
import { startStack } from './stack';

runProcess('guildflow', async (ctx) => {
  // The dashboard is built by npm ci; a checkout that changed web/ since (or never installed) builds it here,
  // beside the start-up. A failed build leaves the API up: the dashboard's paths say it is not built.
  const dashboard = ensureWebBuilt({ quiet: true }).then(
    (built) => {
      if (built) ctx.log.info('dashboard built (web/dist)');
      return true;
    },
    (err: unknown) => {
      ctx.log.error({ err }, 'the dashboard did not build: run `npm run web:build` to see why');
      return false;
    },
  );
  const { apiUrl } = await startStack(ctx);
  if (await dashboard) ctx.log.info({ dashboard: `${apiUrl}/` }, `Dashboard: ${apiUrl}/`);
});
