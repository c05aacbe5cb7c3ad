/** A minimal Server-Sent Events client for tests: reads the stream, parses events, remembers comments (heartbeats). */
export interface SseEvent {
  id?: string;
  event: string;
  data: string;
  receivedAt: number;
}

export interface SseClient {
  status: number;
  headers: Headers;
  /** The body of a refused stream (any status but 200), as text. */
  refusal?: string;
  events: SseEvent[];
  comments: string[];
  /** How the stream ended, if not by close() or the server ending it. */
  errors: Error[];
  closed: Promise<void>;
  waitFor(predicate: (e: SseEvent) => boolean, timeoutMs?: number, what?: string): Promise<SseEvent>;
  close(): void;
}

export async function connectSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: 'text/event-stream', ...headers }, signal: abort.signal });
  const refusal = res.status === 200 ? undefined : await res.text();
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const errors: Error[] = [];
  const waiters = new Set<() => void>();
  const notify = () => waiters.forEach((w) => w());
  const closed = (async () => {
    if (!res.body || refusal !== undefined) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let idx: number;
        while ((idx = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, idx);
          buffer = buffer.slice(idx + 2);
          const e: SseEvent = { event: 'message', data: '', receivedAt: Date.now() };
          let isEvent = false;
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else if (line.startsWith('id: ')) e.id = line.slice(4);
            else if (line.startsWith('event: ')) e.event = line.slice(7);
            else if (line.startsWith('data: ')) e.data += line.slice(6);
            else continue;
            isEvent = true;
          }
          if (isEvent) events.push(e);
          notify();
        }
      }
    } catch (err) {
      // Aborted by the test, or cut by a stopping server: either way the stream is over (never an unhandled rejection).
      if ((err as Error).name !== 'AbortError') errors.push(err as Error);
    } finally {
      notify();
    }
  })();
  return {
    status: res.status,
    headers: res.headers,
    ...(refusal !== undefined ? { refusal } : {}),
    events,
    comments,
    errors,
    closed,
    close: () => abort.abort(),
    waitFor(predicate, timeoutMs = 5000, what = 'an event') {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(predicate);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${events.map((e) => e.event).join(', ')}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
