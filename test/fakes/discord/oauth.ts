import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Core } from './core';

/**
 * Discord's OAuth2 authorization-code flow with PKCE, as a web app's login uses it: the consent page
 * (`/oauth2/authorize`), the token endpoint (`/api/oauth2/token`, `/api/v10/oauth2/token`) and the user's
 * own reads with a Bearer token (`/api/[v10/]users/@me`, `…/@me/guilds`). The person "logged in to
 * Discord" in the browser is set by the test (`setOAuthUser`); the consent form posts back here and
 * redirects to the app, as Discord's does. Codes are single-use and expire; errors use OAuth's
 * `{ error, error_description }` bodies, as Discord's token endpoint does.
 */

/** One registered application's OAuth2 settings (the developer portal's OAuth2 page). */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

interface CodeRec {
  clientId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  challenge: string;
  expiresAt: number;
}

interface AccessRec {
  userId: string;
  scopes: string[];
  expiresAt: number;
}

/** What an OAuth request got, for assertions (never the secrets themselves). */
export interface OAuthRequestRecord {
  method: string;
  path: string;
  status: number;
  /** The token endpoint's grant_type, or the error it answered. */
  grantType?: string;
  error?: string;
}

const SUPPORTED_SCOPES = new Set(['identify', 'email', 'guilds', 'guilds.members.read', 'connections']);
/** Discord's access tokens live a week. */
const ACCESS_TOKEN_SECONDS = 604_800;
const USER_PATHS = /^\/api(?:\/v10)?\/users\/@me(\/guilds)?$/;
const TOKEN_PATHS = new Set(['/api/oauth2/token', '/api/v10/oauth2/token']);

class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    description: string,
  ) {
    super(description);
  }
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const token = () => randomBytes(24).toString('base64url');

export class FakeOAuth {
  readonly app: OAuthApp;
  /** The user logged in to Discord in the test's "browser": who consents on the authorize page. */
  loggedInUserId: string | null = null;
  codeLifetimeMs = 10 * 60_000;
  readonly records: OAuthRequestRecord[] = [];
  private readonly codes = new Map<string, CodeRec>();
  private readonly accessTokens = new Map<string, AccessRec>();
  private readonly refreshTokens = new Map<string, { userId: string; scopes: string[]; clientId: string }>();

  constructor(private readonly core: Core) {
    this.app = { clientId: core.state.applicationId, clientSecret: token(), redirectUris: [] };
  }

