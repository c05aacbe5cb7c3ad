import {
  ChannelType,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GuildDefaultMessageNotifications,
  GuildExplicitContentFilter,
  GuildMFALevel,
  GuildNSFWLevel,
  GuildPremiumTier,
  GuildVerificationLevel,
  Locale,
  MessageFlags,
  MessageReferenceType,
  MessageType,
  OverwriteType,
  type ChannelFlags,
  type GuildMemberFlags,
  type GuildSystemChannelFlags,
  type RoleFlags,
  type ThreadMemberFlags,
  type UserFlags,
  type APIApplicationCommand,
  type APIAttachment,
  type APIChannel,
  type APIEmbed,
  type APIGuild,
  type APIGuildMember,
  type APIMessage,
  type APIMessageInteraction,
  type APIMessageInteractionMetadata,
  type APIMessageReference,
  type APIMessageTopLevelComponent,
  type APIOverwrite,
  type APIRole,
  type APIThreadMember,
  type APIThreadMetadata,
  type APIUser,
  type GatewayGuildCreateDispatchData,
  type GatewayGuildMemberUpdateDispatchData,
  type GatewayMessageCreateDispatchData,
  type APIGuildMemberNoUser,
} from 'discord-api-types/v10';
import {
  ALL_PERMISSIONS,
  DEFAULT_BOT_PERMISSIONS,
  DEFAULT_EVERYONE_PERMISSIONS,
  applyOverwrites,
  basePermissions,
  highestPosition,
} from './permissions';
import { SnowflakeGenerator, type ShardTuple } from './snowflake';
import type { AttachmentRecord, MessageRecord, NicknameChange, RoleChange } from './types';
import type { MessageInput, UploadedFile } from './validate';

export interface UserRec {
  id: string;
  username: string;
  globalName: string | null;
  discriminator: string;
  bot: boolean;
  dmsClosed: boolean;
}

export interface RoleRec {
  id: string;
  guildId: string;
  name: string;
  position: number;
  permissions: bigint;
  color: number;
  hoist: boolean;
  mentionable: boolean;
  managed: boolean;
  botId?: string;
}

export interface MemberRec {
  guildId: string;
  userId: string;
  nick: string | null;
  roles: string[];
  joinedAt: string;
  communicationDisabledUntil: string | null;
}

export interface GuildRec {
  id: string;
  name: string;
  ownerId: string;
  roles: Map<string, RoleRec>;
  members: Map<string, MemberRec>;
  botRoleId: string;
  systemChannelId: string | null;
  createdAt: number;
}

export interface ChannelRec {
  id: string;
  type: ChannelType;
  guildId: string | null;
  name: string | null;
  parentId: string | null;
  position: number;
  topic: string | null;
  nsfw: boolean;
  rateLimitPerUser: number;
  overwrites: APIOverwrite[];
  /** DM channels: the other user. */
  recipientId: string | null;
  /** Threads: creator. */
  ownerId: string | null;
  lastMessageId: string | null;
  threadMetadata?: APIThreadMetadata;
  messageCount: number;
  /** Threads: user ids that joined (the creator joins automatically). */
  threadMembers: Set<string>;
}

export interface StoredAttachment extends Omit<AttachmentRecord, 'url'> {
  url: string;
}

export interface StoredMessage {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  content: string;
  embeds: APIEmbed[];
  components: APIMessageTopLevelComponent[];
  attachments: StoredAttachment[];
  flags: number;
  type: MessageType;
  tts: boolean;
  timestamp: string;
  editedTimestamp: string | null;
  messageReference?: APIMessageReference;
  webhookId?: string;
  applicationId?: string;
  interactionMetadata?: APIMessageInteractionMetadata;
  interaction?: APIMessageInteraction;
  interactionId?: string;
  /** Set by PUT /channels/:id/pins/:id (announcements can be pinned). */
  pinned?: boolean;
  at: number;
}

export interface RoleInput {
  name?: string;
  position?: number;
  permissions?: bigint;
  color?: number;
  hoist?: boolean;
  mentionable?: boolean;
}

/**
 * Who receives a dispatch: sessions whose intents include `intent` (null = every session) and whose shard
 * holds `guildId` (null = not in a guild, e.g. DMs, which Discord sends to shard 0).
 */
export interface DispatchScope {
  intent: number | null;
  guildId: string | null;
}

/** Payloads may depend on the receiving session's intents (member lists, message content). */
export type DispatchData = unknown | ((intents: number) => unknown);
export type DispatchFn = (t: GatewayDispatchEvents, d: DispatchData, scope: DispatchScope) => void;

const I = GatewayIntentBits;

/** Discord reports these content types for common extensions when the upload said octet-stream. */
const CONTENT_TYPES: Record<string, string> = {
  txt: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  pdf: 'application/pdf',
  zip: 'application/zip',
};

