import { authorization } from '../api/client';

export interface LiveEvent {
  id: string;
  kind: string;
  data: unknown;
}

/** One parsed Server-Sent Event block (`id:`, `event:`, `data:` lines; comments ignored). */
function parseBlock(block: string): { id?: string; event?: string; data: string; retry?: number } {
  const out: { id?: string; event?: string; data: string; retry?: number } = { data: '' };
  for (const line of block.split('\n')) {
    if (!line || line.startsWith(':')) continue;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') out.id = value;
    else if (field === 'event') out.event = value;
    else if (field === 'data') out.data += (out.data ? '\n' : '') + value;
    else if (field === 'retry' && /^\d+$/.test(value)) out.retry = Number(value);
  }
  return out;
}

/**
 * Follows `GET /api/guilds/:guildId/events` until `signal` aborts. EventSource cannot send the bearer
 * token, so this reads the stream with fetch, and on any end reconnects with `Last-Event-ID` (the server
 * replays what was missed). `reset` (too far behind) is handed on: the listener reloads its state.
 */
export async function followEvents(guildId: string, kinds: readonly string[], onEvent: (e: LiveEvent) => void, signal: AbortSignal): Promise<void> {
  let lastId: string | undefined;
  let retryMs = 2000;
  while (!signal.aborted) {
    try {
      const headers: Record<string, string> = { Accept: 'text/event-stream', ...authorization() };
      if (lastId) headers['Last-Event-ID'] = lastId;
      const res = await fetch(`/api/guilds/${encodeURIComponent(guildId)}/events?types=${kinds.join(',')}`, { headers, signal, credentials: 'same-origin' });
      if (!res.ok || !res.body) {
        const retryAfter = Number(res.headers.get('Retry-After'));
        await pause(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : Math.max(retryMs, 5000), signal);
        continue;
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r\n?/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = parseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (block.retry !== undefined) retryMs = block.retry;
          if (block.id) lastId = block.id;
          if (block.event) onEvent({ id: block.id ?? '', kind: block.event, data: block.data ? (JSON.parse(block.data) as unknown) : null });
        }
      }
    } catch (err) {
      if (signal.aborted) return;
      void err; // a dropped connection: reconnect below
    }
    await pause(retryMs, signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(t);
      resolve();
    });
  });
}
