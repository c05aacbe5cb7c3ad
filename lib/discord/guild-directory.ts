import { DiscordAPIError, type REST } from '@discordjs/rest';
import { PermissionFlagsBits, Routes, type APIChannel, type APIGuildMember, type APIRole } from 'discord-api-types/v10';
import { AppError } from '../errors';

/** A channel as far as scope checks need it. */
export interface GuildChannel {
  id: string;
  guildId: string;
  type: number;
}

/** A member of the guild and their role ids. */
export interface GuildMember {
  userId: string;
  roleIds: readonly string[];
}

/** A channel for a picker: what a person chooses by. */
export interface ChannelListing {
  id: string;
  name: string;
  /** Discord's channel type (0 text, 2 voice, 4 category, 5 announcement, 15 forum, …). */
  type: number;
  /** The category it sits in, if any. */
  parentId: string | null;
  position: number;
}

/** A role for a picker. */
export interface RoleListing {
  id: string;
  name: string;
  color: number;
  position: number;
  /** Given by an integration (a bot's own role): nobody can be given it. */
  managed: boolean;
  mentionable: boolean;
}

/** A guild's channels and roles, and when Discord was asked. */
export interface Listing<T> {
  items: T[];
  fetchedAt: Date;
}

/**
 * What Discord says belongs to a guild. Every channel, role and member id that comes from input (an API
 * body, a command option, a settings row written earlier) is checked here before the bot acts on it: the
 * bot's token reaches every guild it is in, so an id from guild B given to guild A's API must not work.
 *
 * Answers that something exists are cached briefly (a "no" is asked again: the role or channel may have
 * been created a moment ago); Discord being unreachable throws, so callers
 * refuse (API 503, activity retry) rather than guess.
 */
export interface GuildDirectory {
  /** The channel when it exists in this guild; null when unknown, invisible to the bot or another guild's. */
  channel(guildId: string, channelId: string): Promise<GuildChannel | null>;
  /** True when the role exists in this guild. */
  hasRole(guildId: string, roleId: string): Promise<boolean>;
  /** The member when the user is in this guild; null otherwise. */
  member(guildId: string, userId: string): Promise<GuildMember | null>;
  /** True when these roles, with @everyone, grant Discord's Administrator permission in this guild. */
  grantsAdministrator(guildId: string, roleIds: readonly string[]): Promise<boolean>;
  /**
   * The guild's channels and roles, for pickers (cached as the rest); null when the bot is not in the guild.
   * `fresh` asks Discord again unless the cached answer is under `minRefreshMs` old (an admin who just made
   * a channel clicks refresh; clicking again at once does not reach Discord).
   */
  channels(guildId: string, opts?: { fresh?: boolean }): Promise<Listing<ChannelListing> | null>;
  roles(guildId: string, opts?: { fresh?: boolean }): Promise<Listing<RoleListing> | null>;
}

export interface GuildDirectoryOptions {
  /** How long an answer is reused (default 60 s). */
  ttlMs?: number;
  /** Most answers kept; the oldest go first (default 10,000). */
  maxEntries?: number;
  /** How old a cached channel or role list must be before `fresh` asks Discord again (default 5 s). */
  minRefreshMs?: number;
  now?: () => number;
}

/** Discord answers 403/404 for ids the bot cannot see: for a scope check, that is "not in this guild". */
function isNotFound(err: unknown): boolean {
  return err instanceof DiscordAPIError && (err.status === 404 || err.status === 403);
}