  /** True for the requests this part answers (the rest go to the bot's REST API). */
  handles(req: IncomingMessage): boolean {
    const path = new URL(req.url ?? '/', this.core.origin).pathname;
    if (path === '/oauth2/authorize' || TOKEN_PATHS.has(path)) return true;
    return USER_PATHS.test(path) && /^Bearer\s/i.test(req.headers.authorization ?? '');
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.core.origin);
    const method = (req.method ?? 'GET').toUpperCase();
    const record: OAuthRequestRecord = { method, path: url.pathname, status: 500 };
    try {
      const body = await readForm(req);
      if (url.pathname === '/oauth2/authorize' && method === 'GET') this.consentPage(url.searchParams, res);
      else if (url.pathname === '/oauth2/authorize' && method === 'POST') this.decide(body, res);
      else if (TOKEN_PATHS.has(url.pathname) && method === 'POST') this.tokenEndpoint(req, body, res, record);
      else if (USER_PATHS.test(url.pathname) && method === 'GET') this.userRead(req, url.pathname, res);
      else throw new OAuthError(405, 'invalid_request', '405: Method Not Allowed');
      record.status = res.statusCode;
    } catch (err) {
      const e = err instanceof OAuthError ? err : new OAuthError(500, 'server_error', 'internal error');
      if (!(err instanceof OAuthError)) this.core.internalErrors.push(err);
      record.status = e.status;
      record.error = e.error;
      sendJson(res, e.status, e.error === 'unauthorized' ? { message: '401: Unauthorized', code: 0 } : { error: e.error, error_description: e.message });
    } finally {
      this.records.push(record);
    }
  }

  // ---- /oauth2/authorize -------------------------------------------------------------------------------------

  /** The parameters Discord checks before it shows the consent screen (an error page otherwise, no redirect). */
  private checkAuthorize(q: URLSearchParams): { redirectUri: string; scopes: string[] } {
    if (q.get('client_id') !== this.app.clientId) throw new OAuthError(400, 'invalid_client', 'Unknown application (client_id).');
    const redirectUri = q.get('redirect_uri') ?? '';
    if (!this.app.redirectUris.includes(redirectUri)) throw new OAuthError(400, 'invalid_request', 'Invalid OAuth2 redirect_uri.');
    if (q.get('response_type') !== 'code') throw new OAuthError(400, 'unsupported_response_type', 'response_type must be code.');
    const scopes = (q.get('scope') ?? '').split(' ').filter(Boolean);
    if (!scopes.length || scopes.some((s) => !SUPPORTED_SCOPES.has(s))) throw new OAuthError(400, 'invalid_scope', `Invalid scope: ${q.get('scope') ?? ''}`);
    const challenge = q.get('code_challenge');
    if (challenge !== null && (q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge))) {
      throw new OAuthError(400, 'invalid_request', 'code_challenge must be an S256 challenge (code_challenge_method=S256).');
    }
    return { redirectUri, scopes };
  }

  private consentPage(q: URLSearchParams, res: ServerResponse): void {
    const { scopes } = this.checkAuthorize(q);
    const user = this.loggedInUserId ? this.core.state.users.get(this.loggedInUserId) : undefined;
    if (!user) throw new OAuthError(401, 'login_required', 'No user is logged in to the fake Discord (setOAuthUser).');
    const fields = ['client_id', 'redirect_uri', 'response_type', 'scope', 'state', 'code_challenge', 'code_challenge_method']
      .filter((k) => q.has(k))
      .map((k) => `<input type="hidden" name="${k}" value="${escapeHtml(q.get(k) ?? '')}">`)
      .join('\n      ');
    const html = `<!doctype html>
<html><head><title>Discord | Authorize access to your account</title></head>
<body>
  <p>Logged in as ${escapeHtml(user.username)}. An external application wants to: ${scopes.map(escapeHtml).join(', ')}</p>
  <form method="post" action="/oauth2/authorize">
      ${fields}
      <button type="submit" name="authorize" value="true">Authorize</button>
      <button type="submit" name="authorize" value="false">Cancel</button>
  </form>
</body></html>`;
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': String(Buffer.byteLength(html)) });
    res.end(html);
  }

  /** The consent form's submit: a code (or access_denied) back to the app's redirect URI, with its state. */
  private decide(form: URLSearchParams, res: ServerResponse): void {
    const { redirectUri, scopes } = this.checkAuthorize(form);
    const userId = this.loggedInUserId;
    if (!userId) throw new OAuthError(401, 'login_required', 'No user is logged in to the fake Discord (setOAuthUser).');
    const target = new URL(redirectUri);
    if (form.get('authorize') === 'true') {
      const code = token();
      this.codes.set(code, {
        clientId: this.app.clientId,
        userId,
        redirectUri,
        scopes,
        challenge: form.get('code_challenge') ?? '',
        expiresAt: Date.now() + this.codeLifetimeMs,
      });
      target.searchParams.set('code', code);
    } else {
      target.searchParams.set('error', 'access_denied');
      target.searchParams.set('error_description', 'The resource owner or authorization server denied the request');
    }
    const state = form.get('state');
    if (state !== null) target.searchParams.set('state', state);
    res.writeHead(302, { location: target.toString(), 'content-length': '0' });
    res.end();
  }

  // ---- /api/oauth2/token ------------------------------------------------------------------------------------

  private tokenEndpoint(req: IncomingMessage, form: URLSearchParams, res: ServerResponse, record: OAuthRequestRecord): void {
    this.authenticateClient(req, form);
    const grant = form.get('grant_type') ?? '';
    record.grantType = grant;
    if (grant === 'authorization_code') return sendJson(res, 200, this.exchangeCode(form));
    if (grant === 'refresh_token') {
      const old = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (!old || old.clientId !== this.app.clientId) throw new OAuthError(400, 'invalid_grant', 'Invalid "refresh_token" in request.');
      this.refreshTokens.delete(form.get('refresh_token') ?? '');
      return sendJson(res, 200, this.issue(old.userId, old.scopes));
    }
    throw new OAuthError(400, 'unsupported_grant_type', `Unsupported grant type: ${grant}`);
  }

  /** client_secret_basic (Authorization: Basic) or client_secret_post (form fields), as Discord accepts both. */
  private authenticateClient(req: IncomingMessage, form: URLSearchParams): void {
    let id = form.get('client_id');
    let secret = form.get('client_secret');
    const basic = /^Basic\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (basic?.[1]) {
      const decoded = Buffer.from(basic[1], 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      id = decodeURIComponent(decoded.slice(0, colon));
      secret = decodeURIComponent(decoded.slice(colon + 1));
    }
    if (id !== this.app.clientId || secret === null || !sameText(secret, this.app.clientSecret)) {
      throw new OAuthError(401, 'invalid_client', 'Invalid client credentials.');
    }
  }

  private exchangeCode(form: URLSearchParams) {
    const code = form.get('code') ?? '';
    const rec = this.codes.get(code);
    // Single use: a code is gone once presented, whether the exchange then succeeds or not.
    this.codes.delete(code);
    if (!rec || rec.expiresAt <= Date.now()) throw new OAuthError(400, 'invalid_grant', 'Invalid "code" in request.');
    if (form.get('redirect_uri') !== rec.redirectUri) throw new OAuthError(400, 'invalid_grant', 'Invalid "redirect_uri" in request.');
    if (rec.challenge) {
      const verifier = form.get('code_verifier') ?? '';
      const computed = createHash('sha256').update(verifier).digest('base64url');
      if (!sameText(computed, rec.challenge)) throw new OAuthError(400, 'invalid_grant', 'Invalid "code_verifier" in request.');
    }
    return this.issue(rec.userId, rec.scopes);
  }

  private issue(userId: string, scopes: string[]) {
    const access = token();
    const refresh = token();
    this.accessTokens.set(access, { userId, scopes, expiresAt: Date.now() + ACCESS_TOKEN_SECONDS * 1000 });
    this.refreshTokens.set(refresh, { userId, scopes, clientId: this.app.clientId });
    return { access_token: access, token_type: 'Bearer', expires_in: ACCESS_TOKEN_SECONDS, refresh_token: refresh, scope: scopes.join(' ') };
  }

  // ---- the user's own reads -------------------------------------------------------------------------------

  private userRead(req: IncomingMessage, path: string, res: ServerResponse): void {
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '')?.[1] ?? '';
    const rec = this.accessTokens.get(bearer);
    if (!rec || rec.expiresAt <= Date.now()) throw new OAuthError(401, 'unauthorized', '401: Unauthorized');
    const s = this.core.state;
    const user = s.users.get(rec.userId);
    if (!user) throw new OAuthError(401, 'unauthorized', '401: Unauthorized');
    if (!path.endsWith('/guilds')) {
      if (!rec.scopes.includes('identify')) throw new OAuthError(401, 'unauthorized', '401: Unauthorized');
      return sendJson(res, 200, { ...s.toAPIUser(user), locale: 'en-US', mfa_enabled: false });
    }
    if (!rec.scopes.includes('guilds')) throw new OAuthError(401, 'unauthorized', '401: Unauthorized');
    const guilds = [...s.guilds.values()]
      .filter((g) => g.members.has(user.id))
      .map((g) => ({
        id: g.id,
        name: g.name,
        icon: null,
        banner: null,
        owner: g.ownerId === user.id,
        permissions: s.guildPermissions(g, user.id).toString(),
        features: [],
      }));
    sendJson(res, 200, guilds);
  }
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The body as a form (the consent form's POST and the token endpoint take application/x-www-form-urlencoded). */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const raw = Buffer.concat(chunks).toString('utf8');
  if (!raw) return new URLSearchParams();
  if (!(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthError(400, 'invalid_request', 'The body must be application/x-www-form-urlencoded.');
  }
  return new URLSearchParams(raw);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}
