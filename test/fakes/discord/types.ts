import type {
  APIActionRowComponent,
  APIComponentInModalActionRow,
  APIEmbed,
  APIMessage,
  APIMessageReference,
  APIMessageTopLevelComponent,
  ChannelType,
  InteractionResponseType,
} from 'discord-api-types/v10';
import type { ShardTuple } from './snowflake';

/** Options of `startFakeDiscord`. Everything has a default that suits tests. */
export interface FakeDiscordOptions {
  /** Port to listen on (0 = any free port). */
  port?: number;
  /** Username of the bot user (also the name of its managed role). */
  botUsername?: string;
  /** Discord gives 3 s to acknowledge an interaction; tests of the late path can shorten it. */
  interactionAckTimeoutMs?: number;
  /** Interaction tokens (follow-ups, edits) stay valid 15 minutes on Discord. */
  interactionTokenLifetimeMs?: number;
  /** Sent in HELLO; Discord uses 41250. */
  heartbeatIntervalMs?: number;
  /** Privileged intents enabled for the application in the developer portal (IDENTIFY with others → 4014). */
  privilegedIntents?: { guildMembers?: boolean; guildPresences?: boolean; messageContent?: boolean };
  /** How long a disconnected gateway session can still be resumed. */
  resumeWindowMs?: number;
  /** The shard count GET /gateway/bot recommends (Discord: one per 1,000 guilds, at least 1). */
  recommendedShards?: number;
  /** GET /gateway/bot's session_start_limit.max_concurrency: how many shards may IDENTIFY at once. */
  maxConcurrency?: number;
}

export interface AttachmentRecord {
  id: string;
  filename: string;
  size: number;
  /** The type Discord reports (guessed from the extension when the upload was application/octet-stream). */
  contentType: string;
  /** The Content-Type of the uploaded part as the client sent it. */
  uploadedContentType: string;
  description?: string;
  /** The uploaded bytes. */
  data: Buffer;
  url: string;
}

/** A message as the fake stores it, flattened for assertions; `api` is what Discord would return. */
export interface MessageRecord {
  id: string;
  channelId: string;
  guildId: string | null;
  authorId: string;
  content: string;
  embeds: APIEmbed[];
  components: APIMessageTopLevelComponent[];
  attachments: AttachmentRecord[];
  flags: number;
  ephemeral: boolean;
  /** ISO timestamps as Discord sends them. */
  timestamp: string;
  editedTimestamp: string | null;
  messageReference?: APIMessageReference;
  /** Set for interaction responses and follow-ups. */
  interactionId?: string;
  /** When the fake recorded the message (ms since epoch). */
  at: number;
  api: APIMessage;
}

export interface RoleChange {
  guildId: string;
  userId: string;
  roleId: string;
  action: 'add' | 'remove';
  /** X-Audit-Log-Reason, decoded, when the client sent one. */
  reason?: string;
  at: number;
}

export interface NicknameChange {
  guildId: string;
  userId: string;
  from: string | null;
  to: string | null;
  reason?: string;
  at: number;
}

/**
 * One thing the bot did to answer an interaction, in order: the callback (`kind: 'callback'`, with its
 * type), follow-ups, edits and deletions of the original response or of follow-ups.
 */
export interface InteractionResponseRecord {
  interactionId: string;
  kind: 'callback' | 'followup' | 'edit' | 'delete';
  /** Callback type (4 reply, 5 deferred reply, 6 deferred update, 7 update, 8 autocomplete, 9 modal). */
  type?: InteractionResponseType;
  /** The body's `data` for callbacks, the body for follow-ups and edits. */
  data: unknown;
  ephemeral: boolean;
  /** The message created or changed, when there is one. */
  messageId?: string;
  /** 'original' for @original, otherwise the follow-up's id (edits and deletes). */
  target?: string;
  at: number;
}

export interface RequestRecord {
  method: string;
  /** The path after /api/v10, percent-decoded, without the query (e.g. /channels/123/messages). */
  route: string;
  query: string;
  status: number;
  /** Discord's JSON error code when the response was an error with one. */
  code?: number;
  /** Parsed JSON body (or payload_json of a multipart request). */
  body?: unknown;
  reason?: string;
  at: number;
  durationMs: number;
}

/** A request the fake has received and not answered yet (held by a latency rule, or still in its handler). */
export interface PendingRequestRecord {
  method: string;
  /** As in RequestRecord. */
  route: string;
  /** When it arrived. */
  at: number;
}

export interface DispatchRecord {
  t: string;
  s: number;
  sessionId: string;
  /** The receiving session's shard. */
  shard: ShardTuple;
  d: unknown;
  at: number;
}

/** An IDENTIFY or RESUME the gateway saw. */
export interface HandshakeRecord {
  op: 'identify' | 'resume';
  /** The session identified or resumed ('' for a refused IDENTIFY). */
  sessionId: string;
  /** The shard the session is for (IDENTIFY's, or [0, 1] when it asked for none); absent when refused. */
  shard?: ShardTuple;
  at: number;
  accepted: boolean;
}

export interface InjectFault {
  method?: string;
  route: RegExp;
  status: 429 | 500 | 502 | 503;
  times?: number;
  retryAfterSeconds?: number;
  global?: boolean;
}

export interface DenyRule {
  channelId?: string;
  guildId?: string;
  route?: RegExp;
  method?: string;
}

export interface LatencyRule {
  route?: RegExp;
  ms: number;
}

export interface CreateGuildInput {
  name: string;
  ownerId?: string;
  /** An id that lands on this shard ([shard_id, num_shards]) by Discord's formula; any shard when absent. */
  shard?: ShardTuple;
}

export interface CreateUserInput {
  username: string;
  globalName?: string;
  bot?: boolean;
}

export interface CreateRoleInput {
  name: string;
  position?: number;
  /** Bitfield as a bigint or decimal string. */
  permissions?: bigint | string;
  color?: number;
  hoist?: boolean;
  mentionable?: boolean;
}

export interface CreateChannelInput {
  name: string;
  type?: ChannelType.GuildText | ChannelType.GuildCategory | ChannelType.GuildVoice | ChannelType.GuildAnnouncement;
  parentId?: string;
  topic?: string;
  permissionOverwrites?: { id: string; type: 0 | 1; allow?: bigint | string; deny?: bigint | string }[];
}

/** What a user's message carries besides its content (`postMessage`). */
export interface PostMessageOptions {
  attachments?: { filename: string; contentType?: string; data?: Buffer }[];
  embeds?: APIEmbed[];
}

/** A modal the bot opened (response type 9), as the user would fill it in. */
export interface ModalRecord {
  customId: string;
  title: string;
  components: (APIActionRowComponent<APIComponentInModalActionRow> | { type: number; component?: unknown })[];
}
