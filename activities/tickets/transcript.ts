import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimitError, type REST } from '@discordjs/rest';
import { Routes, type APIChannel, type APIMessage } from 'discord-api-types/v10';
import type { Logger } from '../../lib/logger';
import {
  htmlHead,
  htmlMessage,
  htmlTail,
  jsonHead,
  jsonPage,
  jsonTail,
  toTranscriptMessage,
  type TranscriptHeader,
  type TranscriptTotals,
} from '../../lib/tickets/transcript-render';
import type { PrismaClient } from '../../prisma/client';
import { discordNotConfigured } from '../discord/errors';

/**
 * A closed ticket's transcript: the channel's whole history, saved as an HTML page and a JSON record before
 * the channel is deleted. The history is read a page (100 messages) at a time, oldest first, and each
 * page is rendered and stored as one chunk row per format, so memory stays the same for 50 or 50,000
 * messages. A build writes its chunks under a new build id and swaps them in with one transaction: a
 * reader sees the previous transcript or the new one, never half of either.
 */

export interface TranscriptSummary {
  guildId: string;
  ticketId: string;
  messages: number;
  attachments: number;
  htmlBytes: number;
  jsonBytes: number;
}

export type TranscriptFormat = 'html' | 'json';

interface TranscriptDeps {
  prisma: PrismaClient;
  /** The Discord REST client (lib/discord/rest.ts); null without DISCORD_TOKEN. */
  rest: REST | null;
  log: Logger;
}

/** Discord's largest history page. */
const PAGE = 100;
/** A rate limit longer than this is not waited out here: the error goes up and Temporal retries later. */
const MAX_RATE_LIMIT_WAIT_MS = 15_000;
/** Rate limits waited out for one page before giving up (the activity's retry starts the build again). */
const MAX_RATE_LIMITS_PER_PAGE = 10;
/** Discord's upload limit for a bot's file without boosts (10 MiB). */
export const TRANSCRIPT_UPLOAD_LIMIT_BYTES = 10 * 1024 * 1024;
/** Chunks read per query when streaming a stored transcript. */
const READ_BATCH = 10;

/** The channel is not in the ticket's guild: refusing keeps another guild's channel out of a transcript. */
export class TranscriptChannelMismatch extends Error {
  readonly code = 'transcript_channel_mismatch';
}

/** A rebuild replaced the transcript while it was being read: the reader should start again. */
export class TranscriptReplaced extends Error {
  readonly code = 'transcript_replaced';
}

/**
 * Builds (or rebuilds) the transcript of a ticket channel. Idempotent per (guildId, ticketId): a second
 * build replaces the first. Two builds at once leave one transcript: the later swap wins, and a build whose
 * chunks a concurrent swap removed returns the transcript that swap stored.
 */
export async function buildTranscript(
  deps: TranscriptDeps,
  input: { guildId: string; ticketId: string; channelId: string; title: string },
): Promise<TranscriptSummary> {
  const { prisma, log } = deps;
  if (!deps.rest) throw discordNotConfigured('save the ticket transcript');
  const rest = deps.rest;
  const { guildId, ticketId, channelId } = input;
  const scope = { guildId, ticketId, channelId };

  const channel = (await withRateLimitWaits(log, scope, () => rest.get(Routes.channel(channelId)))) as APIChannel;
  if (!('guild_id' in channel) || channel.guild_id !== guildId) {
    throw new TranscriptChannelMismatch(`Channel ${channelId} is not a channel of guild ${guildId}.`);
  }

  const [row] = await prisma.$queryRaw<{ id: number }[]>`
    INSERT INTO ticket_transcripts (guild_id, ticket_id, channel_id, title)
    VALUES (${guildId}, ${ticketId}, ${channelId}, ${input.title})
    ON CONFLICT (guild_id, ticket_id) DO UPDATE SET guild_id = EXCLUDED.guild_id
    RETURNING id`;
  const transcriptId = row!.id;
  const buildId = randomUUID();
  const header: TranscriptHeader = { guildId, ticketId, channelId, title: input.title, builtAt: new Date().toISOString() };

  let seq = 0;
  const bytes = { html: 0, json: 0 };
  const writeChunk = async (html: string, json: string): Promise<void> => {
    bytes.html += Buffer.byteLength(html);
    bytes.json += Buffer.byteLength(json);
    await prisma.ticketTranscriptChunk.createMany({
      data: [
        { transcriptId, buildId, format: 'html', seq, body: html },
        { transcriptId, buildId, format: 'json', seq, body: json },
      ],
    });
    seq += 1;
  };

  const totals: TranscriptTotals = { messages: 0, attachments: 0 };
  const fetchPage = (after: string): Promise<APIMessage[]> => {
    const query = new URLSearchParams({ after, limit: String(PAGE) });
    const page = withRateLimitWaits(log, scope, () => rest.get(Routes.channelMessages(channelId), { query }) as Promise<APIMessage[]>);
    page.catch(() => undefined); // awaited below; this keeps a failure during the previous write from going unhandled
    return page;
  };

  await writeChunk(htmlHead(header), jsonHead(header));
  // `after` walks forward from the channel's start; each page arrives newest first, as Discord sends it.
  let next = fetchPage('0');
  for (;;) {
    const page = (await next).reverse();
    if (!page.length) break;
    const full = page.length === PAGE;
    // The next page is read while this one is written: one page in flight, one being stored.
    if (full) next = fetchPage(page[page.length - 1]!.id);
    const messages = page.map(toTranscriptMessage);
    const first = totals.messages === 0;
    totals.messages += messages.length;
    totals.attachments += messages.reduce((n, m) => n + m.attachments.length, 0);
    await writeChunk(messages.map(htmlMessage).join(''), jsonPage(messages, first));
    if (!full) break;
  }
  await writeChunk(htmlTail(totals), jsonTail(totals));

  const summary: TranscriptSummary = { guildId, ticketId, ...totals, htmlBytes: bytes.html, jsonBytes: bytes.json };
  const swapped = await prisma.$transaction(async (tx) => {
    // The row lock orders concurrent swaps of one ticket.
    await tx.$queryRaw`SELECT id FROM ticket_transcripts WHERE id = ${transcriptId} FOR UPDATE`;
    const written = await tx.ticketTranscriptChunk.count({ where: { transcriptId, buildId } });
    if (written !== seq * 2) {
      // A concurrent build swapped in while this one was writing and removed part of it.
      await tx.ticketTranscriptChunk.deleteMany({ where: { transcriptId, buildId } });
      return false;
    }
    await tx.ticketTranscript.update({
      where: { id: transcriptId },
      data: {
        buildId,
        channelId,
        title: input.title,
        messages: totals.messages,
        attachments: totals.attachments,
        htmlBytes: bytes.html,
        jsonBytes: bytes.json,
        htmlChunks: seq,
        jsonChunks: seq,
        builtAt: new Date(header.builtAt),
      },
    });
    // The previous build's chunks, and those of builds that never finished.
    await tx.ticketTranscriptChunk.deleteMany({ where: { transcriptId, buildId: { not: buildId } } });
    return true;
  });
  if (swapped) {
    log.info({ ...scope, messages: totals.messages, attachments: totals.attachments, htmlBytes: bytes.html }, 'ticket transcript saved');
    return summary;
  }
  const current = await prisma.ticketTranscript.findUniqueOrThrow({ where: { id: transcriptId } });
  log.info({ ...scope }, 'ticket transcript built twice at once: returning the one the other build stored');
  return { guildId, ticketId, messages: current.messages, attachments: current.attachments, htmlBytes: current.htmlBytes, jsonBytes: current.jsonBytes };
}