export function createGuildDirectory(rest: REST, options: GuildDirectoryOptions = {}): GuildDirectory {
  const ttlMs = options.ttlMs ?? 60_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  const minRefreshMs = options.minRefreshMs ?? 5_000;
  const cache = new Map<string, { expires: number; at: number; value: Promise<unknown> }>();

  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    const hit = cache.get(key);
    if (hit && hit.expires > now()) return hit.value as Promise<T>;
    const value = load();
    cache.delete(key);
    cache.set(key, { expires: now() + ttlMs, at: now(), value });
    if (cache.size > maxEntries) cache.delete(cache.keys().next().value!);
    // A failed lookup (Discord down) is not an answer, and "not found" is not kept either (the channel or
    // member may appear a moment later): the next caller asks again.
    const forget = () => cache.get(key)?.value === value && cache.delete(key);
    value.then((v) => v === null && forget(), forget);
    return value;
  }

  async function orNull<T>(request: () => Promise<T>): Promise<T | null> {
    try {
      return await request();
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** A `fresh` read drops the cached answer first, unless it is younger than minRefreshMs. */
  const refresh = (key: string, fresh: boolean | undefined) => {
    const hit = cache.get(key);
    if (fresh && hit && now() - hit.at >= minRefreshMs) cache.delete(key);
  };

  // The guild's roles as Discord lists them, @everyone (whose id is the guild's) included; null when the bot
  // is not in the guild. The permission checks and the role picker share this one cached list.
  const roleList = (guildId: string) =>
    cached(`roles:${guildId}`, async () => {
      const roles = await orNull(() => rest.get(Routes.guildRoles(guildId)) as Promise<APIRole[]>);
      return roles ? { roles, fetchedAt: new Date(now()) } : null;
    });
  // Each role's permission bits.
  const rolePermissions = async (guildId: string) => new Map(((await roleList(guildId))?.roles ?? []).map((r) => [r.id, BigInt(r.permissions)]));

  return {
    channel: (guildId, channelId) =>
      cached(`channel:${channelId}`, async () => {
        const c = (await orNull(() => rest.get(Routes.channel(channelId)) as Promise<APIChannel>)) as (APIChannel & { guild_id?: string }) | null;
        return c?.guild_id ? { id: c.id, guildId: c.guild_id, type: c.type } : null;
      }).then((c) => (c && c.guildId === guildId ? c : null)),
    // A role missing from the cached list may have been created a moment ago (an admin makes a role, then
    // binds it): one fresh read decides before the answer is no.
    hasRole: async (guildId, roleId) => {
      if ((await rolePermissions(guildId)).has(roleId)) return true;
      cache.delete(`roles:${guildId}`);
      return (await rolePermissions(guildId)).has(roleId);
    },
    grantsAdministrator: async (guildId, roleIds) => {
      const permissions = await rolePermissions(guildId);
      return [guildId, ...roleIds].some((id) => ((permissions.get(id) ?? 0n) & PermissionFlagsBits.Administrator) !== 0n);
    },
    channels: async (guildId, opts) => {
      refresh(`channels:${guildId}`, opts?.fresh);
      return cached(`channels:${guildId}`, async () => {
        const channels = await orNull(() => rest.get(Routes.guildChannels(guildId)) as Promise<APIChannel[]>);
        if (!channels) return null;
        const items = channels
          .map((c) => {
            const ch = c as APIChannel & { name?: string | null; parent_id?: string | null; position?: number };
            return { id: ch.id, name: ch.name ?? '', type: ch.type, parentId: ch.parent_id ?? null, position: ch.position ?? 0 };
          })
          .sort((a, b) => a.position - b.position || a.id.localeCompare(b.id));
        return { items, fetchedAt: new Date(now()) };
      });
    },
    roles: async (guildId, opts) => {
      refresh(`roles:${guildId}`, opts?.fresh);
      const list = await roleList(guildId);
      if (!list) return null;
      // Highest first, as Discord's settings show them; @everyone last.
      const items = list.roles
        .map((r) => ({ id: r.id, name: r.name, color: r.color, position: r.position, managed: r.managed, mentionable: r.mentionable }))
        .sort((a, b) => b.position - a.position || a.id.localeCompare(b.id));
      return { items, fetchedAt: list.fetchedAt };
    },
    member: (guildId, userId) =>
      cached(`member:${guildId}:${userId}`, async () => {
        const m = await orNull(() => rest.get(Routes.guildMember(guildId, userId)) as Promise<APIGuildMember>);
        return m ? { userId, roleIds: m.roles } : null;
      }),
  };
}

/** Ids from input, by the field that carried them (an API body's field, a command option's name). */
export interface ScopedIds {
  channels?: Record<string, string | null | undefined>;
  roles?: Record<string, string | readonly string[] | null | undefined>;
  /** Users who must be members (the bot DMs them, changes their roles). */
  members?: Record<string, string | null | undefined>;
}

/** An id that is not the guild's: 400 `not_in_guild`, naming the field. */
class NotInGuildError extends AppError {
  constructor(field: string, what: 'channel' | 'role' | 'member', id: string) {
    const why = what === 'member' ? `${id} is not a member of this server` : `${id} is not a ${what} of this server (or Guildflow cannot see it)`;
    super('not_in_guild', `${field}: ${why}.`, 400, { field, id });
  }
}

/** The ids cannot be checked (no Discord token in this process, or Discord unreachable): 503, nothing written. */
export class DiscordUnavailableError extends AppError {
  constructor(message: string) {
    super('discord_unavailable', message, 503);
  }
}

/**
 * Refuses input that names a channel or role of another guild (or none Guildflow can see): call it
 * before storing or using the ids. Null/absent ids need no check (so a process without Discord still
 * accepts changes that name none); any other id without a directory, or with Discord unreachable, is
 * refused with 503 rather than accepted unchecked.
 */
export async function requireInGuild(directory: GuildDirectory | null | undefined, guildId: string, ids: ScopedIds): Promise<void> {
  const given = (m: Record<string, string | null | undefined> | undefined) => Object.entries(m ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string');
  const channels = given(ids.channels);
  const members = given(ids.members);
  const roles = Object.entries(ids.roles ?? {}).flatMap(([field, v]) => (v == null ? [] : (typeof v === 'string' ? [v] : v).map((id) => [field, id] as const)));
  if (channels.length === 0 && roles.length === 0 && members.length === 0) return;
  if (!directory) throw new DiscordUnavailableError('Channels, roles and members cannot be checked: this process has no DISCORD_TOKEN, so it refuses changes that name them.');
  try {
    for (const [field, id] of channels) if (!(await directory.channel(guildId, id))) throw new NotInGuildError(field, 'channel', id);
    for (const [field, id] of roles) if (!(await directory.hasRole(guildId, id))) throw new NotInGuildError(field, 'role', id);
    for (const [field, id] of members) if (!(await directory.member(guildId, id))) throw new NotInGuildError(field, 'member', id);
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new DiscordUnavailableError('Discord could not be reached to check the channels, roles and members; nothing was changed, try again.');
  }
}
