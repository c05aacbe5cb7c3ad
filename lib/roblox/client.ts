/**
 * The Roblox web APIs verification uses: users.roblox.com (a username → the account; an account's details
 * with its profile description) and groups.roblox.com (an account's groups and ranks, for group-rank
 * binds). Only the base URLs differ between Roblox and the project's fake (test/fakes/roblox.ts serves the
 * same paths): ROBLOX_USERS_API_URL, ROBLOX_GROUPS_API_URL.
 *
 * Errors: 429 and 5xx, timeouts and network errors are RobloxUnavailableError (callers retry); anything
 * else Roblox refuses is RobloxRequestError. An unknown username or id is not an error: `null`.
 */
export interface RobloxUser {
  id: number;
  name: string;
  displayName: string;
}

export interface RobloxUserDetails extends RobloxUser {
  description: string;
  isBanned: boolean;
  created: string;
}

/** A group the account is in and its rank there (1-255; Roblox leaves out groups it is not in). */
export interface RobloxGroupRole {
  groupId: number;
  groupName: string;
  rank: number;
  roleName: string;
}

export class RobloxUnavailableError extends Error {
  readonly code = 'roblox_unavailable';
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RobloxUnavailableError';
  }
}

export class RobloxRequestError extends Error {
  readonly code = 'roblox_request_refused';
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'RobloxRequestError';
  }
}

export interface RobloxClient {
  /** The account named `username` (case-insensitive, banned ones included), or null. */
  findUserByName(username: string): Promise<RobloxUser | null>;
  /** An account's details with its profile description, or null for an unknown id. */
  getUser(userId: number): Promise<RobloxUserDetails | null>;
  /** The groups the account is in with its rank in each (an unknown account is in none). */
  getUserGroupRoles(userId: number): Promise<RobloxGroupRole[]>;
}

/** Roblox usernames: 3–20 letters, digits or underscores. */
export const ROBLOX_USERNAME = /^[A-Za-z0-9_]{3,20}$/;

export function createRobloxClient(opts: { usersApiUrl: string; groupsApiUrl: string; timeoutMs?: number; fetch?: typeof fetch }): RobloxClient {
  const usersBase = opts.usersApiUrl.replace(/\/+$/, '');
  const groupsBase = opts.groupsApiUrl.replace(/\/+$/, '');
  const doFetch = opts.fetch ?? fetch;
  const timeoutMs = opts.timeoutMs ?? 10_000;

  async function call<T>(what: string, path: string, init: RequestInit = {}, base = usersBase): Promise<{ status: number; body: T | undefined }> {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, { ...init, headers: { accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) }, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new RobloxUnavailableError(`Roblox did not answer while Guildflow tried to ${what} (${(err as Error).message}).`);
    }
    const text = await res.text();
    let body: T | undefined;
    try {
      body = text ? (JSON.parse(text) as T) : undefined;
    } catch {
      body = undefined;
    }
    if (res.status === 429 || res.status >= 500) {
      const retryAfter = Number(res.headers.get('retry-after'));
      throw new RobloxUnavailableError(`Roblox answered ${res.status} while Guildflow tried to ${what}.`, Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined);
    }
    return { status: res.status, body };
  }

  const errorText = (body: unknown) => {
    const errors = (body as { errors?: { message?: string }[] } | undefined)?.errors;
    return errors?.map((e) => e.message).join('; ') || 'no reason given';
  };

  return {
    async findUserByName(username) {
      if (!ROBLOX_USERNAME.test(username)) return null;
      const { status, body } = await call<{ data?: RobloxUser[] }>(`look up the Roblox user ${username}`, '/v1/usernames/users', {
        method: 'POST',
        body: JSON.stringify({ usernames: [username], excludeBannedUsers: false }),
      });
      if (status !== 200) throw new RobloxRequestError(`Roblox refused the username lookup (${status}: ${errorText(body)}).`, status);
      const found = body?.data?.[0];
      return found ? { id: Number(found.id), name: found.name, displayName: found.displayName } : null;
    },
    async getUser(userId) {
      const { status, body } = await call<RobloxUserDetails>(`read the Roblox profile ${userId}`, `/v1/users/${encodeURIComponent(String(userId))}`);
      if (status === 404 || status === 400) return null;
      if (status !== 200 || !body) throw new RobloxRequestError(`Roblox refused to show the profile ${userId} (${status}: ${errorText(body)}).`, status);
      return { id: Number(body.id), name: body.name, displayName: body.displayName, description: body.description ?? '', isBanned: body.isBanned === true, created: body.created };
    },
    async getUserGroupRoles(userId) {
      type Entry = { group?: { id?: number; name?: string }; role?: { name?: string; rank?: number } };
      const { status, body } = await call<{ data?: Entry[] }>(`read the Roblox groups of ${userId}`, `/v2/users/${encodeURIComponent(String(userId))}/groups/roles`, {}, groupsBase);
      if (status === 404 || status === 400) return [];
      if (status !== 200 || !Array.isArray(body?.data)) throw new RobloxRequestError(`Roblox refused to show the groups of ${userId} (${status}: ${errorText(body)}).`, status);
      return body.data.flatMap((e) =>
        e.group?.id !== undefined && typeof e.role?.rank === 'number'
          ? [{ groupId: Number(e.group.id), groupName: e.group.name ?? '', rank: e.role.rank, roleName: e.role.name ?? '' }]
          : [],
      );
    },
  };
}
