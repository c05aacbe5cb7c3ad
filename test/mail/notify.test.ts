import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatInputCommandInteraction } from 'discord.js';
import { createApp } from '../../api/app';
import { cardEmailHandlers, cardEmailSubcommands } from '../../bot/commands/card-email';
import { cardsCommands } from '../../bot/commands/cards';
import type { BotDeps } from '../../bot/deps';
import { cardsNotify, type CardsNotifyInput, type NotifyDeps, requestEmailAddress } from '../../activities/notify';
import { createLogger } from '../../lib/logger';
import { createConsoleMailer, createSmtpMailer, type MailDeps } from '../../lib/mail';
import { httpRequest } from '../fakes/http-fake';
import { type FakeSmtp, startFakeSmtp } from '../fakes/smtp';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let db: TestDatabase;
let smtp: FakeSmtp;
let mail: MailDeps;
let server: http.Server;
let base: string;
const dms: { userId: string; content: string }[] = [];
const logs: string[] = [];
const log = createLogger({ level: 'debug', pretty: false }, { write: (line: string) => void logs.push(line) });

beforeAll(async () => {
  db = await createTestDatabase();
  smtp = await startFakeSmtp();
  const app = createApp({ prisma: db.prisma, log, readiness: [], mail: undefined });
  server = http.createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  mail = { mailer: createSmtpMailer({ url: smtp.url, from: 'Guildflow <trades@guildflow.test>' }), linkSecret: 'test-link-secret-0123456789abcdef0123456789', publicBaseUrl: base };
  // The app reads `mail` from its deps: rebuild it now that the links' base is known.
  server.removeAllListeners('request');
  server.on('request', createApp({ prisma: db.prisma, log, readiness: [], mail }).callback());
});
afterAll(async () => {
  mail?.mailer.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await smtp?.close();
  await db?.drop();
});

const deps = (): NotifyDeps => ({
  prisma: db.prisma,
  log,
  mail,
  discordActivities: {
    discordSendDm: async ({ userId, message }) => {
      dms.push({ userId, content: String(message.content) });
      return { messageId: String(dms.length) };
    },
  },
});

