/** The scale bench's baseline in a process of its own, as the API runs: `node --import tsx bench/bare-koa-server.ts <port>`. */
import { bareJsonApp } from './webhooks';

bareJsonApp().listen(Number(process.argv[2]), '127.0.0.1');
