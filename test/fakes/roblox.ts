import { type FakeRequest, type FakeResponse, type FaultControls, type FaultStatus, startFakeServer } from './http-fake';
import { patternPng } from './png';

/**
 * A fake of the Roblox web APIs Guildflow uses, on one port: users.roblox.com (username lookup, user
 * details with the profile description used for verification), groups.roblox.com (a user's groups and
 * ranks) and thumbnails.roblox.com (avatar headshots). Answers have Roblox's JSON shapes, including the `{ errors: [{ code, message }] }` error
 * envelope, so the production client is tested against the wire format, only its base URL differs.
 */

export interface FakeRobloxUser {
  id: number;
  name: string;
  displayName: string;
  description: string;
  isBanned: boolean;
  hasVerifiedBadge: boolean;
  /** ISO 8601, as Roblox sends it. */
  created: string;
}

export interface FakeRoblox extends FaultControls {
  /** Base URL for both the users API and the thumbnails API paths. */
  url: string;
  addUser(user: {
    name: string;
    displayName?: string;
    description?: string;
    isBanned?: boolean;
    hasVerifiedBadge?: boolean;
    created?: string | Date;
    id?: number;
  }): FakeRobloxUser;
  setDescription(userId: number, text: string): void;
  setBanned(userId: number, banned: boolean): void;
  /** The user's groups and ranks from now on (replaces the previous list; rank 1-255). */
  setGroups(userId: number, groups: { groupId: number; rank: number; groupName?: string; roleName?: string }[]): void;
  user(userId: number): FakeRobloxUser | undefined;
  close(): Promise<void>;
}

// Headshot sizes the real endpoint accepts; any other size is a 400 there too.
const HEADSHOT_SIZES = new Set(['48x48', '50x50', '60x60', '75x75', '100x100', '110x110', '150x150', '180x180', '352x352', '420x420', '720x720']);
const FORMATS = new Map([
  ['png', 'Png'],
  ['jpeg', 'Jpeg'],
  ['webp', 'Webp'],
]);
const MAX_BATCH = 100;

function robloxError(status: number, code: number, message: string): FakeResponse {
  return { status, json: { errors: [{ code, message, userFacingMessage: 'Something went wrong' }] } };
}

function faultResponse(status: FaultStatus): FakeResponse {
  if (status === 429) return { status, json: { errors: [{ code: 0, message: 'Too many requests' }] } };
  return { status, json: { errors: [{ code: 0, message: status === 503 ? 'Service unavailable' : 'InternalServerError' }] } };
}

