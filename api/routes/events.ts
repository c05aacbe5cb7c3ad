import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type Router from '@koa/router';
import { z } from 'zod';
import { AppError } from '../../lib/errors';
import type { LiveEvent } from '../../lib/events/hub';
import { parseEventKinds } from '../../lib/events/kinds';
import { DEFAULT_EVENT_STREAM_LIMITS, StreamSlots, type SlotRefusal } from '../../lib/events/stream-slots';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteState } from '../openapi/route';

const lastEventId = z
  .string()
  .regex(/^\d{1,19}$/, 'Last-Event-ID must be an event id this stream sent.')
  .transform((v) => BigInt(v));

/** When a refused client may try again: slots free as other clients leave, so soon but not at once. */
const FULL_RETRY_AFTER_SECONDS = 30;

function refusalMessage({ scope, limit }: SlotRefusal): string {
  const open = `${limit} open event stream${limit === 1 ? '' : 's'}`;
  if (scope === 'token') return `This token already has ${open}, the most one token may have: close one, or try again later.`;
  if (scope === 'guild') return `This guild already has ${open} on this server, the most one guild may have: close one, or try again later.`;
  return `This server already has ${open}, the most it serves: try again later.`;
}

/**
 * `GET /api/guilds/:guildId/events` — Server-Sent Events for the dashboard (admin token): balances
 * (ledger movements with the accounts they moved), shop items (created, edited, stock, removed),
 * purchases and sync states, as `id: <event id>` / `event: <kind>` / `data: <json>`.
 *
 * - Resume: `Last-Event-ID` (sent by EventSource on reconnect, or `?lastEventId=`) replays what the
 *   guild's stream had after that id from the events table, then goes live without a gap or a repeat. A
 *   client further behind than the table keeps (it is bounded) gets `event: reset` and should reload.
 * - Filter: `?types=balance,shop_item` sends only events of those kinds, live and on resume (a `reset`
 *   is always sent); an unknown kind is a 400 listing the valid ones (lib/events/kinds.ts).
 * - Heartbeats: a comment line every `heartbeatMs`, so proxies keep the connection and clients notice a
 *   dead one.
 * - Shutdown: the hub's stop() ends every stream (api/server.ts stops it before closing the server).
 * - Limits: open streams are capped per token, per guild and per process (429 with Retry-After beyond
 *   them; a slot frees when its client goes), and a client that stops reading is dropped once its stream
 *   has more than `maxBufferedBytes` waiting, so it cannot make the process buffer without end. An
 *   EventSource reconnects and resumes from its Last-Event-ID.
 */