function guessContentType(filename: string, uploaded: string): string {
  const ext = filename.split('.').pop()?.toLowerCase() ?? '';
  if (uploaded && uploaded !== 'application/octet-stream') {
    return uploaded.startsWith('text/') && !uploaded.includes('charset') ? `${uploaded}; charset=utf-8` : uploaded;
  }
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

const iso = (ms: number) => new Date(ms).toISOString().replace('Z', '+00:00');

/**
 * The fake's world: users, guilds, roles, members, channels, messages, commands. Mutations dispatch the
 * gateway events Discord would send; serialisers produce discord-api-types shapes.
 */
export class DiscordState {
  readonly ids = new SnowflakeGenerator();
  readonly users = new Map<string, UserRec>();
  readonly guilds = new Map<string, GuildRec>();
  readonly channels = new Map<string, ChannelRec>();
  /** Insertion order is creation order, which is also id order. */
  readonly messages = new Map<string, StoredMessage>();
  readonly dmChannelByUser = new Map<string, string>();
  globalCommands: APIApplicationCommand[] = [];
  readonly guildCommands = new Map<string, APIApplicationCommand[]>();
  readonly roleChanges: RoleChange[] = [];
  readonly nicknameChanges: NicknameChange[] = [];
  readonly botUser: UserRec;
  /** For bots created since 2019 the application id equals the bot user's id. */
  readonly applicationId: string;
  dispatch: DispatchFn = () => undefined;
  /** Base for attachment URLs (the fake serves them); set once the server listens. */
  baseUrl = 'http://127.0.0.1';

  constructor(botUsername: string) {
    this.botUser = this.createUser({ username: botUsername, bot: true });
    this.applicationId = this.botUser.id;
  }

  // ---- lookups -------------------------------------------------------------------------------------------

  guild(id: string): GuildRec | undefined {
    return this.guilds.get(id);
  }

  memberOf(guildId: string, userId: string): MemberRec | undefined {
    return this.guilds.get(guildId)?.members.get(userId);
  }

  /** Guild permissions of a user (owner and Administrator get everything). */
  guildPermissions(guild: GuildRec, userId: string): bigint {
    const member = guild.members.get(userId);
    if (!member) return 0n;
    return basePermissions({ guildId: guild.id, ownerId: guild.ownerId, userId, roleIds: member.roles, roles: guild.roles });
  }

  /** Channel permissions of a user; threads use their parent's overwrites. DMs allow everything relevant. */
  channelPermissions(channel: ChannelRec, userId: string): bigint {
    if (!channel.guildId) return ALL_PERMISSIONS;
    const guild = this.guilds.get(channel.guildId);
    const member = guild?.members.get(userId);
    if (!guild || !member) return 0n;
    const source = this.isThread(channel) && channel.parentId ? (this.channels.get(channel.parentId) ?? channel) : channel;
    return applyOverwrites({
      base: this.guildPermissions(guild, userId),
      guildId: guild.id,
      userId,
      roleIds: member.roles,
      overwrites: source.overwrites,
    });
  }

  highestRole(guild: GuildRec, userId: string): number {
    return highestPosition(guild.members.get(userId)?.roles ?? [], guild.roles);
  }

  isThread(c: ChannelRec): boolean {
    return c.type === ChannelType.PublicThread || c.type === ChannelType.PrivateThread || c.type === ChannelType.AnnouncementThread;
  }

  isTextBased(c: ChannelRec): boolean {
    return [ChannelType.GuildText, ChannelType.DM, ChannelType.GuildAnnouncement, ChannelType.GuildVoice].includes(c.type) || this.isThread(c);
  }

  mutualGuild(userId: string): boolean {
    return [...this.guilds.values()].some((g) => g.members.has(userId) && g.members.has(this.botUser.id));
  }

  messagesIn(channelId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channelId === channelId);
  }

  // ---- setup ---------------------------------------------------------------------------------------------

  createUser(input: { username: string; globalName?: string; bot?: boolean }): UserRec {
    const id = this.ids.next();
    const bot = input.bot ?? false;
    const user: UserRec = {
      id,
      username: input.username,
      globalName: bot ? null : (input.globalName ?? input.username),
      // Bots kept their four-digit discriminators; users moved to unique usernames ("0").
      discriminator: bot ? String(1000 + (Number(BigInt(id) % 9000n))) : '0',
      bot,
      dmsClosed: false,
    };
    this.users.set(id, user);
    return user;
  }

  createGuild(input: { name: string; ownerId?: string; shard?: ShardTuple }): GuildRec {
    const owner = input.ownerId ? this.users.get(input.ownerId) : this.createUser({ username: `${input.name.toLowerCase().replace(/\W+/g, '-')}-owner` });
    if (!owner) throw new Error(`createGuild: unknown owner user ${input.ownerId}`);
    const id = this.ids.next(Date.now(), input.shard);
    const now = Date.now();
    const guild: GuildRec = {
      id,
      name: input.name,
      ownerId: owner.id,
      roles: new Map(),
      members: new Map(),
      botRoleId: '',
      systemChannelId: null,
      createdAt: now,
    };
    // @everyone shares the guild's id and sits at position 0.
    const everyone = { name: '@everyone', position: 0, permissions: DEFAULT_EVERYONE_PERMISSIONS };
    guild.roles.set(id, { id, guildId: id, ...everyone, color: 0, hoist: false, mentionable: false, managed: false });
    const botRole: RoleRec = {
      id: this.ids.next(),
      guildId: id,
      name: this.botUser.username,
      position: 1,
      permissions: DEFAULT_BOT_PERMISSIONS,
      color: 0,
      hoist: false,
      mentionable: false,
      managed: true,
      botId: this.botUser.id,
    };
    guild.roles.set(botRole.id, botRole);
    guild.botRoleId = botRole.id;
    this.guilds.set(id, guild);
    const joined = { guildId: id, nick: null, joinedAt: iso(now), communicationDisabledUntil: null };
    guild.members.set(owner.id, { ...joined, userId: owner.id, roles: [] });
    guild.members.set(this.botUser.id, { ...joined, userId: this.botUser.id, roles: [botRole.id] });
    const general = this.insertChannel({ guildId: id, name: 'general', type: ChannelType.GuildText });
    guild.systemChannelId = general.id;
    // The bot joining a guild is what makes Discord send GUILD_CREATE to a connected session.
    this.dispatch(GatewayDispatchEvents.GuildCreate, (intents: number) => this.guildCreatePayload(guild, intents), { intent: I.Guilds, guildId: id });
    return guild;
  }

  addMember(guildId: string, userId: string, opts: { roles?: string[]; nick?: string | null } = {}): MemberRec {
    const guild = this.requireGuild(guildId);
    if (!this.users.has(userId)) throw new Error(`addMember: unknown user ${userId}`);
    for (const r of opts.roles ?? []) if (!guild.roles.has(r) || r === guild.id) throw new Error(`addMember: unknown role ${r} in guild ${guildId}`);
    const member: MemberRec = {
      guildId,
      userId,
      nick: opts.nick ?? null,
      roles: [...(opts.roles ?? [])],
      joinedAt: iso(Date.now()),
      communicationDisabledUntil: null,
    };
    guild.members.set(userId, member);
    this.dispatch(GatewayDispatchEvents.GuildMemberAdd, { ...this.toAPIMember(member), guild_id: guildId }, { intent: I.GuildMembers, guildId });
    return member;
  }

  removeMember(guildId: string, userId: string): void {
    const guild = this.requireGuild(guildId);
    if (!guild.members.delete(userId)) throw new Error(`removeMember: ${userId} is not in guild ${guildId}`);
    // The bot leaving (kicked) loses the guild: GUILD_DELETE without `unavailable`.
    if (userId === this.botUser.id) return this.dispatch(GatewayDispatchEvents.GuildDelete, { id: guildId }, { intent: I.Guilds, guildId });
    this.dispatch(GatewayDispatchEvents.GuildMemberRemove, { guild_id: guildId, user: this.toAPIUser(this.requireUser(userId)) }, { intent: I.GuildMembers, guildId });
  }

  /** New roles go to position 1 (just above @everyone) unless told otherwise, as in Discord. */
  createRole(guildId: string, input: RoleInput & { name: string }): RoleRec {
    const guild = this.requireGuild(guildId);
    const role: RoleRec = {
      id: this.ids.next(),
      guildId,
      name: input.name,
      position: 0,
      permissions: input.permissions ?? 0n,
      color: input.color ?? 0,
      hoist: input.hoist ?? false,
      mentionable: input.mentionable ?? false,
      managed: false,
    };
    guild.roles.set(role.id, role);
    const moved = this.placeRole(guild, role.id, input.position ?? 1);
    this.dispatch(GatewayDispatchEvents.GuildRoleCreate, { guild_id: guildId, role: this.toAPIRole(role) }, { intent: I.Guilds, guildId });
    this.dispatchRoleUpdates(guild, moved.filter((r) => r !== role.id));
    return role;
  }

  updateRole(guildId: string, roleId: string, patch: RoleInput): RoleRec {
    const guild = this.requireGuild(guildId);
    const role = guild.roles.get(roleId);
    if (!role) throw new Error(`updateRole: unknown role ${roleId}`);
    if (patch.name !== undefined) role.name = patch.name;
    if (patch.permissions !== undefined) role.permissions = patch.permissions;
    if (patch.color !== undefined) role.color = patch.color;
    if (patch.hoist !== undefined) role.hoist = patch.hoist;
    if (patch.mentionable !== undefined) role.mentionable = patch.mentionable;
    const moved = patch.position !== undefined && roleId !== guildId ? this.placeRole(guild, roleId, patch.position) : [];
    this.dispatchRoleUpdates(guild, [...new Set([roleId, ...moved])]);
    return role;
  }

  deleteRole(guildId: string, roleId: string): void {
    const guild = this.requireGuild(guildId);
    if (!guild.roles.delete(roleId)) throw new Error(`deleteRole: unknown role ${roleId}`);
    for (const m of guild.members.values()) m.roles = m.roles.filter((r) => r !== roleId);
    const moved = this.renumber(guild);
    this.dispatch(GatewayDispatchEvents.GuildRoleDelete, { guild_id: guildId, role_id: roleId }, { intent: I.Guilds, guildId });
    this.dispatchRoleUpdates(guild, moved);
  }

  /**
   * Moves a role to `position` among the non-@everyone roles (1 = lowest) and renumbers 1..n, so positions
   * stay unique as Discord's client keeps them. Returns the ids whose position changed.
   */
  private placeRole(guild: GuildRec, roleId: string, position: number): string[] {
    const before = new Map([...guild.roles.values()].map((r) => [r.id, r.position]));
    const others = [...guild.roles.values()]
      .filter((r) => r.id !== guild.id && r.id !== roleId)
      .sort((a, b) => a.position - b.position || (BigInt(b.id) > BigInt(a.id) ? 1 : -1));
    const role = guild.roles.get(roleId);
    if (!role) return [];
    const index = Math.max(0, Math.min(others.length, position - 1));
    others.splice(index, 0, role);
    others.forEach((r, i) => (r.position = i + 1));
    return others.filter((r) => before.get(r.id) !== r.position).map((r) => r.id);
  }

  private renumber(guild: GuildRec): string[] {
    const roles = [...guild.roles.values()].filter((r) => r.id !== guild.id).sort((a, b) => a.position - b.position);
    const moved: string[] = [];
    roles.forEach((r, i) => {
      if (r.position !== i + 1) moved.push(r.id);
      r.position = i + 1;
    });
    return moved;
  }

  private dispatchRoleUpdates(guild: GuildRec, roleIds: string[]): void {
    for (const id of roleIds) {
      const role = guild.roles.get(id);
      if (role) this.dispatch(GatewayDispatchEvents.GuildRoleUpdate, { guild_id: guild.id, role: this.toAPIRole(role) }, { intent: I.Guilds, guildId: guild.id });
    }
  }

  insertChannel(input: {
    guildId: string | null;
    name: string | null;
    type: ChannelType;
    parentId?: string | null;
    topic?: string | null;
    overwrites?: APIOverwrite[];
    recipientId?: string;
    ownerId?: string;
    id?: string;
    autoArchiveDuration?: number;
    invitable?: boolean;
  }): ChannelRec {
    const siblings = [...this.channels.values()].filter((c) => c.guildId === input.guildId && c.guildId !== null);
    const channel: ChannelRec = {
      id: input.id ?? this.ids.next(),
      type: input.type,
      guildId: input.guildId,
      name: input.name,
      parentId: input.parentId ?? null,
      position: siblings.length,
      topic: input.topic ?? null,
      nsfw: false,
      rateLimitPerUser: 0,
      overwrites: input.overwrites ?? [],
      recipientId: input.recipientId ?? null,
      ownerId: input.ownerId ?? null,
      lastMessageId: null,
      messageCount: 0,
      threadMembers: new Set(input.ownerId ? [input.ownerId] : []),
    };
    if (this.isThread(channel)) {
      const now = iso(Date.now());
      channel.threadMetadata = {
        archived: false,
        auto_archive_duration: (input.autoArchiveDuration ?? 4320) as APIThreadMetadata['auto_archive_duration'],
        archive_timestamp: now,
        locked: false,
        create_timestamp: now,
        ...(channel.type === ChannelType.PrivateThread ? { invitable: input.invitable ?? true } : {}),
      };
    }
    this.channels.set(channel.id, channel);
    return channel;
  }

  createGuildChannel(
    guildId: string,
    input: { name: string; type?: ChannelType; parentId?: string | null; topic?: string | null; overwrites?: APIOverwrite[] },
  ): ChannelRec {
    this.requireGuild(guildId);
    const channel = this.insertChannel({
      guildId,
      name: input.name,
      type: input.type ?? ChannelType.GuildText,
      parentId: input.parentId ?? null,
      topic: input.topic ?? null,
      overwrites: input.overwrites ?? [],
    });
    this.dispatch(GatewayDispatchEvents.ChannelCreate, this.toAPIChannel(channel), { intent: I.Guilds, guildId });
    return channel;
  }

  createThread(
    parent: ChannelRec,
    input: { name: string; type: ChannelType; ownerId: string; fromMessageId?: string; autoArchiveDuration?: number; invitable?: boolean },
  ): ChannelRec {
    const thread = this.insertChannel({
      guildId: parent.guildId,
      name: input.name,
      type: input.type,
      parentId: parent.id,
      ownerId: input.ownerId,
      // A thread started from a message takes the message's id, as on Discord.
      ...(input.fromMessageId ? { id: input.fromMessageId } : {}),
      ...(input.autoArchiveDuration !== undefined ? { autoArchiveDuration: input.autoArchiveDuration } : {}),
      ...(input.invitable !== undefined ? { invitable: input.invitable } : {}),
    });
    this.dispatch(GatewayDispatchEvents.ThreadCreate, { ...this.toAPIChannel(thread), newly_created: true }, { intent: I.Guilds, guildId: thread.guildId });
    return thread;
  }

  /** Deletes a channel with its messages (and, for a parent, its threads), dispatching what Discord would. */
  deleteChannel(channelId: string): ChannelRec {
    const channel = this.channels.get(channelId);
    if (!channel) throw new Error(`deleteChannel: unknown channel ${channelId}`);
    const payload = this.toAPIChannel(channel);
    for (const thread of [...this.channels.values()].filter((c) => c.parentId === channelId && this.isThread(c))) this.deleteChannel(thread.id);
    for (const m of this.messagesIn(channelId)) this.messages.delete(m.id);
    this.channels.delete(channelId);
    if (channel.recipientId) this.dmChannelByUser.delete(channel.recipientId);
    if (this.isThread(channel)) {
      const data = { id: channel.id, guild_id: channel.guildId, parent_id: channel.parentId, type: channel.type };
      this.dispatch(GatewayDispatchEvents.ThreadDelete, data, { intent: I.Guilds, guildId: channel.guildId });
    } else if (channel.guildId) {
      this.dispatch(GatewayDispatchEvents.ChannelDelete, payload, { intent: I.Guilds, guildId: channel.guildId });
    }
    return channel;
  }

  /** Adds or removes a thread member and sends THREAD_MEMBERS_UPDATE (others' changes need GUILD_MEMBERS). */
  setThreadMember(thread: ChannelRec, userId: string, join: boolean): boolean {
    if (thread.threadMembers.has(userId) === join) return false;
    if (join) thread.threadMembers.add(userId);
    else thread.threadMembers.delete(userId);
    const member = thread.guildId ? this.memberOf(thread.guildId, userId) : undefined;
    const data: Record<string, unknown> = { id: thread.id, guild_id: thread.guildId, member_count: Math.min(50, thread.threadMembers.size) };
    if (join) {
      data.added_members = [
        { id: thread.id, user_id: userId, join_timestamp: iso(Date.now()), flags: 0, ...(member ? { member: this.toAPIMember(member) } : {}) },
      ];
    } else {
      data.removed_member_ids = [userId];
    }
    this.dispatch(GatewayDispatchEvents.ThreadMembersUpdate, data, { intent: userId === this.botUser.id ? I.Guilds : I.GuildMembers, guildId: thread.guildId });
    return true;
  }

  openDm(userId: string): ChannelRec {
    const existing = this.dmChannelByUser.get(userId);
    const found = existing ? this.channels.get(existing) : undefined;
    if (found) return found;
    const channel = this.insertChannel({ guildId: null, name: null, type: ChannelType.DM, recipientId: userId });
    this.dmChannelByUser.set(userId, channel.id);
    return channel;
  }

  // ---- messages ------------------------------------------------------------------------------------------

  private toAttachments(channelId: string, input: MessageInput, keep: StoredAttachment[]): StoredAttachment[] {
    const refs = input.attachmentRefs ?? [];
    const kept = input.attachmentRefs ? keep.filter((a) => refs.some((r) => r.id === a.id)) : keep;
    const uploaded = input.files.map((file: UploadedFile, index) => {
      // files[n] pairs with attachments[{ id: n }] for filename and description overrides.
      const n = /^files\[(\d+)\]$/.exec(file.field)?.[1] ?? String(index);
      const ref = refs.find((r) => r.id === n);
      const id = this.ids.next();
      const filename = (ref?.filename ?? file.filename).replace(/[^\w.-]/g, '_');
      const att: StoredAttachment = {
        id,
        filename,
        size: file.data.length,
        contentType: guessContentType(filename, file.contentType),
        uploadedContentType: file.contentType,
        data: file.data,
        url: `${this.baseUrl}/attachments/${channelId}/${id}/${encodeURIComponent(filename)}`,
      };
      if (ref?.description !== undefined) att.description = ref.description;
      return att;
    });
    return [...kept, ...uploaded];
  }

  createMessage(
    channel: ChannelRec,
    authorId: string,
    input: MessageInput,
    extra: {
      type?: MessageType;
      id?: string;
      webhookId?: string;
      applicationId?: string;
      interactionMetadata?: APIMessageInteractionMetadata;
      interaction?: APIMessageInteraction;
      interactionId?: string;
    } = {},
  ): StoredMessage {
    const at = Date.now();
    const id = extra.id ?? this.ids.next(at);
    const message: StoredMessage = {
      id,
      channelId: channel.id,
      guildId: channel.guildId,
      authorId,
      content: input.content ?? '',
      embeds: (input.embeds ?? []).map((e) => ({ type: 'rich', ...e }) as APIEmbed),
      components: input.components ?? [],
      attachments: this.toAttachments(channel.id, input, []),
      flags: input.flags ?? 0,
      type: extra.type ?? (input.messageReference ? MessageType.Reply : MessageType.Default),
      tts: input.tts ?? false,
      timestamp: iso(at),
      editedTimestamp: null,
      at,
    };
    const ref = input.messageReference;
    if (ref) {
      const defaults = { type: MessageReferenceType.Default, guild_id: channel.guildId ?? undefined };
      message.messageReference = { ...defaults, ...ref, channel_id: ref.channel_id ?? channel.id };
    }
    if (extra.webhookId) message.webhookId = extra.webhookId;
    if (extra.applicationId) message.applicationId = extra.applicationId;
    if (extra.interactionMetadata) message.interactionMetadata = extra.interactionMetadata;
    if (extra.interaction) message.interaction = extra.interaction;
    if (extra.interactionId) message.interactionId = extra.interactionId;
    this.messages.set(id, message);
    if (!(message.flags & MessageFlags.Ephemeral)) {
      channel.lastMessageId = id;
      channel.messageCount += 1;
      this.dispatchMessage(GatewayDispatchEvents.MessageCreate, message);
    }
    return message;
  }

  editMessage(message: StoredMessage, input: MessageInput, { silentEdit = false }: { silentEdit?: boolean } = {}): StoredMessage {
    if (input.content !== undefined) message.content = input.content;
    if (input.embeds !== undefined) message.embeds = input.embeds.map((e) => ({ type: 'rich', ...e }) as APIEmbed);
    if (input.components !== undefined) message.components = input.components;
    if (input.attachmentRefs !== undefined || input.files.length) message.attachments = this.toAttachments(message.channelId, input, message.attachments);
    if (input.flags !== undefined) {
      // Only SUPPRESS_EMBEDS (and v2 layout) can be toggled on edit; ephemeral-ness is fixed at creation.
      const keep = message.flags & ~(MessageFlags.SuppressEmbeds | MessageFlags.IsComponentsV2);
      message.flags = keep | (input.flags & (MessageFlags.SuppressEmbeds | MessageFlags.IsComponentsV2));
    }
    // Filling in a deferred ("thinking") response is not shown as an edit.
    if (message.flags & MessageFlags.Loading) message.flags &= ~MessageFlags.Loading;
    else if (!silentEdit) message.editedTimestamp = iso(Date.now());
    if (!(message.flags & MessageFlags.Ephemeral)) this.dispatchMessage(GatewayDispatchEvents.MessageUpdate, message);
    return message;
  }

  deleteMessage(message: StoredMessage): void {
    this.messages.delete(message.id);
    const channel = this.channels.get(message.channelId);
    if (channel && channel.lastMessageId === message.id) channel.lastMessageId = null;
    if (message.flags & MessageFlags.Ephemeral) return;
    const intent = message.guildId ? I.GuildMessages : I.DirectMessages;
    const data: Record<string, string> = { id: message.id, channel_id: message.channelId };
    if (message.guildId) data.guild_id = message.guildId;
    this.dispatch(GatewayDispatchEvents.MessageDelete, data, { intent, guildId: message.guildId });
  }

  /**
   * MESSAGE_CREATE/UPDATE carry `guild_id` and the author's `member`. Without the Message Content intent a
   * bot gets empty content/embeds/attachments/components for other users' guild messages, as on Discord.
   */
  private dispatchMessage(t: GatewayDispatchEvents.MessageCreate | GatewayDispatchEvents.MessageUpdate, message: StoredMessage): void {
    const intent = message.guildId ? I.GuildMessages : I.DirectMessages;
    this.dispatch(
      t,
      (intents: number) => {
        const api = this.toAPIMessage(message) as GatewayMessageCreateDispatchData;
        const channel = this.channels.get(message.channelId);
        if (channel) api.channel_type = channel.type as GatewayMessageCreateDispatchData['channel_type'];
        if (message.guildId) {
          const guildId = message.guildId;
          api.guild_id = guildId;
          const member = this.memberOf(guildId, message.authorId);
          if (member && !message.webhookId) api.member = this.toAPIMemberNoUser(member);
          // In guilds each mentioned user carries their member object.
          api.mentions = api.mentions.map((u) => {
            const m = this.memberOf(guildId, u.id);
            return m ? { ...u, member: this.toAPIMemberNoUser(m) } : u;
          });
        }
        const own = message.authorId === this.botUser.id;
        const mentioned = api.mentions.some((u) => u.id === this.botUser.id);
        if (!(intents & I.MessageContent) && message.guildId && !own && !mentioned) {
          api.content = '';
          api.embeds = [];
          api.attachments = [];
          api.components = [];
        }
        return api;
      },
      { intent, guildId: message.guildId },
    );
  }

  // ---- members -------------------------------------------------------------------------------------------

  setMemberRole(guildId: string, userId: string, roleId: string, action: 'add' | 'remove', reason?: string): boolean {
    const member = this.memberOf(guildId, userId);
    if (!member) throw new Error(`setMemberRole: ${userId} is not in guild ${guildId}`);
    const has = member.roles.includes(roleId);
    if ((action === 'add') === has) return false;
    member.roles = action === 'add' ? [...member.roles, roleId] : member.roles.filter((r) => r !== roleId);
    this.roleChanges.push({ guildId, userId, roleId, action, ...(reason ? { reason } : {}), at: Date.now() });
    this.dispatchMemberUpdate(member);
    return true;
  }

  setNickname(guildId: string, userId: string, nick: string | null, reason?: string): void {
    const member = this.memberOf(guildId, userId);
    if (!member) throw new Error(`setNickname: ${userId} is not in guild ${guildId}`);
    const from = member.nick;
    if (from === nick) return;
    member.nick = nick;
    this.nicknameChanges.push({ guildId, userId, from, to: nick, ...(reason ? { reason } : {}), at: Date.now() });
    this.dispatchMemberUpdate(member);
  }

  dispatchMemberUpdate(member: MemberRec): void {
    const api = this.toAPIMember(member);
    const data: GatewayGuildMemberUpdateDispatchData = { ...api, avatar: null, banner: null, guild_id: member.guildId, joined_at: member.joinedAt };
    // Discord sends a member's own updates even without GUILD_MEMBERS; other members' need the intent.
    this.dispatch(GatewayDispatchEvents.GuildMemberUpdate, data, { intent: member.userId === this.botUser.id ? null : I.GuildMembers, guildId: member.guildId });
  }

  // ---- serialisers ---------------------------------------------------------------------------------------

  requireGuild(id: string): GuildRec {
    const g = this.guilds.get(id);
    if (!g) throw new Error(`unknown guild ${id}`);
    return g;
  }

  requireUser(id: string): UserRec {
    const u = this.users.get(id);
    if (!u) throw new Error(`unknown user ${id}`);
    return u;
  }

  toAPIUser(u: UserRec): APIUser {
    const api: APIUser = {
      id: u.id,
      username: u.username,
      discriminator: u.discriminator,
      global_name: u.globalName,
      avatar: null,
      avatar_decoration_data: null,
      collectibles: null,
      primary_guild: null,
      public_flags: 0 as UserFlags,
      flags: 0 as UserFlags,
    };
    if (u.bot) api.bot = true;
    return api;
  }

  toAPIRole(r: RoleRec): APIRole {
    const api: APIRole = {
      id: r.id,
      name: r.name,
      color: r.color,
      colors: { primary_color: r.color, secondary_color: null, tertiary_color: null },
      hoist: r.hoist,
      icon: null,
      unicode_emoji: null,
      position: r.position,
      permissions: r.permissions.toString(),
      managed: r.managed,
      mentionable: r.mentionable,
      flags: 0 as RoleFlags,
    };
    if (r.botId) api.tags = { bot_id: r.botId };
    return api;
  }

  toAPIMemberNoUser(m: MemberRec): APIGuildMemberNoUser {
    return {
      avatar: null,
      banner: null,
      communication_disabled_until: m.communicationDisabledUntil,
      deaf: false,
      flags: 0 as GuildMemberFlags,
      joined_at: m.joinedAt,
      mute: false,
      nick: m.nick,
      pending: false,
      premium_since: null,
      roles: [...m.roles],
    };
  }

  toAPIMember(m: MemberRec): APIGuildMember {
    return { ...this.toAPIMemberNoUser(m), user: this.toAPIUser(this.requireUser(m.userId)) };
  }

  toAPIChannel(c: ChannelRec): APIChannel {
    const flags = 0 as ChannelFlags;
    if (c.type === ChannelType.DM) {
      const recipient = c.recipientId ? this.users.get(c.recipientId) : undefined;
      return { id: c.id, type: ChannelType.DM, name: null, flags, last_message_id: c.lastMessageId, recipients: recipient ? [this.toAPIUser(recipient)] : [] };
    }
    const guildId = c.guildId ?? undefined;
    if (c.type === ChannelType.GuildCategory) {
      const base = { id: c.id, type: c.type, guild_id: guildId, name: c.name ?? '', position: c.position };
      return { ...base, permission_overwrites: c.overwrites, nsfw: c.nsfw, flags, parent_id: null };
    }
    if (this.isThread(c)) {
      const botIsMember = c.threadMembers.has(this.botUser.id);
      return {
        id: c.id,
        type: c.type as ChannelType.PublicThread,
        guild_id: guildId,
        name: c.name ?? '',
        parent_id: c.parentId ?? undefined,
        owner_id: c.ownerId ?? undefined,
        last_message_id: c.lastMessageId,
        rate_limit_per_user: c.rateLimitPerUser,
        flags,
        thread_metadata: c.threadMetadata,
        message_count: c.messageCount,
        member_count: Math.min(50, c.threadMembers.size),
        total_message_sent: c.messageCount,
        ...(botIsMember ? { member: this.botThreadMember(c) } : {}),
      };
    }
    return {
      id: c.id,
      type: c.type as ChannelType.GuildText,
      guild_id: guildId,
      name: c.name ?? '',
      position: c.position,
      permission_overwrites: c.overwrites,
      parent_id: c.parentId,
      nsfw: c.nsfw,
      topic: c.topic,
      last_message_id: c.lastMessageId,
      rate_limit_per_user: c.rateLimitPerUser,
      flags,
    };
  }

  private botThreadMember(c: ChannelRec): APIThreadMember {
    return { id: c.id, user_id: this.botUser.id, join_timestamp: c.threadMetadata?.create_timestamp ?? iso(Date.now()), flags: 0 as ThreadMemberFlags };
  }

  toAPIGuild(g: GuildRec): APIGuild {
    return {
      id: g.id,
      name: g.name,
      icon: null,
      icon_hash: null,
      splash: null,
      discovery_splash: null,
      banner: null,
      description: null,
      owner_id: g.ownerId,
      region: 'deprecated',
      afk_channel_id: null,
      afk_timeout: 300,
      widget_enabled: false,
      widget_channel_id: null,
      verification_level: GuildVerificationLevel.None,
      default_message_notifications: GuildDefaultMessageNotifications.OnlyMentions,
      explicit_content_filter: GuildExplicitContentFilter.Disabled,
      roles: [...g.roles.values()].map((r) => this.toAPIRole(r)),
      emojis: [],
      stickers: [],
      features: [],
      mfa_level: GuildMFALevel.None,
      application_id: null,
      system_channel_id: g.systemChannelId,
      system_channel_flags: 0 as GuildSystemChannelFlags,
      rules_channel_id: null,
      max_presences: null,
      max_members: 500_000,
      vanity_url_code: null,
      premium_tier: GuildPremiumTier.None,
      premium_subscription_count: 0,
      preferred_locale: Locale.EnglishUS,
      public_updates_channel_id: null,
      max_video_channel_users: 25,
      max_stage_video_channel_users: 50,
      nsfw_level: GuildNSFWLevel.Default,
      premium_progress_bar_enabled: false,
      hub_type: null,
      safety_alerts_channel_id: null,
      incidents_data: null,
    };
  }

  /**
   * GUILD_CREATE: the guild plus channels, threads and members. Without GUILD_PRESENCES Discord only
   * includes the bot itself (and users in voice) in `members`; with it, every member of a small guild.
   */
  guildCreatePayload(g: GuildRec, intents: number): GatewayGuildCreateDispatchData {
    const channels = [...this.channels.values()].filter((c) => c.guildId === g.id);
    const members = [...g.members.values()].filter((m) => intents & I.GuildPresences || m.userId === this.botUser.id);
    return {
      ...this.toAPIGuild(g),
      joined_at: g.members.get(this.botUser.id)?.joinedAt ?? iso(g.createdAt),
      large: false,
      unavailable: false,
      member_count: g.members.size,
      voice_states: [],
      members: members.map((m) => this.toAPIMember(m)),
      channels: channels.filter((c) => !this.isThread(c)).map((c) => this.toAPIChannel(c)) as GatewayGuildCreateDispatchData['channels'],
      threads: channels.filter((c) => this.isThread(c)).map((c) => this.toAPIChannel(c)) as GatewayGuildCreateDispatchData['threads'],
      presences: [],
      stage_instances: [],
      guild_scheduled_events: [],
      soundboard_sounds: [],
    };
  }

  private mentionsOf(content: string): { users: APIUser[]; roles: string[] } {
    const users = [...content.matchAll(/<@!?(\d+)>/g)].flatMap((m) => {
      const u = m[1] ? this.users.get(m[1]) : undefined;
      return u ? [this.toAPIUser(u)] : [];
    });
    const roles = [...content.matchAll(/<@&(\d+)>/g)].flatMap((m) => (m[1] ? [m[1]] : []));
    return { users, roles };
  }

  toAPIAttachment(a: StoredAttachment): APIAttachment {
    const api: APIAttachment = { id: a.id, filename: a.filename, size: a.size, url: a.url, proxy_url: a.url, content_type: a.contentType };
    if (a.description !== undefined) api.description = a.description;
    return api;
  }

  toAPIMessage(m: StoredMessage, depth = 0): APIMessage {
    const author = this.requireUser(m.authorId);
    const mentions = this.mentionsOf(m.content);
    const api: APIMessage = {
      id: m.id,
      type: m.type,
      channel_id: m.channelId,
      author: this.toAPIUser(author),
      content: m.content,
      timestamp: m.timestamp,
      edited_timestamp: m.editedTimestamp,
      tts: m.tts,
      mention_everyone: /@(everyone|here)/.test(m.content),
      mentions: mentions.users,
      mention_roles: mentions.roles,
      attachments: m.attachments.map((a) => this.toAPIAttachment(a)),
      embeds: m.embeds,
      components: m.components,
      pinned: m.pinned ?? false,
      flags: m.flags,
    };
    if (m.webhookId) api.webhook_id = m.webhookId;
    if (m.applicationId) api.application_id = m.applicationId;
    if (m.interactionMetadata) api.interaction_metadata = m.interactionMetadata;
    if (m.interaction) api.interaction = m.interaction;
    if (m.messageReference) {
      api.message_reference = m.messageReference;
      const ref = m.messageReference.message_id ? this.messages.get(m.messageReference.message_id) : undefined;
      if (m.type === MessageType.Reply && depth === 0) api.referenced_message = ref ? this.toAPIMessage(ref, 1) : null;
    }
    const thread = this.channels.get(m.id);
    if (thread && this.isThread(thread)) api.thread = this.toAPIChannel(thread);
    return api;
  }

  toRecord(m: StoredMessage): MessageRecord {
    const record: MessageRecord = {
      id: m.id,
      channelId: m.channelId,
      guildId: m.guildId,
      authorId: m.authorId,
      content: m.content,
      embeds: m.embeds,
      components: m.components,
      attachments: m.attachments.map((a) => ({ ...a })),
      flags: m.flags,
      ephemeral: (m.flags & MessageFlags.Ephemeral) !== 0,
      timestamp: m.timestamp,
      editedTimestamp: m.editedTimestamp,
      at: m.at,
      api: this.toAPIMessage(m),
    };
    if (m.messageReference) record.messageReference = m.messageReference;
    if (m.interactionId) record.interactionId = m.interactionId;
    return record;
  }

  /** Overwrites as given by tests (bigints allowed) to Discord's string form. */
  static overwrite(o: { id: string; type: 0 | 1; allow?: bigint | string; deny?: bigint | string }): APIOverwrite {
    return { id: o.id, type: o.type === 1 ? OverwriteType.Member : OverwriteType.Role, allow: String(o.allow ?? 0n), deny: String(o.deny ?? 0n) };
  }
}
