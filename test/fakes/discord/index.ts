import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { APIApplicationCommand, APIGuildMember, APIUser } from 'discord-api-types/v10';
import { ChannelType, PermissionFlagsBits } from 'discord-api-types/v10';
import { waitFor as poll } from '../../../lib/wait';
import type { Core, ResolvedOptions } from './core';
import { Faults } from './faults';
import { Gateway } from './gateway';
import { FakeOAuth, type OAuthApp, type OAuthRequestRecord } from './oauth';
import { Interactions, type InteractionHandle, type MessageRef, type SlashOptions } from './interactions';
import { createRestHandler } from './rest';
import { apiRoutes } from './routes';
import { botToken } from './snowflake';
import { DiscordState, type ChannelRec, type GuildRec, type RoleRec, type UserRec } from './state';
import type {
  CreateChannelInput,
  CreateGuildInput,
  CreateRoleInput,
  CreateUserInput,
  DenyRule,
  DispatchRecord,
  FakeDiscordOptions,
  InjectFault,
  InteractionResponseRecord,
  LatencyRule,
  MessageRecord,
  NicknameChange,
  PendingRequestRecord,
  PostMessageOptions,
  RequestRecord,
  RoleChange,
} from './types';
import type { MessageInput } from './validate';

export { InteractionHandle } from './interactions';
export type { MessageRef, SlashOptions } from './interactions';
export { shardOfGuild, type ShardTuple } from './snowflake';
export * from './types';

/** A guild/user/role/channel as tests see them: ids and names, plus the API shape where useful. */
export interface FakeGuild {
  id: string;
  name: string;
  ownerId: string;
  everyoneRoleId: string;
  botRoleId: string;
  /** The #general text channel every new guild gets. */
  systemChannelId: string;
}
export interface FakeUser {
  id: string;
  username: string;
  bot: boolean;
  api: APIUser;
}
export interface FakeRole {
  id: string;
  guildId: string;
  name: string;
  position: number;
  permissions: string;
  managed: boolean;
}
export interface FakeChannel {
  id: string;
  guildId: string | null;
  name: string | null;
  type: ChannelType;
  parentId: string | null;
}

/** The shared core with the full gateway and interactions parts, which only the fake itself drives. */
type Parts = Core & { gateway: Gateway; interactions: Interactions };

const toGuild = (g: GuildRec): FakeGuild => ({
  id: g.id,
  name: g.name,
  ownerId: g.ownerId,
  everyoneRoleId: g.id,
  botRoleId: g.botRoleId,
  systemChannelId: g.systemChannelId ?? '',
});
const toRole = (r: RoleRec): FakeRole => ({
  id: r.id,
  guildId: r.guildId,
  name: r.name,
  position: r.position,
  permissions: r.permissions.toString(),
  managed: r.managed,
});
const toChannel = (c: ChannelRec): FakeChannel => ({ id: c.id, guildId: c.guildId, name: c.name, type: c.type, parentId: c.parentId });
const toBigInt = (v: bigint | string | undefined): bigint | undefined => (v === undefined ? undefined : BigInt(v));

/**
 * A protocol-level fake of Discord (REST v10 + gateway) on 127.0.0.1. Point an unmodified discord.js at
 * it with `new Client({ intents, rest: { api: fake.restUrl } })` and `client.login(fake.token)`.
 */
export class FakeDiscord {
  private readonly sockets = new Set<Socket>();

  private constructor(
    private readonly core: Parts,
    private readonly server: Server,
    private readonly abort: AbortController,
    private readonly oauth: FakeOAuth,
  ) {}

