import { ApplicationFailure } from '@temporalio/common';
import type { REST } from '@discordjs/rest';
import { Routes } from 'discord-api-types/v10';
import type { APIChannel, APIGuildMember, APIMessage, APIRole, RESTPatchAPIWebhookWithTokenMessageJSONBody, RESTPostAPIChannelMessageJSONBody } from 'discord-api-types/v10';
import type { GuildDirectory } from '../../lib/discord/guild-directory';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../prisma/client';
import { DISCORD_FAILURES } from '../../lib/flows/discord';
import { discordCode, discordNotConfigured, toDiscordFailure } from './errors';
import type { InteractionReply } from '../../lib/flows/flow';
import { guildScope } from './scope';

/** A message as activities send it (content and/or embeds, optional components). */
export type DiscordMessage = Pick<RESTPostAPIChannelMessageJSONBody, 'content' | 'embeds' | 'components' | 'allowed_mentions'>;

/**
 * A file sent with a message (an image, a .txt of codes). Text travels as a string; a Buffer only works
 * when another activity calls these helpers in-process (a Buffer does not survive a workflow's JSON).
 */
export interface DiscordFile {
  name: string;
  data: Buffer | string;
  contentType?: string;
}

export interface RoleChangeInput {
  guildId: string;
  userId: string;
  roleId: string;
  /** Shown in the server's audit log. */
  reason: string;
}

export interface DiscordDeps {
  prisma: PrismaClient;
  log: Logger;
  /** null when DISCORD_TOKEN is not set. */
  discord: REST | null;
  /** Default: built on `discord`. */
  guildDirectory?: GuildDirectory | null;
}

/**
 * Discord's side effects for workflows, through the REST client. Each is idempotent (Discord's own PUT/
 * DELETE of a member role are; a message is sent once per activity attempt that succeeds) and fails as
 * errors.ts classifies: refusals non-retryable with a human reason, outages retryable.
 */
