import type { REST } from '@discordjs/rest';
import {
  buildTranscript,
  transcriptChunks,
  transcriptFile,
  TranscriptChannelMismatch,
  TranscriptReplaced,
  TRANSCRIPT_UPLOAD_LIMIT_BYTES,
  type TranscriptFormat,
} from '../../activities/tickets/transcript';
import { closeDiscordRest, createDiscordRest } from '../../lib/discord/rest';
import { createLogger } from '../../lib/logger';
import { startFakeDiscord, type FakeDiscord } from '../fakes/discord';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

jest.setTimeout(60_000);

interface JsonTranscript {
  transcript: { guildId: string; ticketId: string; channelId: string; title: string };
  messages: { id: string; content: string; author: { username: string }; editedTimestamp: string | null; attachments: { filename: string; url: string }[]; embeds: { title: string | null; fields: { name: string; value: string }[] }[] }[];
  totals: { messages: number; attachments: number };
}

let db: TestDatabase;
let fake: FakeDiscord;
let rest: REST;
let guildId: string;
let alice: string;
let mallory: string;
const log = createLogger({ level: 'silent', pretty: false });
const deps = () => ({ prisma: db.prisma, rest, log });

async function readAll(format: TranscriptFormat, ticketId: string): Promise<string> {
  let text = '';
  for await (const chunk of transcriptChunks(db.prisma, guildId, ticketId, format)) text += chunk;
  return text;
}

function newTicketChannel(name: string): string {
  return fake.createChannel(guildId, { name }).id;
}

beforeAll(async () => {
  db = await createTestDatabase();
  fake = await startFakeDiscord();
  rest = createDiscordRest({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.restUrl })!;
  const guild = fake.createGuild({ name: 'Tickets' });
  guildId = guild.id;
  alice = fake.createUser({ username: 'alice' }).id;
  mallory = fake.createUser({ username: '<script>alert(1)</script>', globalName: '"><img src=x onerror=alert(2)>' }).id;
  fake.addMember(guildId, alice);
  fake.addMember(guildId, mallory);
  await db.prisma.guild.create({ data: { id: guildId, name: 'Tickets', ownerId: guild.ownerId } });
});

afterAll(async () => {
  expect(fake.internalErrors()).toEqual([]);
  closeDiscordRest(rest);
  await fake?.close();
  await db?.drop();
});

