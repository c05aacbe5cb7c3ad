/**
 * How many live-event streams one API process keeps open. A stream holds a socket, a hub subscription
 * and a heartbeat timer for as long as the client stays, so without a bound one token (or one guild)
 * could take the process's sockets and memory with idle readers.
 */
export interface EventStreamLimits {
  /** Streams of this process, all guilds together. */
  perProcess: number;
  /** Streams of one guild, all its tokens together. */
  perGuild: number;
  /** Streams opened with one API token. */
  perToken: number;
  /** Bytes a stream may still have waiting when the next events come; beyond them its client is dropped. */
  maxBufferedBytes: number;
}

/** The defaults (lib/config.ts reads the same from SSE_*): a dashboard tab or two per person, many guilds. */
export const DEFAULT_EVENT_STREAM_LIMITS: EventStreamLimits = {
  perProcess: 1000,
  perGuild: 50,
  perToken: 5,
  maxBufferedBytes: 1024 * 1024,
};

export type SlotRefusal = { scope: 'process' | 'guild' | 'token'; limit: number };

/** The slots of one process's streams, counted per guild and per token. */
export class StreamSlots {
  private total = 0;
  private readonly byGuild = new Map<string, number>();
  private readonly byToken = new Map<string, number>();

  constructor(private readonly limits: Pick<EventStreamLimits, 'perProcess' | 'perGuild' | 'perToken'>) {}

  /** A slot for a stream of `guildId` opened with `tokenId` and its release (safe to call twice), or which limit is full. */
  take(guildId: string, tokenId: string): { release: () => void } | SlotRefusal {
    // The narrowest full limit is named: it is the one the caller can do something about.
    if ((this.byToken.get(tokenId) ?? 0) >= this.limits.perToken) return { scope: 'token', limit: this.limits.perToken };
    if ((this.byGuild.get(guildId) ?? 0) >= this.limits.perGuild) return { scope: 'guild', limit: this.limits.perGuild };
    if (this.total >= this.limits.perProcess) return { scope: 'process', limit: this.limits.perProcess };
    this.total += 1;
    bump(this.byGuild, guildId, 1);
    bump(this.byToken, tokenId, 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.total -= 1;
        bump(this.byGuild, guildId, -1);
        bump(this.byToken, tokenId, -1);
      },
    };
  }
}

function bump(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next > 0) counts.set(key, next);
  else counts.delete(key);
}