/**
 * Calls Discord, waiting out short rate limits: the project's client throws them (lib/discord/rest.ts)
 * rather than sleeping, and restarting a long transcript for each one would cost far more requests.
 */
async function withRateLimitWaits<T>(log: Logger, scope: Record<string, string>, call: () => Promise<T>): Promise<T> {
  for (let limited = 0; ; limited++) {
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof RateLimitError) || err.retryAfter > MAX_RATE_LIMIT_WAIT_MS || limited >= MAX_RATE_LIMITS_PER_PAGE) throw err;
      log.warn({ ...scope, retryAfterMs: err.retryAfter, global: err.global }, 'rate limited reading ticket history; waiting');
      await sleep(Math.max(err.retryAfter, 50));
    }
  }
}

/**
 * The stored transcript, chunk by chunk in order (for the API download, streamed to the response). Yields
 * nothing when there is none. Throws TranscriptReplaced if a rebuild swapped in while reading.
 */
export async function* transcriptChunks(prisma: PrismaClient, guildId: string, ticketId: string, format: TranscriptFormat): AsyncIterable<string> {
  const transcript = await prisma.ticketTranscript.findUnique({ where: { guildId_ticketId: { guildId, ticketId } } });
  if (!transcript?.buildId) return;
  const { id: transcriptId, buildId } = transcript;
  const total = format === 'html' ? transcript.htmlChunks : transcript.jsonChunks;
  for (let seq = 0; seq < total; ) {
    const batchEnd = Math.min(seq + READ_BATCH, total);
    const rows = await prisma.ticketTranscriptChunk.findMany({
      where: { transcriptId, buildId, format, seq: { gte: seq, lt: batchEnd } },
      orderBy: { seq: 'asc' },
      select: { seq: true, body: true },
    });
    for (const row of rows) {
      if (row.seq !== seq) break;
      yield row.body;
      seq += 1;
    }
    if (seq < batchEnd) throw new TranscriptReplaced(`The transcript of ticket ${ticketId} was rebuilt while it was read; read it again.`);
  }
}

/**
 * The whole file, for a Discord attachment. Null when there is no transcript, or when the file is larger
 * than Discord's upload limit (TRANSCRIPT_UPLOAD_LIMIT_BYTES, checked before anything is read): link the
 * API download (transcriptChunks) instead. The summary's htmlBytes/jsonBytes tell the two apart.
 */
export async function transcriptFile(prisma: PrismaClient, guildId: string, ticketId: string, format: TranscriptFormat): Promise<{ name: string; data: Buffer } | null> {
  const transcript = await prisma.ticketTranscript.findUnique({ where: { guildId_ticketId: { guildId, ticketId } } });
  if (!transcript?.buildId) return null;
  if ((format === 'html' ? transcript.htmlBytes : transcript.jsonBytes) > TRANSCRIPT_UPLOAD_LIMIT_BYTES) return null;
  const parts: Buffer[] = [];
  for await (const chunk of transcriptChunks(prisma, guildId, ticketId, format)) parts.push(Buffer.from(chunk));
  return { name: `transcript-${ticketId.replace(/[^\w.-]/g, '_')}.${format}`, data: Buffer.concat(parts) };
}