export async function startFakeRoblox(): Promise<FakeRoblox> {
  const users = new Map<number, FakeRobloxUser>();
  const groups = new Map<number, { groupId: number; rank: number; groupName?: string; roleName?: string }[]>();
  let nextId = 100_000_001; // real ids are large; tests should not assume small ones
  let base = '';

  const byName = (name: string) => {
    const lower = name.toLowerCase();
    return [...users.values()].find((u) => u.name.toLowerCase() === lower);
  };

  const mustGet = (userId: number): FakeRobloxUser => {
    const user = users.get(userId);
    if (!user) throw new Error(`fake Roblox has no user ${userId}`);
    return user;
  };

  const usernamesUsers = (req: FakeRequest): FakeResponse => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(req.body.toString('utf8'));
    } catch {
      return robloxError(400, 0, 'Something went wrong with the request, see response status code.');
    }
    const { usernames, excludeBannedUsers } = (parsed ?? {}) as { usernames?: unknown; excludeBannedUsers?: unknown };
    if (!Array.isArray(usernames) || !usernames.every((u) => typeof u === 'string')) {
      return robloxError(400, 0, 'Something went wrong with the request, see response status code.');
    }
    if (usernames.length > MAX_BATCH) return robloxError(400, 2, 'Too many usernames.');
    const data = [...new Set(usernames as string[])].flatMap((requestedUsername) => {
      const user = byName(requestedUsername);
      if (!user || (excludeBannedUsers === true && user.isBanned)) return [];
      return [{ requestedUsername, hasVerifiedBadge: user.hasVerifiedBadge, id: user.id, name: user.name, displayName: user.displayName }];
    });
    return { status: 200, json: { data } };
  };

  const userDetails = (id: string): FakeResponse => {
    const user = /^\d+$/.test(id) ? users.get(Number(id)) : undefined;
    if (!user) return { status: 404, json: { errors: [{ code: 3, message: 'The user id is invalid.', userFacingMessage: 'Something went wrong' }] } };
    return {
      status: 200,
      json: {
        description: user.description,
        created: user.created,
        isBanned: user.isBanned,
        externalAppDisplayName: null,
        hasVerifiedBadge: user.hasVerifiedBadge,
        id: user.id,
        name: user.name,
        displayName: user.displayName,
      },
    };
  };

  /** groups.roblox.com/v2/users/{id}/groups/roles: the shape Roblox answers (member counts are made up). */
  const groupRoles = (id: string): FakeResponse => {
    const user = /^\d+$/.test(id) ? users.get(Number(id)) : undefined;
    if (!user) return robloxError(400, 3, 'The user is invalid or does not exist.');
    const data = (groups.get(user.id) ?? []).map((g) => ({
      group: { id: g.groupId, name: g.groupName ?? `Group ${g.groupId}`, memberCount: 100, hasVerifiedBadge: false },
      role: { id: g.groupId * 1000 + g.rank, name: g.roleName ?? `Rank ${g.rank}`, rank: g.rank },
    }));
    return { status: 200, json: { data } };
  };

  const headshots = (url: URL): FakeResponse => {
    const raw = url.searchParams.get('userIds') ?? '';
    const ids = raw.split(',').map((s) => s.trim());
    if (raw === '' || !ids.every((s) => /^\d+$/.test(s))) return robloxError(400, 4, 'The requested Ids are invalid, of an invalid type or missing.');
    if (ids.length > MAX_BATCH) return robloxError(400, 1, 'There are too many requested Ids.');
    const size = url.searchParams.get('size') ?? '48x48';
    if (!HEADSHOT_SIZES.has(size)) return robloxError(400, 3, 'The requested size is invalid. Please see documentation for valid thumbnail size parameter name and format.');
    const format = FORMATS.get((url.searchParams.get('format') ?? 'png').toLowerCase());
    if (!format) return robloxError(400, 9, 'The requested format is invalid.');
    const circular = url.searchParams.get('isCircular') === 'true';
    const data = ids.map((s) => {
      const targetId = Number(s);
      const user = users.get(targetId);
      if (!user) return { targetId, state: 'Error', imageUrl: null, version: 'TN3' };
      if (user.isBanned) return { targetId, state: 'Blocked', imageUrl: null, version: 'TN3' };
      const imageUrl = `${base}/thumbs/avatar-headshot/${targetId}/${size}/${format}${circular ? '/circular' : ''}`;
      return { targetId, state: 'Completed', imageUrl, version: 'TN3' };
    });
    return { status: 200, json: { data } };
  };

  const handle = (req: FakeRequest): FakeResponse => {
    const path = req.url.pathname;
    if (req.method === 'POST' && path === '/v1/usernames/users') return usernamesUsers(req);
    if (req.method === 'GET' && path === '/v1/users/avatar-headshot') return headshots(req.url);
    const userMatch = /^\/v1\/users\/([^/]+)$/.exec(path);
    if (req.method === 'GET' && userMatch?.[1]) return userDetails(userMatch[1]);
    const groupsMatch = /^\/v2\/users\/([^/]+)\/groups\/roles$/.exec(path);
    if (req.method === 'GET' && groupsMatch?.[1]) return groupRoles(groupsMatch[1]);
    const thumb = /^\/thumbs\/avatar-headshot\/(\d+)\//.exec(path);
    if (req.method === 'GET' && thumb?.[1]) return { status: 200, body: patternPng(`headshot:${thumb[1]}`, 21, 2), contentType: 'image/png' };
    return robloxError(404, 0, 'NotFound');
  };

  const server = await startFakeServer({ handle, faultResponse });
  base = server.url;

  return {
    url: server.url,
    inject: server.inject,
    setLatency: server.setLatency,
    clearFaults: server.clearFaults,
    requests: server.requests,
    inFlight: server.inFlight,
    close: server.close,
    addUser: ({ name, displayName, description = '', isBanned = false, hasVerifiedBadge = false, created, id }) => {
      if (!/^[A-Za-z0-9_]{3,20}$/.test(name)) throw new Error(`"${name}" is not a valid Roblox username (3-20 of A-Z a-z 0-9 _)`);
      if (byName(name)) throw new Error(`fake Roblox already has a user named ${name}`);
      const userId = id ?? nextId++;
      if (users.has(userId)) throw new Error(`fake Roblox already has user id ${userId}`);
      const user: FakeRobloxUser = {
        id: userId,
        name,
        displayName: displayName ?? name,
        description,
        isBanned,
        hasVerifiedBadge,
        created: (created === undefined ? new Date('2019-06-01T12:00:00.000Z') : new Date(created)).toISOString(),
      };
      users.set(userId, user);
      return { ...user };
    },
    setDescription: (userId, text) => {
      mustGet(userId).description = text;
    },
    setBanned: (userId, banned) => {
      mustGet(userId).isBanned = banned;
    },
    setGroups: (userId, list) => {
      mustGet(userId);
      if (!list.every((g) => Number.isInteger(g.rank) && g.rank >= 1 && g.rank <= 255)) throw new Error('a Roblox group rank is 1-255');
      groups.set(userId, list.map((g) => ({ ...g })));
    },
    user: (userId) => {
      const user = users.get(userId);
      return user && { ...user };
    },
  };
}
