/** `npm start`: the whole of Guildflow in one command, on embedded defaults unless configured otherwise. */
import { runProcess } from '../lib/process';
import { startStack } from './stack';

runProcess('guildflow', async (ctx) => {
  await startStack(ctx);
});
