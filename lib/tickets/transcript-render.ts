import type { APIAttachment, APIEmbed, APIMessage } from 'discord-api-types/v10';

/**
 * How a ticket transcript looks, page by page: pure functions from Discord messages to the text of one
 * chunk, so a transcript of any length is written a page at a time (activities/tickets/transcript.ts).
 * Every chunk's text is valid on its own within the document it belongs to: concatenated in order, the
 * HTML chunks are one self-contained page (inline CSS, no script) and the JSON chunks one JSON document.
 */

export interface TranscriptHeader {
  guildId: string;
  ticketId: string;
  channelId: string;
  title: string;
  /** ISO time the transcript was built. */
  builtAt: string;
}

export interface TranscriptTotals {
  messages: number;
  attachments: number;
}

interface TranscriptAttachment {
  id: string;
  filename: string;
  size: number;
  contentType: string | null;
  url: string;
}

interface TranscriptEmbed {
  author: string | null;
  title: string | null;
  url: string | null;
  description: string | null;
  fields: { name: string; value: string }[];
  footer: string | null;
  image: string | null;
}

/** One message as the JSON record keeps it. */
export interface TranscriptMessage {
  id: string;
  type: number;
  author: { id: string; username: string; displayName: string | null; bot: boolean };
  timestamp: string;
  editedTimestamp: string | null;
  content: string;
  attachments: TranscriptAttachment[];
  embeds: TranscriptEmbed[];
  /** The message this one replies to, if any. */
  replyTo: string | null;
}

export function toTranscriptMessage(m: APIMessage): TranscriptMessage {
  return {
    id: m.id,
    type: m.type,
    author: { id: m.author.id, username: m.author.username, displayName: m.author.global_name ?? null, bot: m.author.bot ?? false },
    timestamp: m.timestamp,
    editedTimestamp: m.edited_timestamp,
    content: m.content,
    attachments: m.attachments.map(toAttachment),
    embeds: m.embeds.map(toEmbed),
    replyTo: m.message_reference?.message_id ?? null,
  };
}

const toAttachment = (a: APIAttachment): TranscriptAttachment => ({ id: a.id, filename: a.filename, size: a.size, contentType: a.content_type ?? null, url: a.url });

const toEmbed = (e: APIEmbed): TranscriptEmbed => ({
  author: e.author?.name ?? null,
  title: e.title ?? null,
  url: e.url ?? null,
  description: e.description ?? null,
  fields: (e.fields ?? []).map((f) => ({ name: f.name, value: f.value })),
  footer: e.footer?.text ?? null,
  image: e.image?.url ?? e.thumbnail?.url ?? null,
});

// ---- JSON: {"transcript": header, "messages": [ …pages… ], "totals": {…}} -------------------------------

export function jsonHead(header: TranscriptHeader): string {
  return `{"transcript":${JSON.stringify(header)},"messages":[`;
}

/** A page of messages; `first` says whether any message came before (the separating comma). */
export function jsonPage(messages: TranscriptMessage[], first: boolean): string {
  return (first ? '' : ',') + messages.map((m) => JSON.stringify(m)).join(',');
}

export function jsonTail(totals: TranscriptTotals): string {
  return `],"totals":${JSON.stringify(totals)}}`;
}

// ---- HTML -------------------------------------------------------------------------------------------------

// NUL becomes U+FFFD: PostgreSQL text cannot hold it (the JSON form escapes it as \u0000 by itself).
const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;', '\0': '\uFFFD' };