export function eventRoutes(deps: RouteDeps): Router<RouteState> {
  const { events: hub, eventHeartbeatMs, eventStreamLimits } = deps;
  const heartbeatMs = eventHeartbeatMs ?? 15_000;
  const limits = eventStreamLimits ?? DEFAULT_EVENT_STREAM_LIMITS;
  const slots = new StreamSlots(limits);

  const liveEvents = route({
    method: 'get',
    path: '/events',
    summary: 'Live events (Server-Sent Events): balances, shop items, purchases, sync states; resumable with Last-Event-ID.',
    description: 'Each event is `id: <event id>` / `event: <kind>` / `data: <json>`. Resume with the Last-Event-ID header (or ?lastEventId=); a client further behind than the kept events gets `event: reset`. Open streams are capped per token, guild and process (429 with Retry-After).',
    tag: 'events',
    access: { kind: 'guild', level: 'admin' },
    // Read by the handler (their own messages): declared for the document.
    query: z.object({
      types: z.string().optional().meta({ description: 'Only these event kinds, comma-separated (an unknown kind is a 400 listing the valid ones).' }),
      lastEventId: z.string().optional().meta({ description: 'Resume after this event id (as the Last-Event-ID header).' }),
    }),
    responses: { 200: { description: 'The event stream.', contentType: 'text/event-stream', schema: z.string() } },
    handler: async (ctx) => {
      if (!hub) throw new AppError('unavailable', 'Live events are not available in this process.', 503);
      const guildId = ctx.params.guildId!;
      const header = ctx.get('last-event-id') || (typeof ctx.query.lastEventId === 'string' ? ctx.query.lastEventId : '');
      const parsed = header ? lastEventId.safeParse(header) : null;
      if (parsed && !parsed.success) throw new AppError('invalid_input', parsed.error.issues[0]!.message, 400);
      const after = parsed?.data ?? null;
      const kinds = parseEventKinds(ctx.query.types);
      const slot = slots.take(guildId, ctx.state.auth.tokenId);
      if (!('release' in slot)) {
        ctx.set('Retry-After', String(FULL_RETRY_AFTER_SECONDS));
        throw new AppError('too_many_streams', refusalMessage(slot), 429, slot);
      }
      const log = ctx.state.log.child({ guildId, tokenId: ctx.state.auth.tokenId });

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
      let unsubscribe = () => {};
      const ended = new AbortController();
      const close = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        slot.release();
        ended.abort();
        stream.end();
      };
      const waitingBytes = () => stream.writableLength + stream.readableLength + ctx.req.socket.writableLength;
      /**
       * Drops the client when more than the bound is still waiting from earlier writes (checked before the
       * next batch, so a burst the client is reading is never a reason): it stopped reading.
       */
      const droppedForLagging = (): boolean => {
        const waiting = waitingBytes();
        if (waiting <= limits.maxBufferedBytes) return false;
        log.warn({ waitingBytes: waiting, maxBufferedBytes: limits.maxBufferedBytes }, 'event stream dropped: its client is not reading');
        close();
        stream.destroy();
        ctx.res.destroy();
        return true;
      };
      /** A replay writes its next batch once the client has taken the previous one (or the stream ended). */
      const roomForMore = async () => {
        while (!closed && waitingBytes() > limits.maxBufferedBytes) await once(stream, 'drain', { signal: ended.signal }).catch(() => undefined);
      };
      const write = (e: LiveEvent) => {
        if (closed || sent.has(e.id) || (after !== null && BigInt(e.id) <= after) || (kinds && !kinds.has(e.kind))) return;
        if (sent.size > 10_000) sent.clear();
        sent.add(e.id);
        stream.write(`id: ${e.id}\nevent: ${e.kind}\ndata: ${JSON.stringify({ ...e })}\n\n`);
      };
      // The response closes when the client goes (or when the stream is dropped or ended): the slot frees.
      ctx.res.once('close', close);
      unsubscribe = hub.subscribe({
        guildId,
        deliver: (events) => {
          if (!live) buffered.push(...events);
          else if (!closed && !droppedForLagging()) events.forEach(write);
        },
        close,
      });
      const heartbeat = setInterval(() => {
        if (!closed && !droppedForLagging()) stream.write(`: heartbeat ${new Date().toISOString()}\n\n`);
      }, heartbeatMs);
      heartbeat.unref();

      try {
        stream.write(`retry: 2000\n: connected\n\n`);
        // Subscribed first (live events wait in `buffered`), then the replay: nothing falls between the two,
        // and what both have is sent once.
        if (after !== null) {
          const oldest = await hub.oldestId();
          if (oldest !== null && after < oldest - 1n) {
            stream.write(`event: reset\ndata: ${JSON.stringify({ reason: 'Events after that id are no longer kept; reload the state and reconnect.' })}\n\n`);
          } else {
            let from = after;
            while (!closed) {
              const { events, truncated } = await hub.replay(guildId, from, kinds);
              events.forEach(write);
              if (!truncated || !events.length) break;
              from = BigInt(events[events.length - 1]!.id);
              await roomForMore();
            }
          }
        }
      } catch (err) {
        close(); // the slot and the subscription are not kept for a stream that never started
        throw err;
      }
      live = true;
      buffered.splice(0).forEach(write);
      log.debug({ after: after?.toString() ?? null }, 'event stream open');
    },
  });

  return routerOf('/api/guilds/:guildId', deps, [liveEvents]);
}
