import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/**
 * The admin dashboard (a single-page app the API serves at `/`, api/web/static.ts). No inline script or
 * style may be emitted: the page's Content-Security-Policy forbids both.
 */
const here = path.dirname(fileURLToPath(import.meta.url));

export default defineConfig({
  root: here,
  base: '/',
  // React's automatic JSX runtime, through Vite's own TypeScript transform (no plugin needed).
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: path.join(here, 'dist'),
    emptyOutDir: true,
    // No modulepreload polyfill: it is an inline script, which the CSP refuses.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