/** Escapes text for HTML content and quoted attribute values. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"'\0]/g, (c) => ESCAPES[c]!);
}

/** Only http(s) links become hrefs: a `javascript:` URL in an embed stays text. */
function link(url: string | null, text: string): string {
  if (!url || !/^https?:\/\//i.test(url)) return escapeHtml(text);
  return `<a href="${escapeHtml(url)}" rel="noopener noreferrer">${escapeHtml(text)}</a>`;
}

/** `2026-12-04T15:31:48.000Z` → `2026-12-04 15:31:48 UTC`, inside a <time> with the ISO form. */
function time(iso: string): string {
  const readable = `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
  return `<time datetime="${escapeHtml(iso)}">${escapeHtml(readable)}</time>`;
}

function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

const CSS = [
  'body{font-family:system-ui,sans-serif;margin:0;padding:1rem 2rem;background:#f6f6f7;color:#1e1f22}',
  'header{border-bottom:1px solid #ccc;margin-bottom:1rem}',
  '.msg{padding:.4rem 0;border-bottom:1px solid #e3e3e6}',
  '.author{font-weight:600}.bot{font-size:.7rem;background:#5865f2;color:#fff;border-radius:3px;padding:0 .3rem;margin-left:.3rem}',
  'time,.meta{color:#6d6f78;font-size:.8rem;margin-left:.5rem}',
  '.content{white-space:pre-wrap;word-wrap:break-word}',
  '.embed{border-left:4px solid #5865f2;background:#fff;margin:.3rem 0;padding:.3rem .6rem;white-space:pre-wrap}',
  '.embed .field{margin-top:.2rem}.embed .name{font-weight:600}',
  '.attachments{margin:.2rem 0;padding-left:1.2rem}',
].join('');

export function htmlHead(header: TranscriptHeader): string {
  const title = escapeHtml(header.title);
  return (
    `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src https:">` +
    `<title>${title}</title><style>${CSS}</style></head><body>` +
    `<header><h1>${title}</h1><p class="meta">Ticket ${escapeHtml(header.ticketId)} · channel ${escapeHtml(header.channelId)} · ` +
    `guild ${escapeHtml(header.guildId)} · saved ${time(header.builtAt)}</p></header><main>`
  );
}

function htmlEmbed(e: TranscriptEmbed): string {
  const parts: string[] = [];
  if (e.author) parts.push(`<div class="name">${escapeHtml(e.author)}</div>`);
  if (e.title) parts.push(`<div class="name">${link(e.url, e.title)}</div>`);
  if (e.description) parts.push(`<div>${escapeHtml(e.description)}</div>`);
  for (const f of e.fields) parts.push(`<div class="field"><span class="name">${escapeHtml(f.name)}</span>: ${escapeHtml(f.value)}</div>`);
  if (e.image) parts.push(`<div>${link(e.image, e.image)}</div>`);
  if (e.footer) parts.push(`<div class="meta">${escapeHtml(e.footer)}</div>`);
  return `<div class="embed">${parts.join('')}</div>`;
}

export function htmlMessage(m: TranscriptMessage): string {
  const name = m.author.displayName ? `${m.author.displayName} (@${m.author.username})` : `@${m.author.username}`;
  const edited = m.editedTimestamp ? `<span class="meta">edited ${time(m.editedTimestamp)}</span>` : '';
  const reply = m.replyTo ? `<span class="meta">reply to ${escapeHtml(m.replyTo)}</span>` : '';
  const attachments = m.attachments.length
    ? `<ul class="attachments">${m.attachments.map((a) => `<li>${link(a.url, a.filename)} <span class="meta">${formatSize(a.size)}</span></li>`).join('')}</ul>`
    : '';
  return (
    `<article class="msg" id="m${escapeHtml(m.id)}"><div><span class="author" title="${escapeHtml(m.author.id)}">${escapeHtml(name)}</span>` +
    `${m.author.bot ? '<span class="bot">BOT</span>' : ''}${time(m.timestamp)}${edited}${reply}</div>` +
    (m.content ? `<div class="content">${escapeHtml(m.content)}</div>` : '') +
    m.embeds.map(htmlEmbed).join('') +
    attachments +
    '</article>'
  );
}

export function htmlTail(totals: TranscriptTotals): string {
  return `</main><footer class="meta">${totals.messages} messages, ${totals.attachments} attachments.</footer></body></html>`;
}
