import {
  ApplicationCommandType,
  ApplicationIntegrationType,
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  MessageFlags,
  OverwriteType,
  PermissionFlagsBits,
  RESTJSONErrorCodes,
  type APIApplication,
  type APIApplicationCommand,
  type APIOverwrite,
  type RESTGetAPIGatewayBotResult,
  type RESTPostAPIApplicationCommandsJSONBody,
} from 'discord-api-types/v10';
import { created, noContent, ok, type Core, type RouteContext, type RouteDef, type RouteResult } from './core';
import {
  DiscordHttpError,
  cannotDmUser,
  cannotExecuteOnDm,
  cannotSendInNonText,
  editOthersMessage,
  invalidFormBody,
  missingAccess,
  missingPermissions,
  noMutualGuilds,
  unknownApplication,
  unknownChannel,
  unknownGuild,
  unknownMember,
  unknownMessage,
  unknownRole,
  unknownUser,
} from './errors';
import { applicationFlags, has } from './permissions';
import type { ChannelRec, GuildRec } from './state';
import { parseCommands, parseMessageBody, type MessageInput } from './validate';

const P = PermissionFlagsBits;
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const SNOWFLAKE = /^\d{17,20}$/;
/** Reads of one channel's history per second (Discord does not publish its figure; this is in its range). */
const HISTORY_BUCKET = { limit: 50, windowMs: 1000 };
const wrongChannelType = () =>
  new DiscordHttpError(400, RESTJSONErrorCodes.CannotExecuteActionOnThisChannelType, 'Cannot execute action on this channel type');

