import { Writable } from 'node:stream';
import { MessageFlags, Routes } from 'discord.js';
import { startBot, type RunningBot } from '../../bot/run';
import { commands, components } from '../../bot/commands';
import type { Command } from '../../bot/command';
import { createCodeKeyring } from '../../lib/crypto/codes';
import { createDiscordRest, closeDiscordRest } from '../../lib/discord/rest';
import { createLogger, type Logger } from '../../lib/logger';
import { temporalLogger } from '../../workers/runtime';
import { seedDemoGuild, type DemoGuild } from '../fakes/demo-guild';
import { startFakeDiscord, type FakeDiscord, type InteractionHandle } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { testTemporal, uniqueTaskQueue, type TestTemporal } from '../helpers/temporal';

/**
 * A reply that Discord refuses must not put what it carried into the logs: the interaction token (in the
 * callback and webhook URLs) and the secret the reply was showing. The production bot (startBot, the real
 * registry) against the fake Discord; its log lines are captured as the operator would read them.
 */
const ACK_WINDOW_MS = 2000;
const SECRET_SHOWN_AFTER_DEFER = 'follow-up-secret-4f1c9a7e2b8d';

/** A command that defers and then shows a secret in a follow-up (the webhook route carries the token). */
const deferredSecret: Command = {
  data: { name: 'deferred-secret', description: 'defers, then shows a secret' },
  async handle(interaction) {
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    await interaction.followUp({ content: `Your secret: ${SECRET_SHOWN_AFTER_DEFER}`, flags: MessageFlags.Ephemeral });
  },
};

describe('secrets stay out of the logs when a reply fails', () => {
  let discord: FakeDiscord;
  let demo: DemoGuild;
  let db: TestDatabase;
  let temporal: TestTemporal;
  let bot: RunningBot;
  let log: Logger;
  const lines: string[] = [];

  beforeAll(async () => {
    discord = await startFakeDiscord({ interactionAckTimeoutMs: ACK_WINDOW_MS });
    demo = seedDemoGuild(discord);
    db = await createTestDatabase();
    temporal = await testTemporal();
    const sink = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    log = createLogger({ level: 'debug', pretty: false }, sink);
    const codes = createCodeKeyring({ id: 'test', key: Buffer.alloc(32, 9) });
    bot = await startBot(
      { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.restUrl },
      { prisma: db.prisma, temporal: temporal.client, taskQueue: uniqueTaskQueue('secret-logs'), log, codes },
      { commands: [...commands, deferredSecret], components },
    );
  });
  afterAll(async () => {
    await bot?.stop();
    await temporal?.close();
    await db?.drop();
    await discord?.close();
  });
  afterEach(() => discord.clearFaults());

  /** The bot's last word on a failed interaction: the router could not even tell the member. */
  async function failureLogged(interaction: InteractionHandle): Promise<string> {
    await discord.waitFor(() => lines.some((l) => l.includes('could not answer interaction') && l.includes(interaction.id)) || undefined, 15_000, 'the failure to be logged');
    return lines.filter((l) => l.includes(interaction.id)).join('');
  }

  /** What the bot tried to send in its first reply (the fake records the body of a refused callback). */
  function firstReplyBody(interaction: InteractionHandle): string {
    const request = discord.requests().find((r) => r.method === 'POST' && r.route === `/interactions/${interaction.id}/${interaction.token}/callback` && r.body !== undefined);
    expect(request).toBeDefined();
    return JSON.stringify(request!.body);
  }

  /** Discord answers 10062 Unknown interaction when the reply comes after the ack window. */
  const replyTooLate = () => discord.setLatency({ route: /^\/interactions\/\d+\/[^/]+\/callback$/, ms: ACK_WINDOW_MS + 100 });

  it('logs a refused /api-token create reply without the new token or the interaction token', async () => {
    replyTooLate();
    const interaction = discord.slash(demo.guild.id, demo.owner.id, 'api-token', { name: 'dashboard', level: 'mod' }, { subcommand: 'create' });
    const logged = await failureLogged(interaction);
    // The secret is base64url, which may itself hold or start with `_`: taken whole from the match.
    const [token, secret] = /gf_[a-z0-9]{12}_([A-Za-z0-9_-]{43})/.exec(firstReplyBody(interaction)) ?? [];
    expect(token).toBeDefined();
    expect(logged).toContain('interaction failed');
    expect(logged).toContain('10062'); // what went wrong is still there
    expect(logged).not.toContain(token!);
    expect(logged).not.toContain(secret!);
    expect(logged).not.toContain(interaction.token);
  });

  it('logs a refused /trades register-game reply without the game secret or the interaction token', async () => {
    replyTooLate();
    const interaction = discord.slash(demo.guild.id, demo.owner.id, 'trades', { name: 'Pet Arena' }, { subcommand: 'register-game' });
    const logged = await failureLogged(interaction);
    const secret = /\|\|`([A-Za-z0-9_-]{32,})`\|\|/.exec(firstReplyBody(interaction))?.[1];
    expect(secret).toBeDefined();
    expect(await db.prisma.robloxGame.count({ where: { guildId: demo.guild.id } })).toBe(1);
    expect(logged).toContain('interaction failed');
    expect(logged).not.toContain(secret!);
    expect(logged).not.toContain(interaction.token);
  });

  it('logs a follow-up that Discord fails (500 on the webhook route) without the secret or the interaction token', async () => {
    discord.inject({ method: 'POST', route: /^\/webhooks\/\d+\/[^/]+$/, status: 500, times: 20 });
    const interaction = discord.slash(demo.guild.id, demo.member.id, 'deferred-secret');
    const logged = await failureLogged(interaction);
    expect(logged).toContain('interaction failed');
    expect(logged).toContain('500');
    expect(logged).not.toContain(SECRET_SHOWN_AFTER_DEFER);
    expect(logged).not.toContain(interaction.token);
    expect(logged).toContain('[redacted]'); // the URL is kept, its token is not
  });

  it('logs a Discord error of an activity, as the Temporal SDK reports it, without the body or the token', async () => {
    const rest = createDiscordRest({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.restUrl })!;
    const webhookToken = 'aW50ZXJhY3Rpb246c3RhbGUtdG9rZW4tb2YtYW4tb2xkLWludGVyYWN0aW9u';
    const codes = 'CODE-7Q2M-XK4P-91ZD';
    const error = await rest.post(Routes.webhook(discord.applicationId, webhookToken), { body: { content: `Your codes: ${codes}` }, auth: false }).then(
      () => undefined,
      (err: unknown) => err,
    );
    closeDiscordRest(rest);
    expect(error).toMatchObject({ status: 404 }); // Discord no longer knows the interaction's webhook
    temporalLogger(log).warn('Activity failed', { error, activityType: 'discordFollowUp' });
    const logged = await discord.waitFor(() => lines.find((l) => l.includes('"activityType":"discordFollowUp"')), 15_000, 'the SDK log line');
    expect(logged).toContain('"status":404');
    expect(logged).not.toContain(codes);
    expect(logged).not.toContain(webhookToken);
  });
});