describe('ticket transcripts', () => {
  it('saves every message oldest first, with attachments, embeds and edits, escaped in HTML and complete in JSON', async () => {
    const channelId = newTicketChannel('ticket-1');
    const first = fake.postMessage(channelId, alice, 'Hello, my order did not arrive', {
      attachments: [{ filename: 'receipt.png', contentType: 'image/png' }, { filename: 'log.txt' }],
    });
    fake.postMessage(channelId, mallory, '<script>alert("xss")</script> & more', {
      embeds: [{ title: '<b>Embed</b>', description: '<iframe>', url: 'javascript:alert(3)', fields: [{ name: '<i>field</i>', value: '<svg onload=x>' }], footer: { text: 'foot<er>' } }],
    });
    fake.editUserMessage(channelId, first.id, 'Hello, my order #42 did not arrive');
    await rest.post(`/channels/${channelId}/messages`, { body: { content: 'A moderator will help you.' } });
    fake.postMessage(channelId, alice, 'a NUL \u0000 byte');

    const summary = await buildTranscript(deps(), { guildId, ticketId: 't1', channelId, title: 'Ticket #1 <alice>' });
    expect(summary).toMatchObject({ guildId, ticketId: 't1', messages: 4, attachments: 2 });

    const html = await readAll('html', 't1');
    expect(Buffer.byteLength(html)).toBe(summary.htmlBytes);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html.endsWith('</html>')).toBe(true);
    expect(html).not.toMatch(/<script|<iframe|<svg|<img|<b>|<i>|javascript:/i);
    expect(html).toContain('&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt; &amp; more');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(2)&gt;');
    expect(html).toContain('&lt;i&gt;field&lt;/i&gt;');
    expect(html).toContain('Ticket #1 &lt;alice&gt;');
    expect(html).toContain('>receipt.png</a>');
    expect(html).toContain('>log.txt</a>');
    expect(html).toMatch(/edited <time datetime="\d{4}-\d\d-\d\dT[^"]+">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/time>/);
    const order = ['my order #42', 'alert(&quot;xss&quot;)', 'A moderator will help you.'].map((t) => html.indexOf(t));
    expect(order.every((i, n) => i > 0 && (n === 0 || i > order[n - 1]!))).toBe(true);

    const json = JSON.parse(await readAll('json', 't1')) as JsonTranscript;
    expect(json.transcript).toMatchObject({ guildId, ticketId: 't1', channelId, title: 'Ticket #1 <alice>' });
    expect(json.messages.map((m) => m.content)).toEqual(['Hello, my order #42 did not arrive', '<script>alert("xss")</script> & more', 'A moderator will help you.', 'a NUL \u0000 byte']);
    expect(json.messages[0]!.editedTimestamp).not.toBeNull();
    expect(json.messages[0]!.attachments.map((a) => a.filename)).toEqual(['receipt.png', 'log.txt']);
    // The attachment URLs lead to the files.
    expect(await (await fetch(json.messages[0]!.attachments[1]!.url)).text()).toBe('contents of log.txt');
    expect(json.messages[1]!.embeds[0]).toMatchObject({ title: '<b>Embed</b>', fields: [{ name: '<i>field</i>', value: '<svg onload=x>' }] });
    expect(json.totals).toEqual({ messages: 4, attachments: 2 });
    expect(html).toContain('a NUL \uFFFD byte');

    const file = await transcriptFile(db.prisma, guildId, 't1', 'html');
    expect(file?.name).toBe('transcript-t1.html');
    expect(file?.data.toString('utf8')).toBe(html);
    expect((await transcriptFile(db.prisma, guildId, 't1', 'json'))?.data.length).toBe(summary.jsonBytes);
  });

  it('a rebuild replaces the transcript, and two builds at once leave one', async () => {
    const channelId = newTicketChannel('ticket-2');
    for (let i = 0; i < 150; i++) fake.postMessage(channelId, alice, `message ${i}`);
    const input = { guildId, ticketId: 't2', channelId, title: 'Ticket #2' };
    await buildTranscript(deps(), input);
    fake.postMessage(channelId, alice, 'one more');

    const again = await buildTranscript(deps(), input);
    expect(again.messages).toBe(151);
    const [a, b] = await Promise.all([buildTranscript(deps(), input), buildTranscript(deps(), input)]);
    expect(a).toEqual(again);
    expect(b).toEqual(again);

    const rows = await db.prisma.ticketTranscript.findMany({ where: { guildId, ticketId: 't2' } });
    expect(rows).toHaveLength(1);
    // Only the current build's chunks remain: head, two pages, tail in each format.
    const chunks = await db.prisma.ticketTranscriptChunk.findMany({ where: { transcriptId: rows[0]!.id } });
    expect(chunks.every((c) => c.buildId === rows[0]!.buildId)).toBe(true);
    expect(chunks).toHaveLength(8);
    const json = JSON.parse(await readAll('json', 't2')) as JsonTranscript;
    expect(json.messages.map((m) => m.content)).toEqual([...Array.from({ length: 150 }, (_, i) => `message ${i}`), 'one more']);
  });

  it('waits out a burst of 429s on the history route', async () => {
    const channelId = newTicketChannel('ticket-3');
    for (let i = 0; i < 250; i++) fake.postMessage(channelId, alice, `line ${i}`);
    fake.inject({ method: 'GET', route: new RegExp(`^/channels/${channelId}/messages$`), status: 429, times: 3, retryAfterSeconds: 0.2 });

    const summary = await buildTranscript(deps(), { guildId, ticketId: 't3', channelId, title: 'Ticket #3' });
    expect(summary.messages).toBe(250);
    const history = fake.requests().filter((r) => r.method === 'GET' && r.route === `/channels/${channelId}/messages`);
    expect(history.filter((r) => r.status === 429)).toHaveLength(3);
    expect(history.filter((r) => r.status === 200)).toHaveLength(3);
    const json = JSON.parse(await readAll('json', 't3')) as JsonTranscript;
    expect(json.messages).toHaveLength(250);
  });

  it('builds 1,200 messages in pages of 100, and the file and the chunks agree', async () => {
    const channelId = newTicketChannel('ticket-4');
    for (let i = 0; i < 1200; i++) {
      fake.postMessage(channelId, i % 2 ? alice : mallory, `message ${i}`, i % 100 === 0 ? { attachments: [{ filename: `file-${i}.txt` }] } : {});
    }
    const started = performance.now();
    const summary = await buildTranscript(deps(), { guildId, ticketId: 't4', channelId, title: 'Ticket #4' });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(summary).toMatchObject({ messages: 1200, attachments: 12 });
    const pages = fake.requests().filter((r) => r.route === `/channels/${channelId}/messages`);
    expect(pages.map((r) => new URLSearchParams(r.query).get('limit'))).toEqual(Array(13).fill('100'));

    for (const format of ['html', 'json'] as const) {
      const streamed = await readAll(format, 't4');
      const file = await transcriptFile(db.prisma, guildId, 't4', format);
      expect(file?.data.equals(Buffer.from(streamed))).toBe(true);
      expect(file?.data.length).toBe(format === 'html' ? summary.htmlBytes : summary.jsonBytes);
    }
    const json = JSON.parse(await readAll('json', 't4')) as JsonTranscript;
    expect(json.messages.map((m) => m.content)).toEqual(Array.from({ length: 1200 }, (_, i) => `message ${i}`));
    const html = await readAll('html', 't4');
    for (let i = 0; i < 1200; i += 100) expect(html).toContain(`>file-${i}.txt</a>`);

    // A reader cut by a rebuild says so instead of ending early: the download would otherwise look complete.
    const reader = transcriptChunks(db.prisma, guildId, 't4', 'html')[Symbol.asyncIterator]();
    for (let i = 0; i < 10; i++) expect((await reader.next()).done).toBe(false);
    await buildTranscript(deps(), { guildId, ticketId: 't4', channelId, title: 'Ticket #4' });
    await expect(reader.next()).rejects.toBeInstanceOf(TranscriptReplaced);

    // Above Discord's upload limit there is no file to attach (the download link is the way), and nothing is read.
    await db.prisma.ticketTranscript.update({ where: { guildId_ticketId: { guildId, ticketId: 't4' } }, data: { htmlBytes: TRANSCRIPT_UPLOAD_LIMIT_BYTES + 1 } });
    expect(await transcriptFile(db.prisma, guildId, 't4', 'html')).toBeNull();
    expect(await transcriptFile(db.prisma, guildId, 't4', 'json')).not.toBeNull();
  });

  it('an empty channel still saves a transcript; a missing one is null; another guild\'s channel is refused', async () => {
    const channelId = newTicketChannel('ticket-5');
    const summary = await buildTranscript(deps(), { guildId, ticketId: 't5', channelId, title: 'Empty' });
    expect(summary).toMatchObject({ messages: 0, attachments: 0 });
    expect((JSON.parse(await readAll('json', 't5')) as JsonTranscript).messages).toEqual([]);
    expect(await transcriptFile(db.prisma, guildId, 'missing', 'html')).toBeNull();
    expect(await readAll('html', 'missing')).toBe('');

    const other = fake.createGuild({ name: 'Other' });
    await expect(buildTranscript(deps(), { guildId, ticketId: 't6', channelId: other.systemChannelId, title: 'x' })).rejects.toBeInstanceOf(TranscriptChannelMismatch);
  });
});