/** The REST routes other than interaction callbacks and webhooks (see interactions.ts). */
export function apiRoutes(core: Core): RouteDef[] {
  const s = core.state;
  const bot = () => s.botUser.id;

  // ---- lookups that fail the way Discord does --------------------------------------------------------------

  const guildOr404 = (id: string | undefined): GuildRec => {
    const g = id ? s.guild(id) : undefined;
    if (!g) throw unknownGuild();
    // A guild the bot is not in is invisible to it.
    if (!g.members.has(bot())) throw missingAccess();
    return g;
  };
  const channelOr404 = (id: string | undefined): ChannelRec => {
    const c = id ? s.channels.get(id) : undefined;
    if (!c) throw unknownChannel();
    if (c.recipientId === null && c.guildId && !has(s.channelPermissions(c, bot()), P.ViewChannel)) throw missingAccess();
    return c;
  };
  const requireChannelPerms = (c: ChannelRec, perms: bigint): void => {
    if (!has(s.channelPermissions(c, bot()), perms)) throw missingPermissions();
  };
  const requireGuildPerms = (g: GuildRec, perms: bigint): void => {
    if (!has(s.guildPermissions(g, bot()), perms)) throw missingPermissions();
  };
  /** Role hierarchy: the bot can only manage roles strictly below its highest role. */
  const requireRoleBelowBot = (g: GuildRec, roleId: string): void => {
    const role = g.roles.get(roleId);
    if (!role) throw unknownRole();
    if (g.ownerId === bot()) return;
    if (role.position >= s.highestRole(g, bot())) throw missingPermissions();
  };
  /** Member hierarchy: never the owner, and only members whose highest role is below the bot's. */
  const requireMemberBelowBot = (g: GuildRec, userId: string): void => {
    if (userId === bot() || g.ownerId === bot()) return;
    if (userId === g.ownerId || s.highestRole(g, userId) >= s.highestRole(g, bot())) throw missingPermissions();
  };
  const appOr404 = (appId: string | undefined): void => {
    if (appId !== s.applicationId) throw unknownApplication();
  };

  // ---- applications and commands ---------------------------------------------------------------------------

  const toCommand = (input: RESTPostAPIApplicationCommandsJSONBody, existing: APIApplicationCommand | undefined, guildId?: string): APIApplicationCommand => {
    const type = input.type ?? ApplicationCommandType.ChatInput;
    const command: APIApplicationCommand = {
      id: existing?.id ?? s.ids.next(),
      application_id: s.applicationId,
      version: s.ids.next(),
      type,
      name: input.name,
      description: type === ApplicationCommandType.ChatInput && 'description' in input ? (input.description ?? '') : '',
      default_member_permissions: input.default_member_permissions ?? null,
      nsfw: input.nsfw ?? false,
      contexts: input.contexts ?? null,
      integration_types: input.integration_types ?? [ApplicationIntegrationType.GuildInstall],
      ...(guildId ? { guild_id: guildId } : { dm_permission: input.dm_permission ?? true }),
    };
    if ('options' in input && input.options) command.options = input.options;
    if (input.name_localizations) command.name_localizations = input.name_localizations;
    if ('description_localizations' in input && input.description_localizations) command.description_localizations = input.description_localizations;
    return command;
  };
  /** Bulk overwrite keeps ids of commands whose (type, name) survive, as Discord does. */
  const overwrite = (current: APIApplicationCommand[], body: unknown, guildId?: string): APIApplicationCommand[] =>
    parseCommands(body).map((c) => toCommand(c, current.find((x) => x.name === c.name && x.type === (c.type ?? ApplicationCommandType.ChatInput)), guildId));
  const upsert = (
    current: APIApplicationCommand[],
    body: unknown,
    guildId?: string,
  ): { list: APIApplicationCommand[]; command: APIApplicationCommand; isNew: boolean } => {
    const [input] = parseCommands([body]);
    if (!input) throw invalidFormBody([{ path: [], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
    const type = input.type ?? ApplicationCommandType.ChatInput;
    const existing = current.find((x) => x.name === input.name && x.type === type);
    const command = toCommand(input, existing, guildId);
    const list = existing ? current.map((x) => (x === existing ? command : x)) : [...current, command];
    return { list, command, isNew: !existing };
  };
  const commandOr404 = (list: APIApplicationCommand[], id: string | undefined): APIApplicationCommand => {
    const c = list.find((x) => x.id === id);
    if (!c) throw new DiscordHttpError(404, RESTJSONErrorCodes.UnknownApplicationCommand, 'Unknown application command');
    return c;
  };
  const guildCommands = (guildId: string): APIApplicationCommand[] => s.guildCommands.get(guildId) ?? [];

  const application = (): APIApplication => {
    const flags = applicationFlags(core.options.privilegedIntents);
    return {
      id: s.applicationId,
      name: s.botUser.username,
      icon: null,
      description: '',
      bot_public: true,
      bot_require_code_grant: false,
      bot: s.toAPIUser(s.botUser),
      summary: '',
      verify_key: 'f'.repeat(64),
      team: null,
      flags,
      flags_new: String(flags),
      approximate_guild_count: s.guilds.size,
      integration_types_config: { [ApplicationIntegrationType.GuildInstall]: {} },
    } as APIApplication;
  };

  // ---- messages --------------------------------------------------------------------------------------------

  /** Who may receive a DM from the bot: a known human sharing a guild, with DMs open. */
  const checkDmRecipient = (channel: ChannelRec): void => {
    const user = channel.recipientId ? s.users.get(channel.recipientId) : undefined;
    if (!user || user.bot || user.dmsClosed) throw cannotDmUser();
    if (!s.mutualGuild(user.id)) throw noMutualGuilds();
  };
  const checkReference = (channel: ChannelRec, input: MessageInput): void => {
    const ref = input.messageReference;
    if (!ref?.message_id) return;
    const target = s.messages.get(ref.message_id);
    const failIfMissing = (ref as { fail_if_not_exists?: boolean }).fail_if_not_exists !== false;
    if ((!target || target.channelId !== (ref.channel_id ?? channel.id)) && failIfMissing) {
      throw invalidFormBody([{ path: ['message_reference'], code: 'MESSAGE_REFERENCE_UNKNOWN_MESSAGE', message: 'Unknown message' }]);
    }
  };
  const sendPerms = (channel: ChannelRec, input: MessageInput): bigint =>
    P.ViewChannel |
    (s.isThread(channel) ? P.SendMessagesInThreads : P.SendMessages) |
    (input.files.length ? P.AttachFiles : 0n) |
    (input.messageReference ? P.ReadMessageHistory : 0n);

  const messageOr404 = (channel: ChannelRec, id: string | undefined) => {
    const m = id ? s.messages.get(id) : undefined;
    // Ephemeral messages are not channel messages: the channel endpoints never see them.
    if (!m || m.channelId !== channel.id || m.flags & MessageFlags.Ephemeral) throw unknownMessage();
    return m;
  };

  /**
   * Reading history is limited per channel like Discord's per-route buckets: HISTORY_BUCKET requests a
   * second, announced in the X-RateLimit-* headers of every answer (the REST client waits on them), a 429
   * beyond it.
   */
  const historyBuckets = new Map<string, { resetAt: number; used: number }>();
  const historyBucket = (channelId: string): { allowed: boolean; headers: Record<string, string> } => {
    const now = Date.now();
    let bucket = historyBuckets.get(channelId);
    if (!bucket || bucket.resetAt <= now) historyBuckets.set(channelId, (bucket = { resetAt: now + HISTORY_BUCKET.windowMs, used: 0 }));
    const allowed = bucket.used < HISTORY_BUCKET.limit;
    if (allowed) bucket.used += 1;
    const resetAfter = (bucket.resetAt - now) / 1000;
    return {
      allowed,
      headers: {
        'x-ratelimit-limit': String(HISTORY_BUCKET.limit),
        'x-ratelimit-remaining': String(HISTORY_BUCKET.limit - bucket.used),
        'x-ratelimit-reset': (bucket.resetAt / 1000).toFixed(3),
        'x-ratelimit-reset-after': resetAfter.toFixed(3),
        'x-ratelimit-bucket': `history-${channelId}`,
        ...(allowed ? {} : { 'retry-after': String(Math.ceil(resetAfter)), 'x-ratelimit-scope': 'user' }),
      },
    };
  };

  const listMessages = (ctx: RouteContext): RouteResult => {
    const channel = channelOr404(ctx.params.channelId);
    if (channel.guildId) requireChannelPerms(channel, P.ViewChannel | P.ReadMessageHistory);
    const rawLimit = ctx.query.get('limit');
    const limit = rawLimit === null ? 50 : Number(rawLimit);
    if (!Number.isInteger(limit)) throw invalidFormBody([{ path: ['limit'], code: 'NUMBER_TYPE_COERCE', message: `Value "${rawLimit}" is not int.` }]);
    if (limit < 1) throw invalidFormBody([{ path: ['limit'], code: 'NUMBER_TYPE_MIN', message: 'int value should be greater than or equal to 1.' }]);
    if (limit > 100) throw invalidFormBody([{ path: ['limit'], code: 'NUMBER_TYPE_MAX', message: 'int value should be less than or equal to 100.' }]);
    const bucket = historyBucket(channel.id);
    if (!bucket.allowed) {
      const retryAfter = Number(bucket.headers['x-ratelimit-reset-after']);
      return { status: 429, body: { message: 'You are being rate limited.', retry_after: retryAfter, global: false }, headers: bucket.headers };
    }
    const before = ctx.query.get('before');
    const after = ctx.query.get('after');
    const around = ctx.query.get('around');
    let list = s.messagesIn(channel.id).filter((m) => !(m.flags & MessageFlags.Ephemeral));
    const big = (id: string) => BigInt(id);
    if (before) list = list.filter((m) => big(m.id) < big(before));
    if (after) list = list.filter((m) => big(m.id) > big(after)).slice(0, limit);
    if (around) {
      const i = list.findIndex((m) => big(m.id) >= big(around));
      const start = Math.max(0, (i < 0 ? list.length : i) - Math.floor(limit / 2));
      list = list.slice(start, start + limit);
    }
    // Newest first, as Discord returns them.
    return { ...ok(list.slice(-limit).reverse().map((m) => s.toAPIMessage(m))), headers: bucket.headers };
  };

  // ---- guild channels --------------------------------------------------------------------------------------

  /** The bot may only grant or deny in overwrites what it holds itself (unless Administrator). */
  const parseOverwrites = (g: GuildRec, raw: unknown, path: string): APIOverwrite[] => {
    if (raw === undefined || raw === null) return [];
    if (!Array.isArray(raw)) throw invalidFormBody([{ path: [path], code: 'BASE_TYPE_LIST', message: 'Must be a list.' }]);
    const mine = s.guildPermissions(g, bot());
    return raw.map((o: unknown, i) => {
      if (!isObj(o) || typeof o.id !== 'string') {
        throw invalidFormBody([{ path: [path, i, 'id'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
      }
      const allow = BigInt(String(o.allow ?? '0'));
      const deny = BigInt(String(o.deny ?? '0'));
      if (!(mine & P.Administrator) && ((allow | deny) & ~mine) !== 0n) throw missingPermissions();
      return { id: o.id, type: Number(o.type) === 1 ? OverwriteType.Member : OverwriteType.Role, allow: allow.toString(), deny: deny.toString() };
    });
  };

  const createGuildChannel = (ctx: RouteContext) => {
    const g = guildOr404(ctx.params.guildId);
    requireGuildPerms(g, P.ManageChannels);
    const body = isObj(ctx.body) ? ctx.body : {};
    const name = body.name;
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) {
      throw invalidFormBody([
        name
          ? { path: ['name'], code: 'BASE_TYPE_BAD_LENGTH', message: 'Must be between 1 and 100 in length.' }
          : { path: ['name'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' },
      ]);
    }
    const type = body.type === undefined || body.type === null ? ChannelType.GuildText : Number(body.type);
    if (![ChannelType.GuildText, ChannelType.GuildCategory, ChannelType.GuildVoice, ChannelType.GuildAnnouncement].includes(type)) {
      throw invalidFormBody([{ path: ['type'], code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {0, 2, 4, 5}.' }]);
    }
    const parentId = typeof body.parent_id === 'string' ? body.parent_id : null;
    if (parentId) {
      const parent = s.channels.get(parentId);
      if (!parent || parent.guildId !== g.id || parent.type !== ChannelType.GuildCategory) {
        throw invalidFormBody([{ path: ['parent_id'], code: 'CHANNEL_PARENT_INVALID', message: 'Category does not exist' }]);
      }
    }
    const overwrites = parseOverwrites(g, body.permission_overwrites, 'permission_overwrites');
    // Text channels are named in lowercase-with-dashes, as Discord normalises them.
    const finalName = type === ChannelType.GuildText || type === ChannelType.GuildAnnouncement ? name.toLowerCase().replace(/\s+/g, '-') : name;
    const channel = s.createGuildChannel(g.id, { name: finalName, type, parentId, topic: typeof body.topic === 'string' ? body.topic : null, overwrites });
    return created(s.toAPIChannel(channel));
  };

  const patchChannel = (ctx: RouteContext) => {
    const channel = channelOr404(ctx.params.channelId);
    if (!channel.guildId) throw cannotExecuteOnDm();
    const g = guildOr404(channel.guildId);
    const body = isObj(ctx.body) ? ctx.body : {};
    const thread = s.isThread(channel);
    if (!(thread && channel.ownerId === bot())) requireChannelPerms(channel, thread ? P.ManageThreads : P.ManageChannels);
    if (typeof body.name === 'string') channel.name = body.name;
    if (body.topic !== undefined) channel.topic = typeof body.topic === 'string' ? body.topic : null;
    if (body.parent_id !== undefined && !thread) channel.parentId = typeof body.parent_id === 'string' ? body.parent_id : null;
    if (body.permission_overwrites !== undefined && !thread) {
      requireChannelPerms(channel, P.ManageRoles);
      channel.overwrites = parseOverwrites(g, body.permission_overwrites, 'permission_overwrites');
    }
    if (thread && channel.threadMetadata) {
      if (typeof body.archived === 'boolean') channel.threadMetadata.archived = body.archived;
      if (typeof body.locked === 'boolean') channel.threadMetadata.locked = body.locked;
    }
    const event = thread ? GatewayDispatchEvents.ThreadUpdate : GatewayDispatchEvents.ChannelUpdate;
    s.dispatch(event, s.toAPIChannel(channel), { intent: GatewayIntentBits.Guilds, guildId: channel.guildId });
    return ok(s.toAPIChannel(channel));
  };

  const deleteChannel = (ctx: RouteContext) => {
    const channel = channelOr404(ctx.params.channelId);
    // Deleting a DM channel only closes it for the bot.
    if (channel.type === ChannelType.DM) return ok(s.toAPIChannel(channel));
    const thread = s.isThread(channel);
    if (!(thread && channel.ownerId === bot())) requireChannelPerms(channel, thread ? P.ManageThreads : P.ManageChannels);
    const payload = s.toAPIChannel(channel);
    s.deleteChannel(channel.id);
    return ok(payload);
  };

  const startThread = (ctx: RouteContext, fromMessage: boolean) => {
    const parent = channelOr404(ctx.params.channelId);
    if (!parent.guildId) throw cannotExecuteOnDm();
    if (![ChannelType.GuildText, ChannelType.GuildAnnouncement].includes(parent.type)) {
      throw wrongChannelType();
    }
    const body = isObj(ctx.body) ? ctx.body : {};
    if (typeof body.name !== 'string' || body.name.length < 1 || body.name.length > 100) {
      throw invalidFormBody([{ path: ['name'], code: 'BASE_TYPE_REQUIRED', message: 'This field is required' }]);
    }
    let type: ChannelType = ChannelType.PublicThread;
    let messageId: string | undefined;
    if (fromMessage) {
      const message = messageOr404(parent, ctx.params.messageId);
      if (s.channels.has(message.id)) {
        throw new DiscordHttpError(400, RESTJSONErrorCodes.ThreadAlreadyCreatedForMessage, 'A thread has already been created for this message');
      }
      messageId = message.id;
      if (parent.type === ChannelType.GuildAnnouncement) type = ChannelType.AnnouncementThread;
    } else {
      // Without a message, v10 still defaults to a private thread.
      type = body.type === undefined ? ChannelType.PrivateThread : Number(body.type);
      if (![ChannelType.PublicThread, ChannelType.PrivateThread, ChannelType.AnnouncementThread].includes(type)) {
        throw invalidFormBody([{ path: ['type'], code: 'BASE_TYPE_CHOICES', message: 'Value must be one of {10, 11, 12}.' }]);
      }
    }
    requireChannelPerms(parent, P.ViewChannel | (type === ChannelType.PrivateThread ? P.CreatePrivateThreads : P.CreatePublicThreads));
    const thread = s.createThread(parent, {
      name: body.name,
      type,
      ownerId: bot(),
      ...(messageId ? { fromMessageId: messageId } : {}),
      ...(typeof body.auto_archive_duration === 'number' ? { autoArchiveDuration: body.auto_archive_duration } : {}),
      ...(typeof body.invitable === 'boolean' ? { invitable: body.invitable } : {}),
    });
    if (messageId) {
      const message = s.messages.get(messageId);
      if (message) message.flags |= MessageFlags.HasThread;
    }
    return created(s.toAPIChannel(thread));
  };

  /** Threads: join/leave; private threads only admit members who can see the parent. */
  const threadMember = (ctx: RouteContext, join: boolean) => {
    const thread = channelOr404(ctx.params.channelId);
    if (!s.isThread(thread) || !thread.guildId) throw wrongChannelType();
    const g = guildOr404(thread.guildId);
    const userId = ctx.params.userId === '@me' ? bot() : (ctx.params.userId ?? '');
    memberOr404(g, userId);
    if (thread.threadMetadata?.archived) throw new DiscordHttpError(400, RESTJSONErrorCodes.InvalidActionOnArchivedThread, 'Invalid action on archived thread');
    if (userId !== bot()) {
      const ownPrivate = thread.type === ChannelType.PrivateThread && thread.ownerId === bot();
      if (!join && !ownPrivate) requireChannelPerms(thread, P.ManageThreads);
      if (join) requireChannelPerms(thread, P.SendMessagesInThreads);
    }
    s.setThreadMember(thread, userId, join);
    return noContent();
  };

  /** PUT/DELETE /channels/{id}/permissions/{overwrite}: Manage Roles in the channel, and only bits the bot holds. */
  const editOverwrite = (ctx: RouteContext, remove: boolean) => {
    const channel = channelOr404(ctx.params.channelId);
    if (!channel.guildId || s.isThread(channel)) throw wrongChannelType();
    const g = guildOr404(channel.guildId);
    requireChannelPerms(channel, P.ManageRoles);
    const id = ctx.params.overwriteId ?? '';
    if (remove) {
      channel.overwrites = channel.overwrites.filter((o) => o.id !== id);
    } else {
      const body = isObj(ctx.body) ? ctx.body : {};
      const [overwrite] = parseOverwrites(g, [{ id, type: body.type, allow: body.allow, deny: body.deny }], 'permission_overwrites');
      if (overwrite) channel.overwrites = [...channel.overwrites.filter((o) => o.id !== id), overwrite];
    }
    s.dispatch(GatewayDispatchEvents.ChannelUpdate, s.toAPIChannel(channel), { intent: GatewayIntentBits.Guilds, guildId: channel.guildId });
    return noContent();
  };

  // ---- members and roles -----------------------------------------------------------------------------------

  const memberOr404 = (g: GuildRec, userId: string | undefined) => {
    const m = userId ? g.members.get(userId) : undefined;
    if (!m) throw unknownMember();
    return m;
  };

  const changeRole = (ctx: RouteContext, action: 'add' | 'remove') => {
    const g = guildOr404(ctx.params.guildId);
    const userId = ctx.params.userId ?? '';
    memberOr404(g, userId);
    const roleId = ctx.params.roleId ?? '';
    const role = g.roles.get(roleId);
    if (!role || roleId === g.id) throw unknownRole();
    requireGuildPerms(g, P.ManageRoles);
    requireRoleBelowBot(g, roleId);
    // Integration (bot, booster) roles are managed by Discord: nobody assigns them.
    if (role.managed) throw missingPermissions();
    s.setMemberRole(g.id, userId, roleId, action, ctx.reason);
    return noContent();
  };

  const patchMember = (ctx: RouteContext) => {
    const g = guildOr404(ctx.params.guildId);
    const self = ctx.params.userId === '@me';
    const userId = self ? bot() : (ctx.params.userId ?? '');
    const member = memberOr404(g, userId);
    const body = isObj(ctx.body) ? ctx.body : {};
    if (body.nick !== undefined) {
      const nick = typeof body.nick === 'string' && body.nick.length ? body.nick : null;
      if (nick && nick.length > 32) throw invalidFormBody([{ path: ['nick'], code: 'BASE_TYPE_MAX_LENGTH', message: 'Must be 32 or fewer in length.' }]);
      if (userId === bot()) requireGuildPerms(g, P.ChangeNickname);
      else {
        requireGuildPerms(g, P.ManageNicknames);
        requireMemberBelowBot(g, userId);
      }
      s.setNickname(g.id, userId, nick, ctx.reason);
    }
    if (Array.isArray(body.roles) && !self) {
      const wanted = [...new Set(body.roles.map(String))];
      for (const id of wanted) if (!g.roles.has(id) || id === g.id) throw unknownRole();
      const added = wanted.filter((r) => !member.roles.includes(r));
      const removed = member.roles.filter((r) => !wanted.includes(r));
      if (added.length || removed.length) requireGuildPerms(g, P.ManageRoles);
      for (const r of [...added, ...removed]) {
        requireRoleBelowBot(g, r);
        if (g.roles.get(r)?.managed) throw missingPermissions();
      }
      for (const r of added) s.setMemberRole(g.id, userId, r, 'add', ctx.reason);
      for (const r of removed) s.setMemberRole(g.id, userId, r, 'remove', ctx.reason);
    }
    if (body.communication_disabled_until !== undefined && !self) {
      requireGuildPerms(g, P.ModerateMembers);
      requireMemberBelowBot(g, userId);
      member.communicationDisabledUntil = typeof body.communication_disabled_until === 'string' ? body.communication_disabled_until : null;
      s.dispatchMemberUpdate(member);
    }
    return ok(s.toAPIMember(member));
  };

  const parsePermissions = (raw: unknown): bigint | undefined => {
    if (raw === undefined || raw === null) return undefined;
    try {
      return BigInt(String(raw));
    } catch {
      throw invalidFormBody([{ path: ['permissions'], code: 'NUMBER_TYPE_COERCE', message: `Value "${String(raw)}" is not int.` }]);
    }
  };

  const createRole = (ctx: RouteContext) => {
    const g = guildOr404(ctx.params.guildId);
    requireGuildPerms(g, P.ManageRoles);
    const body = isObj(ctx.body) ? ctx.body : {};
    const permissions = parsePermissions(body.permissions) ?? g.roles.get(g.id)?.permissions ?? 0n;
    const mine = s.guildPermissions(g, bot());
    if (!(mine & P.Administrator) && (permissions & ~mine) !== 0n) throw missingPermissions();
    const role = s.createRole(g.id, {
      name: typeof body.name === 'string' ? body.name : 'new role',
      permissions,
      ...roleStyle(body),
    });
    return ok(s.toAPIRole(role));
  };

  const patchRole = (ctx: RouteContext) => {
    const g = guildOr404(ctx.params.guildId);
    const roleId = ctx.params.roleId ?? '';
    if (!g.roles.has(roleId)) throw unknownRole();
    requireGuildPerms(g, P.ManageRoles);
    requireRoleBelowBot(g, roleId);
    const body = isObj(ctx.body) ? ctx.body : {};
    const permissions = parsePermissions(body.permissions);
    const mine = s.guildPermissions(g, bot());
    if (permissions !== undefined && !(mine & P.Administrator) && (permissions & ~mine) !== 0n) throw missingPermissions();
    const role = s.updateRole(g.id, roleId, {
      ...(typeof body.name === 'string' ? { name: body.name } : {}),
      ...(permissions !== undefined ? { permissions } : {}),
      ...roleStyle(body),
    });
    return ok(s.toAPIRole(role));
  };

  const deleteRole = (ctx: RouteContext) => {
    const g = guildOr404(ctx.params.guildId);
    const roleId = ctx.params.roleId ?? '';
    const role = g.roles.get(roleId);
    if (!role || roleId === g.id) throw unknownRole();
    requireGuildPerms(g, P.ManageRoles);
    requireRoleBelowBot(g, roleId);
    if (role.managed) throw missingPermissions();
    s.deleteRole(g.id, roleId);
    return noContent();
  };

  // ---- the table -------------------------------------------------------------------------------------------

  return [
    { method: 'GET', pattern: '/gateway', auth: false, handler: () => ok({ url: core.gateway.url }) },
    {
      method: 'GET',
      pattern: '/gateway/bot',
      auth: true,
      handler: () => {
        const result: RESTGetAPIGatewayBotResult = {
          url: core.gateway.url,
          shards: core.options.recommendedShards,
          session_start_limit: { total: 1000, remaining: 1000, reset_after: 14_400_000, max_concurrency: core.options.maxConcurrency },
        };
        return ok(result);
      },
    },
    { method: 'GET', pattern: '/users/@me', auth: true, handler: () => ok({ ...s.toAPIUser(s.botUser), verified: true, mfa_enabled: false, locale: 'en-US' }) },
    {
      method: 'GET',
      pattern: '/users/@me/guilds',
      auth: true,
      handler: () =>
        ok(
          [...s.guilds.values()]
            .filter((g) => g.members.has(bot()))
            .map((g) => ({
              id: g.id,
              name: g.name,
              icon: null,
              banner: null,
              owner: g.ownerId === bot(),
              permissions: s.guildPermissions(g, bot()).toString(),
              features: [],
            })),
        ),
    },
    {
      method: 'GET',
      pattern: '/users/:userId',
      auth: true,
      handler: (ctx) => {
        const user = s.users.get(ctx.params.userId ?? '');
        if (!user) throw unknownUser();
        return ok(s.toAPIUser(user));
      },
    },
    {
      method: 'POST',
      pattern: '/users/@me/channels',
      auth: true,
      handler: (ctx) => {
        const body = isObj(ctx.body) ? ctx.body : {};
        const id = body.recipient_id;
        if (typeof id !== 'string' || !SNOWFLAKE.test(id)) {
          throw invalidFormBody([{ path: ['recipient_id'], code: 'NUMBER_TYPE_COERCE', message: `Value "${String(id)}" is not snowflake.` }]);
        }
        if (!s.users.has(id)) throw unknownUser();
        return ok(s.toAPIChannel(s.openDm(id)));
      },
    },
    { method: 'GET', pattern: '/applications/@me', auth: true, handler: () => ok(application()) },
    // Global commands.
    { method: 'GET', pattern: '/applications/:appId/commands', auth: true, handler: (ctx) => (appOr404(ctx.params.appId), ok(s.globalCommands)) },
    {
      method: 'PUT',
      pattern: '/applications/:appId/commands',
      auth: true,
      handler: (ctx) => {
        appOr404(ctx.params.appId);
        s.globalCommands = overwrite(s.globalCommands, ctx.body);
        return ok(s.globalCommands);
      },
    },
    {
      method: 'POST',
      pattern: '/applications/:appId/commands',
      auth: true,
      handler: (ctx) => {
        appOr404(ctx.params.appId);
        const { list, command, isNew } = upsert(s.globalCommands, ctx.body);
        s.globalCommands = list;
        return isNew ? created(command) : ok(command);
      },
    },
    {
      method: 'GET',
      pattern: '/applications/:appId/commands/:commandId',
      auth: true,
      handler: (ctx) => (appOr404(ctx.params.appId), ok(commandOr404(s.globalCommands, ctx.params.commandId))),
    },
    {
      method: 'DELETE',
      pattern: '/applications/:appId/commands/:commandId',
      auth: true,
      handler: (ctx) => {
        appOr404(ctx.params.appId);
        const c = commandOr404(s.globalCommands, ctx.params.commandId);
        s.globalCommands = s.globalCommands.filter((x) => x !== c);
        return noContent();
      },
    },
    // Guild commands.
    {
      method: 'GET',
      pattern: '/applications/:appId/guilds/:guildId/commands',
      auth: true,
      handler: (ctx) => {
        appOr404(ctx.params.appId);
        return ok(guildCommands(guildOr404(ctx.params.guildId).id));
      },
    },
    {
      method: 'PUT',
      pattern: '/applications/:appId/guilds/:guildId/commands',
      auth: true,
      handler: (ctx) => {
        appOr404(ctx.params.appId);
        const g = guildOr404(ctx.params.guildId);
        const list = overwrite(guildCommands(g.id), ctx.body, g.id);
        s.guildCommands.set(g.id, list);
        return ok(list);
      },
    },
    {
      method: 'POST',
      pattern: '/applications/:appId/guilds/:guildId/commands',
      auth: true,
      handler: (ctx) => {
        appOr404(ctx.params.appId);
        const g = guildOr404(ctx.params.guildId);
        const { list, command, isNew } = upsert(guildCommands(g.id), ctx.body, g.id);
        s.guildCommands.set(g.id, list);
        return isNew ? created(command) : ok(command);
      },
    },
    {
      method: 'DELETE',
      pattern: '/applications/:appId/guilds/:guildId/commands/:commandId',
      auth: true,
      handler: (ctx) => {
        appOr404(ctx.params.appId);
        const g = guildOr404(ctx.params.guildId);
        const c = commandOr404(guildCommands(g.id), ctx.params.commandId);
        s.guildCommands.set(g.id, guildCommands(g.id).filter((x) => x !== c));
        return noContent();
      },
    },
    // Channels.
    { method: 'GET', pattern: '/channels/:channelId', auth: true, handler: (ctx) => ok(s.toAPIChannel(channelOr404(ctx.params.channelId))) },
    { method: 'PATCH', pattern: '/channels/:channelId', auth: true, handler: patchChannel },
    { method: 'DELETE', pattern: '/channels/:channelId', auth: true, handler: deleteChannel },
    {
      // Pins (only what the message sync uses): the bot pins and unpins a message in a channel where it may manage messages.
      method: 'PUT',
      pattern: '/channels/:channelId/messages/pins/:messageId',
      auth: true,
      handler: (ctx) => {
        const channel = channelOr404(ctx.params.channelId);
        const message = messageOr404(channel, ctx.params.messageId);
        if (channel.guildId) requireChannelPerms(channel, P.ManageMessages);
        message.pinned = true;
        return noContent();
      },
    },
    {
      method: 'DELETE',
      pattern: '/channels/:channelId/messages/pins/:messageId',
      auth: true,
      handler: (ctx) => {
        const channel = channelOr404(ctx.params.channelId);
        const message = messageOr404(channel, ctx.params.messageId);
        if (channel.guildId) requireChannelPerms(channel, P.ManageMessages);
        message.pinned = false;
        return noContent();
      },
    },
    { method: 'GET', pattern: '/channels/:channelId/messages', auth: true, handler: listMessages },
    {
      method: 'POST',
      pattern: '/channels/:channelId/messages',
      auth: true,
      handler: (ctx) => {
        const channel = channelOr404(ctx.params.channelId);
        if (!s.isTextBased(channel)) throw cannotSendInNonText();
        const input = parseMessageBody(ctx.body, ctx.files, { edit: false });
        if (channel.type === ChannelType.DM) checkDmRecipient(channel);
        else requireChannelPerms(channel, sendPerms(channel, input));
        checkReference(channel, input);
        // Ephemeral only exists for interaction responses; on a channel message Discord drops the flag.
        if (input.flags !== undefined) input.flags &= ~MessageFlags.Ephemeral;
        return ok(s.toAPIMessage(s.createMessage(channel, bot(), input)));
      },
    },
    {
      method: 'GET',
      pattern: '/channels/:channelId/messages/:messageId',
      auth: true,
      handler: (ctx) => {
        const channel = channelOr404(ctx.params.channelId);
        if (channel.guildId) requireChannelPerms(channel, P.ViewChannel | P.ReadMessageHistory);
        return ok(s.toAPIMessage(messageOr404(channel, ctx.params.messageId)));
      },
    },
    {
      method: 'PATCH',
      pattern: '/channels/:channelId/messages/:messageId',
      auth: true,
      handler: (ctx) => {
        const channel = channelOr404(ctx.params.channelId);
        const message = messageOr404(channel, ctx.params.messageId);
        if (message.authorId !== bot() || message.webhookId) throw editOthersMessage();
        const input = parseMessageBody(ctx.body, ctx.files, { edit: true });
        if (input.flags !== undefined) input.flags &= ~MessageFlags.Ephemeral;
        return ok(s.toAPIMessage(s.editMessage(message, input)));
      },
    },
    {
      method: 'DELETE',
      pattern: '/channels/:channelId/messages/:messageId',
      auth: true,
      handler: (ctx) => {
        const channel = channelOr404(ctx.params.channelId);
        const message = messageOr404(channel, ctx.params.messageId);
        if (message.authorId !== bot()) {
          if (!channel.guildId) throw cannotExecuteOnDm();
          requireChannelPerms(channel, P.ManageMessages);
        }
        s.deleteMessage(message);
        return noContent();
      },
    },
    { method: 'PUT', pattern: '/channels/:channelId/thread-members/:userId', auth: true, handler: (ctx) => threadMember(ctx, true) },
    { method: 'DELETE', pattern: '/channels/:channelId/thread-members/:userId', auth: true, handler: (ctx) => threadMember(ctx, false) },
    { method: 'PUT', pattern: '/channels/:channelId/permissions/:overwriteId', auth: true, handler: (ctx) => editOverwrite(ctx, false) },
    { method: 'DELETE', pattern: '/channels/:channelId/permissions/:overwriteId', auth: true, handler: (ctx) => editOverwrite(ctx, true) },
    { method: 'POST', pattern: '/channels/:channelId/typing', auth: true, handler: (ctx) => (channelOr404(ctx.params.channelId), noContent()) },
    { method: 'POST', pattern: '/channels/:channelId/threads', auth: true, handler: (ctx) => startThread(ctx, false) },
    { method: 'POST', pattern: '/channels/:channelId/messages/:messageId/threads', auth: true, handler: (ctx) => startThread(ctx, true) },
    // Guilds.
    {
      method: 'GET',
      pattern: '/guilds/:guildId',
      auth: true,
      handler: (ctx) => {
        const g = guildOr404(ctx.params.guildId);
        const api = s.toAPIGuild(g);
        if (ctx.query.get('with_counts') === 'true') Object.assign(api, { approximate_member_count: g.members.size, approximate_presence_count: 0 });
        return ok(api);
      },
    },
    {
      method: 'GET',
      pattern: '/guilds/:guildId/channels',
      auth: true,
      handler: (ctx) => {
        const g = guildOr404(ctx.params.guildId);
        return ok([...s.channels.values()].filter((c) => c.guildId === g.id && !s.isThread(c)).map((c) => s.toAPIChannel(c)));
      },
    },
    { method: 'POST', pattern: '/guilds/:guildId/channels', auth: true, handler: createGuildChannel },
    {
      method: 'GET',
      pattern: '/guilds/:guildId/roles',
      auth: true,
      handler: (ctx) => ok([...guildOr404(ctx.params.guildId).roles.values()].map((r) => s.toAPIRole(r))),
    },
    { method: 'POST', pattern: '/guilds/:guildId/roles', auth: true, handler: createRole },
    { method: 'PATCH', pattern: '/guilds/:guildId/roles/:roleId', auth: true, handler: patchRole },
    { method: 'DELETE', pattern: '/guilds/:guildId/roles/:roleId', auth: true, handler: deleteRole },
    {
      method: 'GET',
      pattern: '/guilds/:guildId/members',
      auth: true,
      handler: (ctx) => {
        const g = guildOr404(ctx.params.guildId);
        // Listing members needs the Server Members toggle in the developer portal.
        if (!core.options.privilegedIntents.guildMembers) throw missingAccess();
        const limit = Math.min(1000, Math.max(1, Number(ctx.query.get('limit') ?? 1)));
        const after = BigInt(ctx.query.get('after') ?? '0');
        const list = [...g.members.values()].filter((m) => BigInt(m.userId) > after).sort((a, b) => (BigInt(a.userId) < BigInt(b.userId) ? -1 : 1));
        return ok(list.slice(0, limit).map((m) => s.toAPIMember(m)));
      },
    },
    {
      method: 'GET',
      pattern: '/guilds/:guildId/members/:userId',
      auth: true,
      handler: (ctx) => ok(s.toAPIMember(memberOr404(guildOr404(ctx.params.guildId), ctx.params.userId))),
    },
    { method: 'PATCH', pattern: '/guilds/:guildId/members/:userId', auth: true, handler: patchMember },
    { method: 'PUT', pattern: '/guilds/:guildId/members/:userId/roles/:roleId', auth: true, handler: (ctx) => changeRole(ctx, 'add') },
    { method: 'DELETE', pattern: '/guilds/:guildId/members/:userId/roles/:roleId', auth: true, handler: (ctx) => changeRole(ctx, 'remove') },
  ];
}

/** The optional look of a role in a create/modify body: only the fields given, with the right types. */
function roleStyle(body: Record<string, unknown>): { color?: number; hoist?: boolean; mentionable?: boolean } {
  return {
    ...(typeof body.color === 'number' ? { color: body.color } : {}),
    ...(typeof body.hoist === 'boolean' ? { hoist: body.hoist } : {}),
    ...(typeof body.mentionable === 'boolean' ? { mentionable: body.mentionable } : {}),
  };
}
