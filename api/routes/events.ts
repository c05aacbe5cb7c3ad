import { PassThrough } from 'node:stream';
import Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '../../lib/errors';
import type { LiveEvent } from '../../lib/events/hub';
import type { Logger } from '../../lib/logger';
import { requireGuildToken, type AuthState } from '../auth';
import type { RouteDeps } from '../deps';

type State = AuthState & { log: Logger };

const lastEventId = z
  .string()
  .regex(/^\d{1,19}$/, 'Last-Event-ID must be an event id this stream sent.')
  .transform((v) => BigInt(v));

/**
 * `GET /api/guilds/:guildId/events` — Server-Sent Events for the dashboard (admin token): balances
 * (ledger movements with the accounts they moved), shop items (created, edited, stock, removed),
 * purchases and sync states, as `id: <event id>` / `event: <kind>` / `data: <json>`.
 *
 * - Resume: `Last-Event-ID` (sent by EventSource on reconnect, or `?lastEventId=`) replays what the
 *   guild's stream had after that id from the events table, then goes live without a gap or a repeat. A
 *   client further behind than the table keeps (it is bounded) gets `event: reset` and should reload.
 * - Heartbeats: a comment line every `heartbeatMs`, so proxies keep the connection and clients notice a
 *   dead one.
 * - Shutdown: the hub's stop() ends every stream (api/server.ts stops it before closing the server).
 */
export function eventRoutes({ prisma, events: hub, eventHeartbeatMs }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId' });
  const heartbeatMs = eventHeartbeatMs ?? 15_000;

  router.get('/events', requireGuildToken(prisma, 'admin'), async (ctx) => {
    if (!hub) throw new AppError('unavailable', 'Live events are not available in this process.', 503);
    const guildId = ctx.params.guildId!;
    const header = ctx.get('last-event-id') || (typeof ctx.query.lastEventId === 'string' ? ctx.query.lastEventId : '');
    const parsed = header ? lastEventId.safeParse(header) : null;
    if (parsed && !parsed.success) throw new AppError('invalid_input', parsed.error.issues[0]!.message, 400);
    const after = parsed?.data ?? null;

    const stream = new PassThrough();
    ctx.req.socket.setTimeout(0);
    ctx.req.socket.setNoDelay(true);
    ctx.status = 200;
    ctx.set({ 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache, no-transform', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    ctx.body = stream;

    let closed = false;
    const sent = new Set<string>();
    let live = false;
    const buffered: LiveEvent[] = [];
    const write = (e: LiveEvent) => {
      if (closed || sent.has(e.id) || (after !== null && BigInt(e.id) <= after)) return;
      if (sent.size > 10_000) sent.clear();
      sent.add(e.id);
      stream.write(`id: ${e.id}\nevent: ${e.kind}\ndata: ${JSON.stringify({ ...e })}\n\n`);
    };
    const close = () => {
      if (closed) return;
      closed = true;
      clearInterval(heartbeat);
      unsubscribe();
      stream.end();
    };
    const unsubscribe = hub.subscribe({
      guildId,
      deliver: (events) => {
        if (live) events.forEach(write);
        else buffered.push(...events);
      },
      close,
    });
    const heartbeat = setInterval(() => {
      if (!closed) stream.write(`: heartbeat ${new Date().toISOString()}\n\n`);
    }, heartbeatMs);
    heartbeat.unref();
    ctx.req.once('close', close);

    stream.write(`retry: 2000\n: connected\n\n`);
    // Subscribed first (live events wait in `buffered`), then the replay: nothing falls between the two,
    // and what both have is sent once.
    if (after !== null) {
      const oldest = await hub.oldestId();
      if (oldest !== null && after < oldest - 1n) {
        stream.write(`event: reset\ndata: ${JSON.stringify({ reason: 'Events after that id are no longer kept; reload the state and reconnect.' })}\n\n`);
      } else {
        let from = after;
        for (;;) {
          const { events, truncated } = await hub.replay(guildId, from);
          events.forEach(write);
          if (!truncated || !events.length) break;
          from = BigInt(events[events.length - 1]!.id);
        }
      }
    }
    live = true;
    buffered.splice(0).forEach(write);
    ctx.state.log.debug({ guildId, after: after?.toString() ?? null }, 'event stream open');
  });

  return router;
}
