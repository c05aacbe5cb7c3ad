import type Router from '@koa/router';
import { z } from 'zod';
import type { RouteDeps } from '../deps';
import { documentOf } from '../openapi/document';
import { renderDocsPage } from '../openapi/docs-page';
import { route, routerOf, type RouteState } from '../openapi/route';

/** The API describing itself: the OpenAPI document built from every route's declaration, and a page of it. */
export function openApiRoutes(deps: RouteDeps): Router<RouteState> {
  return routerOf('/api', deps, [
    route({
      method: 'get',
      path: '/openapi.json',
      summary: 'This API as an OpenAPI 3.1 document.',
      tag: 'system',
      access: { kind: 'public' },
      responses: { 200: { description: 'The document.', schema: z.looseObject({ openapi: z.literal('3.1.0'), paths: z.record(z.string(), z.unknown()) }) } },
      handler: (ctx) => {
        ctx.body = documentOf(ctx.app);
      },
    }),
    route({
      method: 'get',
      path: '/docs',
      summary: 'The API reference as a page (no script: works offline and under a strict CSP).',
      tag: 'system',
      access: { kind: 'public' },
      responses: { 200: { description: 'HTML.', contentType: 'text/html', schema: z.string() } },
      handler: (ctx) => {
        ctx.set('Content-Security-Policy', "default-src 'none'");
        ctx.type = 'text/html; charset=utf-8';
        ctx.body = renderDocsPage(documentOf(ctx.app));
      },
    }),
  ]);
}
