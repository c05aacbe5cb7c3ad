import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import zlib from 'node:zlib';
import {
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
  type APIInteraction,
  type GatewayReadyDispatchData,
} from 'discord-api-types/v10';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Core } from './core';
import { applicationFlags } from './permissions';
import { sessionId as newSessionId, shardOfGuild, type ShardTuple } from './snowflake';
import type { DispatchData, DispatchScope } from './state';
import type { DispatchRecord, HandshakeRecord } from './types';

const I = GatewayIntentBits;
const ALL_INTENTS = Object.values(I).filter((v): v is number => typeof v === 'number').reduce((a, b) => a | b, 0);
/** Events kept per session for RESUME; Discord keeps a bounded backlog too. */
const RESUME_BACKLOG = 1000;

interface Session {
  id: string;
  intents: number;
  shard: ShardTuple;
  seq: number;
  connection: Connection | null;
  backlog: { s: number; t: string; d: unknown }[];
  disconnectedAt: number | null;
}

interface Connection {
  ws: WebSocket;
  session: Session | null;
  /** zlib-stream: one deflate context for the whole connection, flushed per payload. */
  deflate: zlib.Deflate | null;
  sendChain: Promise<void>;
}

/** Whether a session's shard receives the events of `guildId` (null: DMs and the like, shard 0's). */
function onShard(session: Session, guildId: string | null): boolean {
  const [shardId, shardCount] = session.shard;
  return guildId === null ? shardId === 0 : shardOfGuild(guildId, shardCount) === shardId;
}

/** IDENTIFY's `shard`: absent means the whole bot on one connection ([0, 1]); null when it is invalid. */
function parseShard(shard: unknown): ShardTuple | null {
  if (shard === undefined) return [0, 1];
  if (!Array.isArray(shard) || shard.length !== 2) return null;
  const [id, count] = shard as unknown[];
  if (!Number.isInteger(id) || !Number.isInteger(count)) return null;
  const tuple = [id, count] as [number, number];
  return tuple[0] >= 0 && tuple[0] < tuple[1] ? tuple : null;
}

/**
 * The gateway: HELLO, IDENTIFY → READY + GUILD_CREATEs, HEARTBEAT → ACK, RESUME with replay, and
 * dispatches filtered by each session's intents and shard (a guild's events go to the sessions of shard
 * `(guild_id >> 22) % num_shards` only, as on Discord). JSON encoding only (what discord.js asks for);
 * the zlib-stream transport compression is honoured when a client requests it.
 */
