import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createApiToken } from '../lib/api-tokens';
import type { Config } from '../lib/config';
import type { Logger } from '../lib/logger';
import type { Stoppable } from '../lib/process';
import type { PrismaClient } from '../prisma/client';
import { seedDemoGuild, type DemoGuild } from '../test/fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord, type InteractionHandle } from '../test/fakes/discord';
import { startFakeMidtrans, type FakeMidtrans } from '../test/fakes/midtrans';
import { startFakeRoblox, type FakeRoblox } from '../test/fakes/roblox';
import { fakeServicesEnv } from '../test/fakes/stack-env';
import { startStack, type StackOptions } from './stack';

/** What a playground script (or the REPL) gets: the fakes, the demo guild, the API and its admin token. */
export interface Playground {
  discord: FakeDiscord;
  roblox: FakeRoblox;
  midtrans: FakeMidtrans;
  demo: DemoGuild;
  /** The API's base URL. */
  api: string;
  /** An admin API token of the demo guild, for what an admin does on the API (`Authorization: Bearer …`). */
  adminToken: string;
  prisma: PrismaClient;
  temporalUi?: string;
  /** `/name options` in the demo guild, as `demo.member` unless another user id is given. */
  slash(name: string, options?: Record<string, unknown>, userId?: string): InteractionHandle;
}

const MIDTRANS_SERVER_KEY = 'SB-Mid-server-playground';

/**
 * Guildflow against the project's fakes of Discord, Roblox and Midtrans, with a demo guild: the same stack
 * as `npm start` (its database and Temporal settings), every outside service pointed at its fake, and a
 * code-encryption key of its own kept under the playground's data dir, so every flow runs.
 */
export async function startPlayground({ config, log, started }: { config: Config; log: Logger; started: Stoppable[] }, opts: StackOptions = {}): Promise<Playground> {
  // The playground walks flows through, it does not time them: on a machine busy with the whole test suite
  // an answer can miss Discord's 3 s window, which `npm run bench -- interactions` measures instead.
  const discord = await startFakeDiscord({ interactionAckTimeoutMs: 15_000 });
  started.push({ name: 'fake Discord', stop: () => discord.close() });
  const roblox = await startFakeRoblox();
  started.push({ name: 'fake Roblox', stop: () => roblox.close() });
  const midtrans = await startFakeMidtrans({ serverKey: MIDTRANS_SERVER_KEY });
  started.push({ name: 'fake Midtrans', stop: () => midtrans.close() });
  const demo = seedDemoGuild(discord);

  const dataDir = path.join(config.DATA_DIR, 'playground');
  const apiUrl = `http://127.0.0.1:${config.PORT}`;
  const stack = await startStack(
    {
      config: {
        ...config,
        DATA_DIR: dataDir,
        ...fakeServicesEnv({ discord, roblox, midtrans, midtransServerKey: MIDTRANS_SERVER_KEY, apiUrl }),
        CODE_ENCRYPTION_KEY: playgroundCodeKey(dataDir),
        CODE_ENCRYPTION_KEY_ID: 'playground',
        CODE_ENCRYPTION_OLD_KEYS: undefined,
      },
      log,
      started,
    },
    opts,
  );
  const { token } = await createApiToken(stack.prisma, { guildId: demo.guild.id, name: 'playground admin', level: 'admin', createdBy: 'playground', creatorLevel: 'owner' });
  log.info(
    { fakeDiscord: discord.restUrl, fakeRoblox: roblox.url, fakeMidtrans: midtrans.url, guild: demo.guild.id, member: demo.member.id, admin: demo.admin.id },
    `playground ready: demo guild "${demo.guild.name}"; Temporal UI ${stack.temporalUi ?? '(external)'}`,
  );
  return {
    discord,
    roblox,
    midtrans,
    demo,
    api: stack.apiUrl,
    adminToken: token,
    prisma: stack.prisma,
    temporalUi: stack.temporalUi,
    slash: (name, options = {}, userId = demo.member.id) => discord.slash(demo.guild.id, userId, name, options),
  };
}

/** The playground's own AES-256 key for the code stock, made on first use and kept with its data. */
function playgroundCodeKey(dataDir: string): string {
  const file = path.join(dataDir, 'code-encryption.key');
  mkdirSync(dataDir, { recursive: true });
  try {
    writeFileSync(file, randomBytes(32).toString('base64'), { flag: 'wx', mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return readFileSync(file, 'utf8').trim();
}