/** Retries what a busy (overlapping) attempt refused, as Temporal would. */
async function notify(input: CardsNotifyInput, d = deps()) {
  for (;;) {
    try {
      return await cardsNotify(d, input);
    } catch (err) {
      if ((err as Error).name !== 'NotificationBusy') throw err;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

const input = (key: string, userId: string, kind: CardsNotifyInput['kind'] = 'accepted'): CardsNotifyInput => ({
  key,
  userId,
  guildId: 'g1',
  kind,
  proposalId: 'prop-1',
  title: 'Trade <b>accepted</b> & ready',
  text: 'Alice accepted your offer for Black Lotus.',
});

const mailsTo = (address: string) => smtp.messages().filter((m) => m.to.includes(address));
const tokenIn = (text: string, path: string) => new RegExp(`${path.replace(/[/?]/g, '\\$&')}\\?token=([A-Za-z0-9_%-]+)`).exec(text)?.[1];

/** Links an address the way a member does: the confirmation email, then its link. */
async function confirmAddress(userId: string, address: string) {
  await requestEmailAddress({ prisma: db.prisma, log, mail }, { userId, address });
  const message = mailsTo(address).at(-1);
  const token = tokenIn(message?.decoded ?? '', '/api/cards/email/confirm');
  expect(token).toBeDefined();
  const res = await httpRequest(`${base}/api/cards/email/confirm?token=${token}`);
  expect(res.status).toBe(200);
  return decodeURIComponent(token ?? '');
}

describe('email address linking', () => {
  it('the address counts only once its link is opened; the link works once', async () => {
    await requestEmailAddress({ prisma: db.prisma, log, mail }, { userId: 'u-link', address: 'link@example.com' });
    expect(await db.prisma.cardTrader.findUnique({ where: { userId: 'u-link' } })).toBeNull();
    const message = mailsTo('link@example.com')[0];
    expect(message?.header('subject')).toBe('Confirm your email for Guildflow card trades');
    const token = tokenIn(message?.decoded ?? '', '/api/cards/email/confirm');
    expect((await db.prisma.cardEmailConfirmation.findFirstOrThrow({ where: { userId: 'u-link' } })).tokenHash).not.toContain(token);

    const ok = await httpRequest(`${base}/api/cards/email/confirm?token=${token}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toContain('link@example.com');
    expect(await db.prisma.cardTrader.findUniqueOrThrow({ where: { userId: 'u-link' } })).toMatchObject({ email: 'link@example.com', emailConfirmedAt: expect.any(Date), unsubscribeHash: expect.any(String) });
    expect((await httpRequest(`${base}/api/cards/email/confirm?token=${token}`)).status).toBe(404);
  });

  it('an expired link does nothing; a bad address is refused', async () => {
    await requestEmailAddress({ prisma: db.prisma, log, mail }, { userId: 'u-late', address: 'late@example.com' });
    const token = tokenIn(mailsTo('late@example.com')[0]?.decoded ?? '', '/api/cards/email/confirm');
    await db.prisma.cardEmailConfirmation.updateMany({ where: { userId: 'u-late' }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await httpRequest(`${base}/api/cards/email/confirm?token=${token}`)).status).toBe(404);
    expect(await db.prisma.cardTrader.findUnique({ where: { userId: 'u-late' } })).toBeNull();
    await expect(requestEmailAddress({ prisma: db.prisma, log, mail }, { userId: 'u-late', address: 'not an address' })).rejects.toMatchObject({ code: 'invalid_input' });
  });
});

describe('cardsNotify', () => {
  it('email preference: one email to the confirmed address with subject, unsubscribe link and List-Unsubscribe; retries and overlaps send once', async () => {
    await confirmAddress('u-mail', 'mail@example.com');
    await db.prisma.cardTrader.update({ where: { userId: 'u-mail' }, data: { notifyVia: 'email' } });
    const results = await Promise.all([1, 2, 3].map(() => notify(input('k-mail', 'u-mail'))));
    expect(results).toEqual([{ email: true, dm: false }, { email: true, dm: false }, { email: true, dm: false }]);
    expect(await notify(input('k-mail', 'u-mail'))).toEqual({ email: true, dm: false });

    const sent = mailsTo('mail@example.com').filter((m) => m.header('subject')?.startsWith('Your card trade was accepted'));
    expect(sent).toHaveLength(1);
    const [message] = sent;
    expect(message?.header('subject')).toBe('Your card trade was accepted: Trade <b>accepted</b> & ready');
    expect(message?.decoded).toContain('Trade &lt;b&gt;accepted&lt;/b&gt; &amp; ready'); // the HTML part, escaped
    const token = tokenIn(message?.decoded ?? '', '/api/cards/unsubscribe');
    expect(token).toBeDefined();
    expect(message?.header('list-unsubscribe')).toBe(`<${base}/api/cards/unsubscribe?token=${token}>`);
    expect(message?.header('list-unsubscribe-post')).toBe('List-Unsubscribe=One-Click');
    expect(dms.filter((d) => d.userId === 'u-mail')).toHaveLength(0);
  });

  it('both: email and DM; dm: DM only; none: nothing at all', async () => {
    await confirmAddress('u-both', 'both@example.com');
    await db.prisma.cardTrader.update({ where: { userId: 'u-both' }, data: { notifyVia: 'both' } });
    expect(await notify(input('k-both', 'u-both', 'countered'))).toEqual({ email: true, dm: true });
    expect(dms.filter((d) => d.userId === 'u-both')).toEqual([{ userId: 'u-both', content: expect.stringContaining('Alice accepted') }]);

    await db.prisma.cardTrader.update({ where: { userId: 'u-both' }, data: { notifyVia: 'none' } });
    const before = smtp.messages().length;
    expect(await notify(input('k-none', 'u-both', 'expiring'))).toEqual({ email: false, dm: false });
    expect(smtp.messages()).toHaveLength(before);
    expect(dms.filter((d) => d.userId === 'u-both')).toHaveLength(1);

    // No profile at all: the default, a DM.
    expect(await notify(input('k-default', 'u-nobody'))).toEqual({ email: false, dm: true });
  });

  it('an address that is not confirmed gets no email', async () => {
    await requestEmailAddress({ prisma: db.prisma, log, mail }, { userId: 'u-pending', address: 'pending@example.com' });
    await db.prisma.cardTrader.create({ data: { userId: 'u-pending', notifyVia: 'email' } });
    expect(await notify(input('k-pending', 'u-pending'))).toEqual({ email: false, dm: false });
    expect(mailsTo('pending@example.com').map((m) => m.header('subject'))).toEqual(['Confirm your email for Guildflow card trades']);
  });

  it('the unsubscribe link takes email off the preference; later notifications send no email', async () => {
    await confirmAddress('u-unsub', 'unsub@example.com');
    await db.prisma.cardTrader.update({ where: { userId: 'u-unsub' }, data: { notifyVia: 'both' } });
    await notify(input('k-unsub-1', 'u-unsub', 'completed'));
    const message = mailsTo('unsub@example.com').at(-1);
    const token = tokenIn(message?.decoded ?? '', '/api/cards/unsubscribe');
    const res = await httpRequest(`${base}/api/cards/unsubscribe?token=${token}`);
    expect(res.status).toBe(200);
    expect((await db.prisma.cardTrader.findUniqueOrThrow({ where: { userId: 'u-unsub' } })).notifyVia).toBe('dm');
    // One-click (RFC 8058) POST works too and changes nothing more.
    expect((await httpRequest(`${base}/api/cards/unsubscribe?token=${token}`, { method: 'POST', body: 'List-Unsubscribe=One-Click' })).status).toBe(200);
    expect((await httpRequest(`${base}/api/cards/unsubscribe?token=not-a-token`)).status).toBe(404);

    const count = mailsTo('unsub@example.com').length;
    expect(await notify(input('k-unsub-2', 'u-unsub', 'dispute'))).toEqual({ email: false, dm: true });
    expect(mailsTo('unsub@example.com')).toHaveLength(count);
  });

  it('in development without SMTP the email is printed to the log, its link tokens hidden', async () => {
    await confirmAddress('u-console', 'console@example.com');
    await db.prisma.cardTrader.update({ where: { userId: 'u-console' }, data: { notifyVia: 'email' } });
    const consoleMail: MailDeps = { ...mail, mailer: createConsoleMailer(log) };
    const before = smtp.messages().length;
    expect(await notify(input('k-console', 'u-console', 'proposal_received'), { ...deps(), mail: consoleMail })).toEqual({ email: true, dm: false });
    expect(smtp.messages()).toHaveLength(before);
    const line = logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.to === 'console@example.com');
    expect(line).toMatchObject({ subject: expect.stringContaining('You received a card trade proposal'), text: expect.stringContaining('token=[redacted]') });
    expect(JSON.stringify(line)).not.toMatch(/token=(?!\[redacted\])/);
  });
});

describe('/cards email set and /cards notify', () => {
  /** A stand-in for the interaction: the options given, and what the handler answered. */
  function interaction(userId: string, group: string | null, sub: string, strings: Record<string, string>) {
    const answers: string[] = [];
    const stub = {
      user: { id: userId },
      options: { getSubcommandGroup: () => group, getSubcommand: () => sub, getString: (name: string) => strings[name] ?? null },
      deferReply: async () => undefined,
      editReply: async (content: string) => void answers.push(content),
      reply: async ({ content }: { content: string }) => void answers.push(content),
    };
    return { interaction: stub as unknown as ChatInputCommandInteraction, answers };
  }
  const botDeps = () => ({ prisma: db.prisma, log, mail }) as unknown as BotDeps;

  it('defines the subcommands, which /cards carries', () => {
    expect(cardEmailSubcommands().map((o) => o.name)).toEqual(['email', 'notify']);
    const cards = cardsCommands[0]!.data as { name: string; options: { name: string }[] };
    expect(cards.name).toBe('cards');
    expect(cards.options.map((o) => o.name)).toEqual(expect.arrayContaining(['email', 'notify', 'propose', 'have', 'price']));
  });

  it('email set sends the confirmation link; notify sets the preference and warns without a confirmed address', async () => {
    const set = interaction('u-bot', 'email', 'set', { address: 'bot@example.com' });
    await cardEmailHandlers['email set']!(set.interaction, botDeps());
    expect(set.answers[0]).toMatch(/confirmation link/);
    expect(mailsTo('bot@example.com')).toHaveLength(1);

    const via = interaction('u-bot', null, 'notify', { via: 'both' });
    await cardEmailHandlers.notify!(via.interaction, botDeps());
    expect(via.answers[0]).toMatch(/\*\*both\*\*.*no confirmed email/);
    expect((await db.prisma.cardTrader.findUniqueOrThrow({ where: { userId: 'u-bot' } })).notifyVia).toBe('both');
  });
});