export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly sessions = new Map<string, Session>();
  private readonly connections = new Set<Connection>();
  readonly dispatched: DispatchRecord[] = [];
  /** Every IDENTIFY and RESUME seen, for tests of reconnect behaviour. */
  readonly handshakes: HandshakeRecord[] = [];

  constructor(private readonly core: Core) {}

  get url(): string {
    return this.core.origin.replace(/^http/, 'ws');
  }

  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, req));
  }

  private onConnection(ws: WebSocket, req: IncomingMessage): void {
    const query = new URL(req.url ?? '/', this.core.origin).searchParams;
    const conn: Connection = { ws, session: null, deflate: null, sendChain: Promise.resolve() };
    this.connections.add(conn);
    ws.on('close', (code) => this.onClose(conn, code));
    ws.on('error', () => undefined);
    if (query.get('v') !== '10') return ws.close(GatewayCloseCodes.InvalidAPIVersion, 'Invalid API version.');
    if ((query.get('encoding') ?? 'json') !== 'json') return ws.close(GatewayCloseCodes.DecodeError, 'Only JSON encoding is supported by the fake.');
    const compress = query.get('compress');
    if (compress === 'zlib-stream') conn.deflate = zlib.createDeflate();
    else if (compress) return ws.close(GatewayCloseCodes.DecodeError, `Unsupported compression ${compress}.`);
    ws.on('message', (data) => this.onMessage(conn, data));
    this.send(conn, { op: GatewayOpcodes.Hello, d: { heartbeat_interval: this.core.options.heartbeatIntervalMs }, s: null, t: null });
  }

  private send(conn: Connection, payload: unknown): void {
    const text = JSON.stringify(payload);
    conn.sendChain = conn.sendChain.then(
      () =>
        new Promise<void>((resolve) => {
          if (conn.ws.readyState !== WebSocket.OPEN) return resolve();
          const deflate = conn.deflate;
          if (!deflate) {
            conn.ws.send(text, () => resolve());
            return;
          }
          // Each payload ends with a sync flush (00 00 ff ff), which is how clients find message ends.
          deflate.write(text);
          deflate.flush(zlib.constants.Z_SYNC_FLUSH, () => {
            const chunks: Buffer[] = [];
            let chunk: Buffer | null;
            while ((chunk = deflate.read() as Buffer | null) !== null) chunks.push(chunk);
            conn.ws.send(Buffer.concat(chunks), { binary: true }, () => resolve());
          });
        }),
    );
  }

  private close(conn: Connection, code: number, reason: string): void {
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.close(code, reason);
  }

  private onMessage(conn: Connection, raw: RawData): void {
    let payload: { op?: unknown; d?: unknown };
    try {
      payload = JSON.parse(raw.toString()) as { op?: unknown; d?: unknown };
    } catch {
      return this.close(conn, GatewayCloseCodes.DecodeError, 'Error while decoding payload.');
    }
    const d = (typeof payload.d === 'object' && payload.d !== null ? payload.d : {}) as Record<string, unknown>;
    switch (payload.op) {
      case GatewayOpcodes.Heartbeat:
        return this.send(conn, { op: GatewayOpcodes.HeartbeatAck });
      case GatewayOpcodes.Identify:
        return this.identify(conn, d);
      case GatewayOpcodes.Resume:
        return this.resume(conn, d);
      case GatewayOpcodes.PresenceUpdate:
      case GatewayOpcodes.VoiceStateUpdate:
        if (!conn.session) return this.close(conn, GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
        return;
      case GatewayOpcodes.RequestGuildMembers:
        if (!conn.session) return this.close(conn, GatewayCloseCodes.NotAuthenticated, 'Not authenticated.');
        return this.requestGuildMembers(conn, d);
      default:
        return this.close(conn, GatewayCloseCodes.UnknownOpcode, 'Unknown opcode.');
    }
  }

  private identify(conn: Connection, d: Record<string, unknown>): void {
    if (conn.session) return this.close(conn, GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
    if (d.token !== this.core.token) {
      this.handshakes.push({ op: 'identify', sessionId: '', at: Date.now(), accepted: false });
      return this.close(conn, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    }
    const intents = d.intents;
    if (typeof intents !== 'number' || !Number.isInteger(intents) || intents < 0 || (intents & ~ALL_INTENTS) !== 0) {
      return this.close(conn, GatewayCloseCodes.InvalidIntents, 'Invalid intent(s).');
    }
    const p = this.core.options.privilegedIntents;
    const disallowed =
      (intents & I.GuildMembers && !p.guildMembers) || (intents & I.GuildPresences && !p.guildPresences) || (intents & I.MessageContent && !p.messageContent);
    if (disallowed) return this.close(conn, GatewayCloseCodes.DisallowedIntents, 'Disallowed intent(s).');
    const shard = parseShard(d.shard);
    if (!shard) {
      this.handshakes.push({ op: 'identify', sessionId: '', at: Date.now(), accepted: false });
      return this.close(conn, GatewayCloseCodes.InvalidShard, 'Invalid shard.');
    }
    const session: Session = { id: newSessionId(), intents, shard, seq: 0, connection: conn, backlog: [], disconnectedAt: null };
    this.sessions.set(session.id, session);
    conn.session = session;
    this.handshakes.push({ op: 'identify', sessionId: session.id, shard, at: Date.now(), accepted: true });
    const s = this.core.state;
    const guilds = [...s.guilds.values()].filter((g) => g.members.has(s.botUser.id) && onShard(session, g.id));
    const ready: GatewayReadyDispatchData = {
      v: 10,
      user: { ...s.toAPIUser(s.botUser), verified: true, mfa_enabled: false },
      guilds: guilds.map((g) => ({ id: g.id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.url,
      shard: [...shard],
      application: { id: s.applicationId, flags: applicationFlags(this.core.options.privilegedIntents), flags_new: String(applicationFlags(this.core.options.privilegedIntents)) },
    };
    this.emit(session, GatewayDispatchEvents.Ready, ready);
    // Then each guild is "lazy loaded" with a GUILD_CREATE, as Discord does after READY.
    if (intents & I.Guilds) for (const g of guilds) this.emit(session, GatewayDispatchEvents.GuildCreate, s.guildCreatePayload(g, intents));
  }

  private resume(conn: Connection, d: Record<string, unknown>): void {
    if (conn.session) return this.close(conn, GatewayCloseCodes.AlreadyAuthenticated, 'Already authenticated.');
    if (d.token !== this.core.token) return this.close(conn, GatewayCloseCodes.AuthenticationFailed, 'Authentication failed.');
    const session = typeof d.session_id === 'string' ? this.sessions.get(d.session_id) : undefined;
    const live = session && (session.disconnectedAt === null || Date.now() - session.disconnectedAt <= this.core.options.resumeWindowMs);
    const seq = typeof d.seq === 'number' ? d.seq : -1;
    const oldest = session?.backlog[0]?.s ?? (session ? session.seq + 1 : 0);
    this.handshakes.push({
      op: 'resume',
      sessionId: String(d.session_id),
      ...(session ? { shard: session.shard } : {}),
      at: Date.now(),
      accepted: Boolean(session && live && seq + 1 >= oldest),
    });
    if (!session || !live || seq + 1 < oldest) {
      // Not resumable: op 9 with d=false tells the client to IDENTIFY afresh.
      if (session) this.sessions.delete(session.id);
      return this.send(conn, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
    }
    if (seq > session.seq) return this.close(conn, GatewayCloseCodes.InvalidSeq, 'Invalid seq.');
    if (session.connection && session.connection !== conn) this.close(session.connection, GatewayCloseCodes.SessionTimedOut, 'Session resumed elsewhere.');
    session.connection = conn;
    session.disconnectedAt = null;
    conn.session = session;
    for (const event of session.backlog) if (event.s > seq) this.send(conn, { op: GatewayOpcodes.Dispatch, ...event });
    this.emit(session, GatewayDispatchEvents.Resumed, {});
  }

  private requestGuildMembers(conn: Connection, d: Record<string, unknown>): void {
    const session = conn.session;
    const guildIds = Array.isArray(d.guild_id) ? d.guild_id : [d.guild_id];
    if (!session) return;
    for (const guildId of guildIds) {
      const guild = typeof guildId === 'string' ? this.core.state.guild(guildId) : undefined;
      // Another shard's guild is not this session's to ask about.
      if (!guild || !onShard(session, guild.id)) continue;
      const query = typeof d.query === 'string' ? d.query.toLowerCase() : undefined;
      const userIds = Array.isArray(d.user_ids) ? d.user_ids.map(String) : typeof d.user_ids === 'string' ? [d.user_ids] : undefined;
      // Listing everyone needs GUILD_MEMBERS; without it Discord answers only lookups by id.
      const mayList = (session.intents & I.GuildMembers) !== 0;
      const limit = typeof d.limit === 'number' && d.limit > 0 ? d.limit : Infinity;
      const members = [...guild.members.values()].filter((m) => {
        if (userIds) return userIds.includes(m.userId);
        if (!mayList) return false;
        const u = this.core.state.users.get(m.userId);
        return !query || Boolean(u?.username.toLowerCase().startsWith(query) || m.nick?.toLowerCase().startsWith(query));
      });
      const found = members.slice(0, limit);
      const data: Record<string, unknown> = {
        guild_id: guild.id,
        members: found.map((m) => this.core.state.toAPIMember(m)),
        chunk_index: 0,
        chunk_count: 1,
      };
      if (userIds) data.not_found = userIds.filter((id) => !found.some((m) => m.userId === id));
      if (d.nonce !== undefined) data.nonce = d.nonce;
      this.emit(session, GatewayDispatchEvents.GuildMembersChunk, data);
    }
  }

  private onClose(conn: Connection, code: number): void {
    this.connections.delete(conn);
    conn.deflate?.close();
    const session = conn.session;
    if (!session || session.connection !== conn) return;
    session.connection = null;
    // A clean close (1000/1001) ends the session on Discord; anything else leaves it resumable for a while.
    if (code === 1000 || code === 1001) this.sessions.delete(session.id);
    else session.disconnectedAt = Date.now();
  }

  /** Sends one dispatch to one session (or keeps it for replay while the session is disconnected). */
  private emit(session: Session, t: GatewayDispatchEvents, d: unknown): void {
    session.seq += 1;
    const event = { s: session.seq, t, d };
    session.backlog.push(event);
    if (session.backlog.length > RESUME_BACKLOG) session.backlog.shift();
    this.dispatched.push({ t, s: session.seq, sessionId: session.id, shard: session.shard, d, at: Date.now() });
    if (session.connection) this.send(session.connection, { op: GatewayOpcodes.Dispatch, ...event });
  }

  private liveSessions(): Session[] {
    const now = Date.now();
    for (const s of this.sessions.values()) {
      if (s.disconnectedAt !== null && now - s.disconnectedAt > this.core.options.resumeWindowMs) this.sessions.delete(s.id);
    }
    return [...this.sessions.values()];
  }

  /** Fans an event out to every session of the guild's shard whose intents cover it. */
  dispatch(t: GatewayDispatchEvents, d: DispatchData, scope: DispatchScope): void {
    for (const session of this.liveSessions()) {
      if (!onShard(session, scope.guildId)) continue;
      if (scope.intent !== null && (session.intents & scope.intent) === 0) continue;
      this.emit(session, t, typeof d === 'function' ? (d as (intents: number) => unknown)(session.intents) : d);
    }
  }

  /** INTERACTION_CREATE needs no intent, but it needs someone listening on the guild's shard. */
  dispatchInteraction(payload: APIInteraction): void {
    const guildId = payload.guild_id ?? null;
    if (!this.liveSessions().some((s) => onShard(s, guildId))) {
      const where = guildId ? `for guild ${guildId}'s shard` : 'for shard 0 (DMs)';
      throw new Error(`no gateway session ${where}: log a discord.js client in (and wait for clientReady) before driving interactions`);
    }
    this.dispatch(GatewayDispatchEvents.InteractionCreate, payload, { intent: null, guildId });
  }

  /** Every session that can still resume has a connection again (nothing is mid-reconnect). */
  settled(): boolean {
    const sessions = this.liveSessions();
    return sessions.length > 0 && sessions.every((s) => s.connection !== null);
  }

  /** Number of identified sessions with an open connection. */
  connectedSessions(): number {
    return [...this.sessions.values()].filter((s) => s.connection).length;
  }

  /**
   * Asks connected clients to reconnect: op 7 (they come back with RESUME) or, when not resumable,
   * op 9 with d=false (they IDENTIFY again).
   */
  reconnect({ resumable = true }: { resumable?: boolean } = {}): void {
    for (const session of this.sessions.values()) {
      const conn = session.connection;
      if (!conn) continue;
      if (resumable) this.send(conn, { op: GatewayOpcodes.Reconnect, d: null, s: null, t: null });
      else {
        this.sessions.delete(session.id);
        conn.session = null;
        this.send(conn, { op: GatewayOpcodes.InvalidSession, d: false, s: null, t: null });
      }
    }
  }

  /** Drops every connection abruptly (as a network failure would): sessions stay resumable. */
  dropConnections(): void {
    for (const conn of this.connections) conn.ws.terminate();
  }

  async closeAll(): Promise<void> {
    for (const conn of this.connections) conn.ws.terminate();
    this.connections.clear();
    this.sessions.clear();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
