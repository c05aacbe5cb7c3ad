// Starts the session refresh while the app's script is still downloading and evaluating (a few hundred
// milliseconds of the first page's time to interactive on a loaded machine). A classic script of its own,
// run during parsing, so it always runs before the app, which takes this answer for its first refresh
// (web/src/auth/session.ts): the rotating refresh token is still spent once. The header is the auth
// routes' CSRF header (web/src/api/client.ts CSRF_HEADER).
window.guildflowFirstRefresh = fetch('/api/auth/refresh', { method: 'POST', headers: { 'X-Guildflow-CSRF': '1' }, credentials: 'same-origin' });
