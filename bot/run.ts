import { Client, Events, GatewayIntentBits, type Guild } from 'discord.js';
import type { Config } from '../lib/config';
import { commands as registeredCommands, components as registeredComponents, featureSwitches } from './commands';
import { onTicketChannelDeleted, onTicketChannelMessage } from './commands/tickets';
import { restoreOnJoin } from './commands/verify/rejoin';
import type { BotDeps } from './deps';
import { memberDirectory } from './member-directory';
import { routeInteraction, type Registry } from './router';
import { startStatusReporter } from './status-reporter';

/** How long stop() waits for running interaction handlers. */
const STOP_DRAIN_MS = 10_000;

export interface RunningBot {
  stop(): Promise<void>;
}

/** Logs in to the gateway, keeps Guild rows in step with the guilds the bot is in, and routes interactions. */
export async function startBot(
  config: Pick<Config, 'DISCORD_API_URL'> & { DISCORD_TOKEN: string },
  deps: BotDeps,
  registry: Registry = { commands: registeredCommands, components: registeredComponents, switches: featureSwitches },
): Promise<RunningBot> {
  const log = deps.log.child({ component: 'bot' });
  const client = new Client({
    // GuildMessages: tickets hear who writes in their channels (not what: no MessageContent).
    intents: [GatewayIntentBits.Guilds, GatewayIntentBits.GuildMembers, GatewayIntentBits.GuildMessages],
    rest: { api: config.DISCORD_API_URL },
  });
  const syncGuild = (guild: Guild) =>
    deps.prisma.guild
      .upsert({
        where: { id: guild.id },
        create: { id: guild.id, name: guild.name, ownerId: guild.ownerId, settings: { create: {} } },
        update: { name: guild.name, ownerId: guild.ownerId },
      })
      .catch((err: unknown) => log.error({ err, guildId: guild.id }, 'guild sync failed'));

  // Handlers still running when the bot stops (an update waiting on its workflow, a member list being
  // stored) finish first, so they never outlive the Temporal client and database pool the process closes next.
  const inFlight = new Set<Promise<void>>();
  const track = (work: Promise<unknown>) => {
    const done = work.then(() => undefined);
    inFlight.add(done);
    void done.finally(() => inFlight.delete(done));
  };
  // The member directory (the dashboard's member list): each guild's whole list once its row exists.
  const members = memberDirectory(deps.prisma, log);
  const syncGuildAndMembers = (guild: Guild) => syncGuild(guild).then(() => members.syncGuildMembers(guild));
  client.on(Events.GuildCreate, (guild) => track(syncGuildAndMembers(guild)));
  client.on(Events.GuildUpdate, (_old, guild) => void syncGuild(guild));
  client.on(Events.GuildMemberUpdate, (_old, member) => track(members.saved(member)));
  client.on(Events.GuildMemberRemove, (member) => track(members.left(member)));
  client.on(Events.GuildMemberAdd, (member) => {
    track(members.saved(member));
    if (member.user.bot) return;
    void restoreOnJoin({ ...deps, log }, { guildId: member.guild.id, userId: member.id, joinedAtMs: member.joinedTimestamp ?? Date.now() }).catch((err: unknown) =>
      log.error({ err, guildId: member.guild.id, userId: member.id }, 'could not restore a linked member’s roles'),
    );
  });
  client.on(Events.MessageCreate, (message) => {
    if (!message.inGuild() || message.author.bot) return;
    const m = { guildId: message.guildId, channelId: message.channelId, authorId: message.author.id };
    void onTicketChannelMessage({ ...deps, log }, m).catch((err: unknown) => log.error({ err, ...m }, 'could not tell a ticket about a message'));
  });
  client.on(Events.ChannelDelete, (channel) => {
    if (channel.isDMBased()) return;
    const c = { guildId: channel.guildId, channelId: channel.id };
    void onTicketChannelDeleted({ ...deps, log }, c).catch((err: unknown) => log.error({ err, ...c }, 'could not tell a ticket its channel was deleted'));
  });
  client.on(Events.InteractionCreate, (interaction) => {
    track(routeInteraction(interaction, { ...deps, log }, registry).catch((err: unknown) => log.error({ err }, 'could not answer interaction')));
  });
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  await client.login(config.DISCORD_TOKEN);
  await ready;
  // Guilds present at login arrive with READY, not as guildCreate events. A shard has only its own.
  await Promise.all(client.guilds.cache.map(syncGuild));
  // Member lists can be long (one gateway chunk per 1,000 members): stored in the background.
  for (const guild of client.guilds.cache.values()) track(members.syncGuildMembers(guild));
  // Liveness for the API's bot-status route (lib/bot-status.ts).
  const status = startStatusReporter(client, deps.prisma, log);
  // Commands belong to the application, not to a shard: the process holding shard 0 registers them.
  const shards = client.shard ? { shards: client.shard.ids, shardCount: client.shard.count } : {};
  if (!client.shard || client.shard.ids.includes(0)) await client.application?.commands.set(registry.commands.map((c) => c.data));
  log.info(
    { user: client.user?.tag, guilds: client.guilds.cache.size, ...shards, commands: registry.commands.length, features: { payments: !!deps.topup, codeShop: !!deps.codes } },
    'bot logged in',
  );
  return {
    async stop() {
      await status.stop();
      await client.destroy();
      if (inFlight.size) {
        log.info({ handlers: inFlight.size }, 'waiting for interaction handlers to finish');
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, STOP_DRAIN_MS)));
        await Promise.race([Promise.allSettled([...inFlight]), timeout]);
        clearTimeout(timer);
      }
    },
  };
}