export function createDiscordActivities({ prisma, log, discord, guildDirectory }: DiscordDeps) {
  const dlog = log.child({ component: 'discord' });
  const scope = guildScope({ discord, guildDirectory });
  const rest = (what: string): REST => {
    if (!discord) throw discordNotConfigured(what);
    return discord;
  };

  /** Why the bot may not manage `roleId`: the role hierarchy, a managed role, or Manage Roles itself. */
  async function explainRoleRefusal(client: REST, guildId: string, roleId: string): Promise<string | undefined> {
    try {
      const roles = (await client.get(Routes.guildRoles(guildId))) as APIRole[];
      const me = (await client.get(Routes.user())) as { id: string };
      const member = (await client.get(Routes.guildMember(guildId, me.id))) as APIGuildMember;
      const role = roles.find((r) => r.id === roleId);
      if (!role) return `the role <@&${roleId}> no longer exists.`;
      const botTop = Math.max(0, ...roles.filter((r) => member.roles.includes(r.id)).map((r) => r.position));
      if (role.managed) return `the role @${role.name} is managed by an integration and cannot be given by a bot.`;
      if (role.position >= botTop) {
        return `the role @${role.name} is not below Guildflow's highest role: move Guildflow's role above it (Server Settings → Roles).`;
      }
      return `Guildflow lacks the Manage Roles permission for @${role.name} in this server.`;
    } catch (err) {
      dlog.warn({ err, guildId, roleId }, 'could not diagnose a role refusal');
      return undefined;
    }
  }

  async function changeRole(action: 'add' | 'remove', input: RoleChangeInput): Promise<void> {
    const client = rest(action === 'add' ? 'give roles' : 'remove roles');
    const what = action === 'add' ? `give <@${input.userId}> the role <@&${input.roleId}>` : `remove the role <@&${input.roleId}> from <@${input.userId}>`;
    try {
      const route = Routes.guildMemberRole(input.guildId, input.userId, input.roleId);
      if (action === 'add') await client.put(route, { reason: input.reason });
      else await client.delete(route, { reason: input.reason });
      dlog.info({ guildId: input.guildId, userId: input.userId, roleId: input.roleId, action }, 'member role changed');
    } catch (err) {
      const explain: Record<string, string> = {
        [DISCORD_FAILURES.unknownRole]: `Guildflow could not ${what}: the role no longer exists.`,
        [DISCORD_FAILURES.unknownMember]: `Guildflow could not ${what}: the member is no longer in the server.`,
      };
      if (discordCode(err) === 50013) {
        const why = await explainRoleRefusal(client, input.guildId, input.roleId);
        explain[DISCORD_FAILURES.missingPermissions] = `Guildflow could not ${what}: ${why ?? 'it is missing a permission (Discord error 50013).'}`;
      }
      throw toDiscordFailure(err, what, explain);
    }
  }

  /**
   * The guild's admin log channel. The last one read is remembered, so a flow stuck because the
   * database is away can still tell the admins.
   */
  const knownAdminLogs = new Map<string, string | null>();
  async function adminLogChannel(guildId: string): Promise<string | null> {
    try {
      const settings = await prisma.guildSettings.findUnique({ where: { guildId }, select: { adminLogChannelId: true } });
      const channelId = settings?.adminLogChannelId ?? null;
      knownAdminLogs.set(guildId, channelId);
      return channelId;
    } catch (err) {
      const known = knownAdminLogs.get(guildId);
      if (known === undefined) throw err;
      dlog.warn({ err, guildId }, 'settings unreadable; using the admin log channel last read');
      return known;
    }
  }

  const rawFiles = (files?: DiscordFile[]) =>
    files?.length ? { files: files.map((f) => ({ name: f.name, data: typeof f.data === 'string' ? Buffer.from(f.data, 'utf8') : f.data, contentType: f.contentType })) } : {};
  const attachments = (files?: DiscordFile[]) => (files?.length ? { attachments: files.map((f, id) => ({ id, filename: f.name })) } : {});

  async function sendDm(userId: string, message: DiscordMessage, files?: DiscordFile[]): Promise<APIMessage> {
    const client = rest('send direct messages');
    try {
      const channel = (await client.post(Routes.userChannels(), { body: { recipient_id: userId } })) as APIChannel;
      return (await client.post(Routes.channelMessages(channel.id), { body: { ...message, ...attachments(files) }, ...rawFiles(files) })) as APIMessage;
    } catch (err) {
      throw toDiscordFailure(err, `send a direct message to <@${userId}>`);
    }
  }

  async function editOriginal(reply: InteractionReply, message: DiscordMessage, files?: DiscordFile[]): Promise<APIMessage> {
    const client = rest('answer interactions');
    try {
      const body: RESTPatchAPIWebhookWithTokenMessageJSONBody = {
        content: message.content ?? '',
        embeds: message.embeds ?? [],
        components: message.components ?? [],
        ...attachments(files),
      };
      return (await client.patch(Routes.webhookMessage(reply.applicationId, reply.interactionToken, '@original'), { body, auth: false, ...rawFiles(files) })) as APIMessage;
    } catch (err) {
      throw toDiscordFailure(err, 'update the interaction’s message');
    }
  }

  /** Why the bot may not change `userId`'s nickname: the server owner, the member's roles, or Manage Nicknames. */
  async function explainNicknameRefusal(client: REST, guildId: string, userId: string): Promise<string | undefined> {
    try {
      const guild = (await client.get(Routes.guild(guildId))) as { owner_id: string };
      if (guild.owner_id === userId) return 'Discord never lets a bot change the server owner’s nickname.';
      const roles = (await client.get(Routes.guildRoles(guildId))) as APIRole[];
      const me = (await client.get(Routes.user())) as { id: string };
      const [bot, member] = (await Promise.all([client.get(Routes.guildMember(guildId, me.id)), client.get(Routes.guildMember(guildId, userId))])) as APIGuildMember[];
      const top = (m: APIGuildMember) => Math.max(0, ...roles.filter((r) => m.roles.includes(r.id)).map((r) => r.position));
      if (top(member!) >= top(bot!)) {
        return 'the member has a role that is not below Guildflow’s highest role: move Guildflow’s role above it (Server Settings → Roles).';
      }
      return 'Guildflow lacks the Manage Nicknames permission in this server.';
    } catch (err) {
      dlog.warn({ err, guildId, userId }, 'could not diagnose a nickname refusal');
      return undefined;
    }
  }

  return {
    /** Whether the member has the role now (false when they are no longer in the server). */
    async discordMemberHasRole(input: { guildId: string; userId: string; roleId: string }): Promise<boolean> {
      const client = rest('read members');
      try {
        const member = (await client.get(Routes.guildMember(input.guildId, input.userId))) as APIGuildMember;
        return member.roles.includes(input.roleId);
      } catch (err) {
        if (discordCode(err) === 10007) return false;
        throw toDiscordFailure(err, `read the roles of <@${input.userId}>`);
      }
    },
    /** A member as Discord shows them now: roles, nickname, names; null when they are not in the server. */
    async discordGetMember(input: { guildId: string; userId: string }): Promise<{ roles: string[]; nick: string | null; username: string; globalName: string | null } | null> {
      const client = rest('read members');
      try {
        const member = (await client.get(Routes.guildMember(input.guildId, input.userId))) as APIGuildMember;
        return { roles: member.roles, nick: member.nick ?? null, username: member.user.username, globalName: member.user.global_name ?? null };
      } catch (err) {
        if (discordCode(err) === 10007) return null;
        throw toDiscordFailure(err, `read the member <@${input.userId}>`);
      }
    },
    /** Sets (or, with null, clears) a member's nickname; idempotent. A refusal says exactly why. */
    async discordSetNickname(input: { guildId: string; userId: string; nick: string | null; reason: string }): Promise<void> {
      const client = rest('change nicknames');
      const what = `change the nickname of <@${input.userId}>`;
      try {
        await client.patch(Routes.guildMember(input.guildId, input.userId), { body: { nick: input.nick ?? '' }, reason: input.reason });
        dlog.info({ guildId: input.guildId, userId: input.userId }, 'member nickname changed');
      } catch (err) {
        const explain: Record<string, string> = { [DISCORD_FAILURES.unknownMember]: `Guildflow could not ${what}: the member is no longer in the server.` };
        if (discordCode(err) === 50013) {
          const why = await explainNicknameRefusal(client, input.guildId, input.userId);
          explain[DISCORD_FAILURES.missingPermissions] = `Guildflow could not ${what}: ${why ?? 'it is missing a permission (Discord error 50013).'}`;
        }
        throw toDiscordFailure(err, what, explain);
      }
    },
    /** Gives a member a role (idempotent: giving a role the member has changes nothing). */
    async discordAddRole(input: RoleChangeInput): Promise<void> {
      await changeRole('add', input);
    },
    /**
     * Takes a role from a member. A member who left or a deleted role means there is nothing to remove:
     * `{ removed: false, why }` rather than a failure.
     */
    async discordRemoveRole(input: RoleChangeInput): Promise<{ removed: boolean; why?: string }> {
      try {
        await changeRole('remove', input);
        return { removed: true };
      } catch (err) {
        if (err instanceof ApplicationFailure && (err.type === DISCORD_FAILURES.unknownMember || err.type === DISCORD_FAILURES.unknownRole)) {
          return { removed: false, why: err.message };
        }
        throw err;
      }
    },
    /** A direct message to a user. */
    async discordSendDm(input: { userId: string; message: DiscordMessage; files?: DiscordFile[] }): Promise<{ messageId: string }> {
      return { messageId: (await sendDm(input.userId, input.message, input.files)).id };
    },
    /**
     * A follow-up message to an interaction (ephemeral by default: only the member sees it), while its
     * token is valid (15 minutes); with files.
     */
    async discordFollowUp(input: { reply: InteractionReply; message: DiscordMessage; files?: DiscordFile[]; ephemeral?: boolean }): Promise<{ messageId: string }> {
      const client = rest('answer interactions');
      try {
        const body = { ...input.message, ...attachments(input.files), flags: input.ephemeral === false ? 0 : 64 };
        const m = (await client.post(Routes.webhook(input.reply.applicationId, input.reply.interactionToken), { body, auth: false, ...rawFiles(input.files) })) as APIMessage;
        return { messageId: m.id };
      } catch (err) {
        throw toDiscordFailure(err, 'send a follow-up to the interaction');
      }
    },
    /** Replaces an interaction's original response (the ephemeral confirm message, a deferred reply). */
    async discordEditOriginal(input: { reply: InteractionReply; message: DiscordMessage; files?: DiscordFile[] }): Promise<{ messageId: string }> {
      return { messageId: (await editOriginal(input.reply, input.message, input.files)).id };
    },
    /**
     * Tells a member something: edits the interaction's message while its token is valid, otherwise (or
     * when that fails for good) sends a DM. `{ via: 'none' }` when neither is possible (closed DMs).
     */
    async discordNotifyMember(input: { userId: string; reply?: InteractionReply | null; message: DiscordMessage }): Promise<{ via: 'edit' | 'dm' | 'none'; why?: string }> {
      if (input.reply) {
        try {
          await editOriginal(input.reply, input.message);
          return { via: 'edit' };
        } catch (err) {
          if (!(err instanceof ApplicationFailure) || !err.nonRetryable || err.type === DISCORD_FAILURES.notConfigured) throw err;
          dlog.info({ userId: input.userId, type: err.type }, 'interaction message not editable; sending a DM instead');
        }
      }
      try {
        await sendDm(input.userId, input.message);
        return { via: 'dm' };
      } catch (err) {
        if (err instanceof ApplicationFailure && err.type === DISCORD_FAILURES.cannotDm) return { via: 'none', why: err.message };
        throw err;
      }
    },
    /**
     * Posts in the guild's admin log channel (GuildSettings.adminLogChannelId). `{ posted: false }` when
     * none is configured; a channel the bot cannot write in, or not of this guild, is a non-retryable
     * failure saying so.
     */
    async discordPostAdminLog(input: { guildId: string; message: DiscordMessage }): Promise<{ posted: boolean; messageId?: string }> {
      const channelId = await adminLogChannel(input.guildId);
      if (!channelId) {
        dlog.info({ guildId: input.guildId }, 'no admin log channel configured; admin notice not posted');
        return { posted: false };
      }
      const client = rest('post in the admin log');
      // A channel stored before it was checked must not receive another guild's notices.
      await scope.requireGuildChannel(input.guildId, channelId, 'post in the admin log');
      try {
        const message = (await client.post(Routes.channelMessages(channelId), { body: { ...input.message, allowed_mentions: { parse: [] } } })) as APIMessage;
        return { posted: true, messageId: message.id };
      } catch (err) {
        throw toDiscordFailure(err, `post in the admin log channel <#${channelId}>`);
      }
    },
  };
}

export type DiscordActivities = ReturnType<typeof createDiscordActivities>;
