import { api, CSRF_HEADER, setAccessToken, type Session } from '../api/client';

/** Refresh this long before the access token expires, so no call goes out with an expired one. */
const REFRESH_BEFORE_MS = 60_000;
const MIN_DELAY_MS = 5_000;

let timer: ReturnType<typeof setTimeout> | undefined;

/**
 * Exchanges the session cookie for an access token (POST /api/auth/refresh): the session, or null when
 * there is none (401: show the login page). Schedules the next refresh before the token expires and calls
 * `onChange` with each new session (or null once it has ended).
 */
export function refreshSession(onChange: (session: Session | null) => void): Promise<Session | null> {
  // One refresh at a time: two racing with the same rotating token count as reuse and end the session
  // (React's development StrictMode runs the first effect twice).
  inFlight ??= refreshOnce(onChange).finally(() => {
    inFlight = undefined;
  });
  return inFlight;
}

let inFlight: Promise<Session | null> | undefined;

type RefreshAnswer = Awaited<ReturnType<typeof postRefresh>>;
const postRefresh = () => api.POST('/api/auth/refresh', { headers: CSRF_HEADER });

/** The refresh web/public/boot.js started while the app loaded, taken once (a second use would replay a spent token). */
function takeFirstRefresh(): Promise<RefreshAnswer> | null {
  const holder = window as Window & { guildflowFirstRefresh?: Promise<Response> };
  const first = holder.guildflowFirstRefresh;
  delete holder.guildflowFirstRefresh;
  return first ? first.then(async (response) => ({ response, data: response.ok ? ((await response.json()) as RefreshAnswer['data']) : undefined }) as RefreshAnswer) : null;
}

async function refreshOnce(onChange: (session: Session | null) => void): Promise<Session | null> {
  clearTimeout(timer);
  const { data, response } = await (takeFirstRefresh() ?? postRefresh());
  if (!data) {
    setAccessToken(null);
    if (response.status === 401) return null;
    throw new Error(`Could not refresh the session: the API answered ${response.status}.`);
  }
  setAccessToken(data.accessToken);
  const delay = Math.max(MIN_DELAY_MS, new Date(data.expiresAt).getTime() - Date.now() - REFRESH_BEFORE_MS);
  timer = setTimeout(() => {
    refreshSession(onChange).then(onChange, () => onChange(null));
  }, delay);
  return data;
}

export async function logout(): Promise<void> {
  clearTimeout(timer);
  await api.POST('/api/auth/logout', { headers: CSRF_HEADER });
  setAccessToken(null);
}

/** Where "Log in with Discord" goes: the API starts the OAuth flow and comes back to `next`. */
export function loginUrl(next: string): string {
  return `/api/auth/login?next=${encodeURIComponent(next)}`;
}
