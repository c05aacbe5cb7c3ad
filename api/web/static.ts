import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Context, Next } from 'koa';

/** Where `npm run web:build` writes the dashboard (web/vite.config.ts). */
const DEFAULT_WEB_ROOT = path.join(__dirname, '..', '..', 'web', 'dist');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Vite names built assets `assets/<name>-<hash>.<ext>`: their content never changes under that name. */
const HASHED_ASSET = /^\/assets\/[\w.-]+-[\w-]{8,}\.\w+$/;

/** Paths the dashboard never owns: the API and the operators' endpoints answer them (or 404 as JSON). */
function isServerPath(p: string): boolean {
  return p === '/api' || p.startsWith('/api/') || p === '/health' || p === '/ready' || p === '/metrics';
}

async function fileAt(root: string, urlPath: string): Promise<{ file: string; size: number; mtime: Date } | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const file = path.join(root, path.normalize(decoded));
  // Never outside the root (../ sequences), never a dotfile.
  if (file !== root && !file.startsWith(root + path.sep)) return null;
  if (path.basename(file).startsWith('.')) return null;
  const info = await stat(file).catch(() => null);
  return info?.isFile() ? { file, size: info.size, mtime: info.mtime } : null;
}

/**
 * Serves the built dashboard (a single-page app) for what no route answered: a file of `root` when one
 * exists (hashed assets cached for a year), else `index.html` for any other GET outside /api, so the
 * page's own paths load the app (the SPA fallback). Runs after the routes, so it shadows none of them;
 * API paths keep their JSON 404.
 */
export function serveDashboard(root: string = DEFAULT_WEB_ROOT) {
  const base = path.resolve(root);
  return async (ctx: Context, next: Next): Promise<void> => {
    await next();
    if (ctx.body !== undefined || ctx.status !== 404) return;
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD') return;
    if (isServerPath(ctx.path)) return;

    const asset = ctx.path === '/' ? null : await fileAt(base, ctx.path);
    const found = asset ?? (await fileAt(base, '/index.html'));
    if (!found) {
      ctx.status = 503;
      ctx.body = { error: { code: 'dashboard_not_built', message: 'The dashboard is not built: run `npm run web:build` (npm ci and npm start build it too).' } };
      return;
    }
    const isIndex = found.file === path.join(base, 'index.html');
    ctx.status = 200;
    ctx.type = TYPES[path.extname(found.file)] ?? 'application/octet-stream';
    ctx.length = found.size;
    ctx.lastModified = found.mtime;
    ctx.set('Cache-Control', !isIndex && HASHED_ASSET.test(ctx.path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    // Koa answers HEAD without a body; a stream opened for it would never be read.
    if (ctx.method === 'GET') ctx.body = createReadStream(found.file);
  };
}