  /** Use `startFakeDiscord()`. */
  static async start(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
    const options: ResolvedOptions = {
      port: opts.port ?? 0,
      botUsername: opts.botUsername ?? 'Guildflow',
      interactionAckTimeoutMs: opts.interactionAckTimeoutMs ?? 3000,
      interactionTokenLifetimeMs: opts.interactionTokenLifetimeMs ?? 15 * 60_000,
      heartbeatIntervalMs: opts.heartbeatIntervalMs ?? 41_250,
      resumeWindowMs: opts.resumeWindowMs ?? 60_000,
      recommendedShards: opts.recommendedShards ?? 1,
      maxConcurrency: opts.maxConcurrency ?? 1,
      privilegedIntents: { guildMembers: true, guildPresences: true, messageContent: true, ...opts.privilegedIntents },
    };
    const state = new DiscordState(options.botUsername);
    const core = { state, faults: new Faults(), options, token: botToken(state.botUser.id), requests: [], pending: new Set(), internalErrors: [], origin: '' } as unknown as Parts;
    core.gateway = new Gateway(core);
    core.interactions = new Interactions(core);
    state.dispatch = (t, d, scope) => core.gateway.dispatch(t, d, scope);
    const abort = new AbortController();
    const handler = createRestHandler(core, [...apiRoutes(core), ...core.interactions.routes()], abort.signal);
    const oauth = new FakeOAuth(core);
    const server = createServer((req, res) => void (oauth.handles(req) ? oauth.handle(req, res) : handler(req, res)));
    server.on('upgrade', (req, socket, head) => core.gateway.handleUpgrade(req, socket, head));
    const fake = new FakeDiscord(core, server, abort, oauth);
    server.on('connection', (socket) => {
      fake.sockets.add(socket);
      socket.on('close', () => fake.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, '127.0.0.1', () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    core.origin = `http://127.0.0.1:${port}`;
    state.baseUrl = core.origin;
    return fake;
  }

  // ---- connection details ----------------------------------------------------------------------------------

  /** For `rest: { api }` — @discordjs/rest appends /v10 itself. */
  get restUrl(): string {
    return `${this.core.origin}/api`;
  }

  get gatewayUrl(): string {
    return this.core.gateway.url;
  }

  get token(): string {
    return this.core.token;
  }

  get applicationId(): string {
    return this.core.state.applicationId;
  }

  get botUser(): FakeUser {
    return this.user(this.core.state.botUser.id);
  }

  /** The application's OAuth2 client id (= application id) and secret, for a web login against the fake. */
  get oauthApp(): Readonly<OAuthApp> {
    return this.oauth.app;
  }

  /** Where Discord sends the browser back (the developer portal's redirect list): exact matches only. */
  setOAuthRedirectUris(uris: string[]): void {
    this.oauth.app.redirectUris = [...uris];
  }

  /** The user logged in to Discord in the test's "browser": who sees the consent page and authorizes. */
  setOAuthUser(userId: string | null): void {
    if (userId !== null) this.core.state.requireUser(userId);
    this.oauth.loggedInUserId = userId;
  }

  /** How long an authorization code may wait for its exchange (Discord: 10 minutes). */
  setOAuthCodeLifetime(ms: number): void {
    this.oauth.codeLifetimeMs = ms;
  }

  /** The OAuth2 requests answered (authorize, token, the user's own reads), oldest first. */
  oauthRequests(): OAuthRequestRecord[] {
    return [...this.oauth.records];
  }

  // ---- setup -----------------------------------------------------------------------------------------------

  /** A guild with @everyone, the bot's managed role (position 1), the owner and the bot as members, and #general. */
  createGuild(input: CreateGuildInput): FakeGuild {
    return toGuild(this.core.state.createGuild(input));
  }

  createUser(input: CreateUserInput): FakeUser {
    return this.user(this.core.state.createUser(input).id);
  }

  addMember(guildId: string, userId: string, opts: { roles?: string[]; nick?: string | null } = {}): APIGuildMember {
    return this.core.state.toAPIMember(this.core.state.addMember(guildId, userId, opts));
  }

  removeMember(guildId: string, userId: string): void {
    this.core.state.removeMember(guildId, userId);
  }

  /** New roles sit at position 1 (below the bot's role) unless `position` says otherwise; positions are renumbered 1..n. */
  createRole(guildId: string, input: CreateRoleInput): FakeRole {
    const { permissions, ...rest } = input;
    const p = toBigInt(permissions);
    return toRole(this.core.state.createRole(guildId, { ...rest, ...(p !== undefined ? { permissions: p } : {}) }));
  }

  updateRole(guildId: string, roleId: string, patch: Partial<CreateRoleInput>): FakeRole {
    const { permissions, ...rest } = patch;
    const p = toBigInt(permissions);
    return toRole(this.core.state.updateRole(guildId, roleId, { ...rest, ...(p !== undefined ? { permissions: p } : {}) }));
  }

  /** Moves the bot's managed role to `position` (1 = lowest above @everyone). */
  setBotRolePosition(guildId: string, position: number): FakeRole {
    const guild = this.core.state.requireGuild(guildId);
    return toRole(this.core.state.updateRole(guildId, guild.botRoleId, { position }));
  }

  setBotPermissions(guildId: string, permissions: bigint | string): FakeRole {
    const guild = this.core.state.requireGuild(guildId);
    return toRole(this.core.state.updateRole(guildId, guild.botRoleId, { permissions: BigInt(permissions) }));
  }

  createChannel(guildId: string, input: CreateChannelInput): FakeChannel {
    return toChannel(
      this.core.state.createGuildChannel(guildId, {
        name: input.name,
        type: input.type ?? ChannelType.GuildText,
        parentId: input.parentId ?? null,
        topic: input.topic ?? null,
        overwrites: (input.permissionOverwrites ?? []).map((o) => DiscordState.overwrite(o)),
      }),
    );
  }

  /**
   * A user posting in a channel (not the bot): dispatches MESSAGE_CREATE like a real message. Attachments
   * become stored files with URLs on the fake, as a bot's uploads do; `data` defaults to a few bytes.
   */
  postMessage(channelId: string, userId: string, content: string, opts: PostMessageOptions = {}): MessageRecord {
    const state = this.core.state;
    const channel = state.channels.get(channelId);
    if (!channel) throw new Error(`postMessage: no channel ${channelId}`);
    const files = (opts.attachments ?? []).map((a, i) => ({
      field: `files[${i}]`,
      filename: a.filename,
      contentType: a.contentType ?? 'application/octet-stream',
      data: a.data ?? Buffer.from(`contents of ${a.filename}`),
    }));
    const input: MessageInput = { content, files, ...(opts.embeds ? { embeds: opts.embeds } : {}) };
    return state.toRecord(state.createMessage(channel, userId, input));
  }

  /** A user edits their message: it gets an edited timestamp and MESSAGE_UPDATE is dispatched. */
  editUserMessage(channelId: string, messageId: string, content: string): MessageRecord {
    const m = this.core.state.messages.get(messageId);
    if (!m || m.channelId !== channelId) throw new Error(`editUserMessage: no message ${messageId} in channel ${channelId}`);
    return this.core.state.toRecord(this.core.state.editMessage(m, { content, files: [] }));
  }

  // ---- driving the bot -------------------------------------------------------------------------------------

  /** A member runs /name (guildId null: in the bot's DM). Options are by name; ids for users/roles/channels. */
  slash(guildId: string | null, userId: string, name: string, options: Record<string, unknown> = {}, opts: SlashOptions = {}): InteractionHandle {
    return this.core.interactions.slash(guildId, userId, name, options, opts);
  }

  /** An autocomplete interaction: the member has typed `typed` into option `focused` of `/name`; the bot's choices are the callback's `data.choices`. */
  autocomplete(guildId: string | null, userId: string, name: string, focused: string, typed: string, options: Record<string, unknown> = {}, opts: SlashOptions = {}): InteractionHandle {
    return this.core.interactions.autocomplete(guildId, userId, name, focused, typed, options, opts);
  }

  clickButton(message: MessageRef, customId: string, userId: string): InteractionHandle {
    return this.core.interactions.clickButton(message, customId, userId);
  }

  /**
   * A member picks values in a select menu. `crafted`: a modified client sends values Discord's menu would
   * not offer (another guild's role or channel); they arrive without resolved data, as such a client
   * could send them, so the bot's own scope checks are what refuses them.
   */
  selectMenu(message: MessageRef, customId: string, userId: string, values: string[], opts: { crafted?: boolean } = {}): InteractionHandle {
    return this.core.interactions.selectMenu(message, customId, userId, values, opts);
  }

  submitModal(source: InteractionHandle | MessageRef, customId: string, userId: string, fields: Record<string, string | string[]>): InteractionHandle {
    return this.core.interactions.submitModal(source, customId, userId, fields);
  }

  /** A moderator deletes a message: it disappears and MESSAGE_DELETE is dispatched. */
  deleteMessage(channelId: string, messageId: string): void {
    const m = this.core.state.messages.get(messageId);
    if (!m || m.channelId !== channelId) throw new Error(`deleteMessage: no message ${messageId} in channel ${channelId}`);
    this.core.state.deleteMessage(m);
  }

  deleteChannel(channelId: string): void {
    this.core.state.deleteChannel(channelId);
  }

  // ---- faults ----------------------------------------------------------------------------------------------

  /** DMs to this user fail with 50007 (the user closed DMs from server members, or blocked the bot). */
  setDmsClosed(userId: string, closed = true): void {
    this.core.state.requireUser(userId).dmsClosed = closed;
  }

  /** Matching bot requests fail with 50013 Missing Permissions. */
  denyPermission(rule: DenyRule): void {
    this.core.faults.deny(rule);
  }

  /** The next `times` (default 1) matching requests get this status (429 with Discord's headers and body). */
  inject(fault: InjectFault): void {
    this.core.faults.inject(fault);
  }

  setLatency(rule: LatencyRule): void {
    this.core.faults.setLatency(rule);
  }

  clearFaults(): void {
    this.core.faults.clear();
    for (const u of this.core.state.users.values()) u.dmsClosed = false;
  }

  /** Gateway faults: op 7 Reconnect (clients RESUME) or, with resumable false, op 9 (clients IDENTIFY anew). */
  gatewayReconnect(opts: { resumable?: boolean } = {}): void {
    this.core.gateway.reconnect(opts);
  }

  /** Cuts every gateway connection as a network failure would; sessions stay resumable. */
  dropGatewayConnections(): void {
    this.core.gateway.dropConnections();
  }

  // ---- reading back ----------------------------------------------------------------------------------------

  user(userId: string): FakeUser {
    const u: UserRec = this.core.state.requireUser(userId);
    return { id: u.id, username: u.username, bot: u.bot, api: this.core.state.toAPIUser(u) };
  }

  guild(guildId: string): FakeGuild {
    return toGuild(this.core.state.requireGuild(guildId));
  }

  roles(guildId: string): FakeRole[] {
    return [...this.core.state.requireGuild(guildId).roles.values()].map(toRole).sort((a, b) => a.position - b.position);
  }

  channels(guildId: string): FakeChannel[] {
    return [...this.core.state.channels.values()].filter((c) => c.guildId === guildId).map(toChannel);
  }

  channel(channelId: string): FakeChannel | undefined {
    const c = this.core.state.channels.get(channelId);
    return c ? toChannel(c) : undefined;
  }

  /** Whether the user may see the channel (View Channel after the guild's roles and the channel's overwrites). */
  canView(channelId: string, userId: string): boolean {
    const c = this.core.state.channels.get(channelId);
    return !!c && (this.core.state.channelPermissions(c, userId) & PermissionFlagsBits.ViewChannel) !== 0n;
  }

  /** Messages currently in a channel (ephemeral interaction responses included, flagged), oldest first. */
  messages(channelId: string): MessageRecord[] {
    return this.core.state.messagesIn(channelId).map((m) => this.core.state.toRecord(m));
  }

  allMessages(): MessageRecord[] {
    return [...this.core.state.messages.values()].map((m) => this.core.state.toRecord(m));
  }

  message(messageId: string): MessageRecord | undefined {
    const m = this.core.state.messages.get(messageId);
    return m ? this.core.state.toRecord(m) : undefined;
  }

  /** Messages in the bot's DM channel with this user. */
  dms(userId: string): MessageRecord[] {
    const channelId = this.core.state.dmChannelByUser.get(userId);
    return channelId ? this.messages(channelId) : [];
  }

  roleChanges(): RoleChange[] {
    return [...this.core.state.roleChanges];
  }

  nicknameChanges(): NicknameChange[] {
    return [...this.core.state.nicknameChanges];
  }

  interactionResponses(interactionId?: string): InteractionResponseRecord[] {
    const all = this.core.interactions.responses;
    return interactionId ? all.filter((r) => r.interactionId === interactionId) : [...all];
  }

  member(guildId: string, userId: string): APIGuildMember | undefined {
    const m = this.core.state.memberOf(guildId, userId);
    return m ? this.core.state.toAPIMember(m) : undefined;
  }

  requests(): RequestRecord[] {
    return [...this.core.requests];
  }

  /** Requests received and not answered yet (e.g. held by `setLatency`): what a bot has in flight. */
  pendingRequests(): PendingRequestRecord[] {
    return [...this.core.pending];
  }

  /** Global commands, or a guild's commands. */
  commands(guildId?: string): APIApplicationCommand[] {
    return guildId ? [...(this.core.state.guildCommands.get(guildId) ?? [])] : [...this.core.state.globalCommands];
  }

  /** Gateway events sent, with the session and sequence number. */
  dispatches(): DispatchRecord[] {
    return [...this.core.gateway.dispatched];
  }

  handshakes() {
    return [...this.core.gateway.handshakes];
  }

  connectedSessions(): number {
    return this.core.gateway.connectedSessions();
  }

  /**
   * Resolves once every gateway session is connected (none is mid-reconnect). Await it before
   * `client.destroy()` after a reconnect fault: @discordjs/ws 1.2 ignores destroy() during its 500 ms
   * reconnect backoff and then keeps reconnecting forever once the fake is closed.
   */
  async waitForGateway(timeoutMs = 5000): Promise<void> {
    await this.waitFor(() => this.core.gateway.settled(), timeoutMs, 'every gateway session to be connected');
  }

  /** Exceptions inside the fake's handlers (answered as 500). A test that sees one found a bug in the fake. */
  internalErrors(): unknown[] {
    return [...this.core.internalErrors];
  }

  /**
   * Polls `predicate` until it returns something truthy (and returns that), failing after `timeoutMs`
   * with `what` (or the predicate's source) in the message.
   */
  waitFor<T>(predicate: () => T | undefined | null | false, timeoutMs = 5000, what?: string): Promise<T> {
    return poll(predicate, { timeoutMs, intervalMs: 5, what: what ?? `fake Discord condition ${predicate.toString()}` });
  }

  /** Closes the gateway and the HTTP server, cutting any open connection; resolves when nothing is left. */
  async close(): Promise<void> {
    this.abort.abort();
    await this.core.gateway.closeAll();
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

export function startFakeDiscord(opts?: FakeDiscordOptions): Promise<FakeDiscord> {
  return FakeDiscord.start(opts);
}
