import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../../api/app';
import { createApiToken } from '../../lib/api-tokens';
import { createGuildDirectory } from '../../lib/discord/guild-directory';
import { closeDiscordRest, createDiscordRest } from '../../lib/discord/rest';
import type { CardTradeNoticeKind } from '../../lib/flows/card-trades';
import { postTradeMessage } from '../../activities/card-trades';
import { confirmTradeReceipt, respondToTrade } from '../../lib/flows/card-trades.client';
import { createLogger } from '../../lib/logger';
import { createSmtpMailer, type MailDeps } from '../../lib/mail';
import { waitFor } from '../../lib/wait';
import { type FakeSmtp, type ReceivedMail, startFakeSmtp } from '../fakes/smtp';
import { newMember, ownCard, propose, startTradeEnv, type TradeEnv } from './helpers';

/**
 * The trade flow's notices through the one notify path (cardTradeNotify → cardsNotify): each party is told
 * by their preference (email, DM, both, none), an email with the terms and an unsubscribe link, a DM with
 * the proposal's embed; a message posted on a proposal relayed to the other party once, even when the
 * step is retried; the receipts' deadline reminding both and telling the admin log once.
 */
describe('card trade notifications', () => {
  let env: TradeEnv;
  let smtp: FakeSmtp;
  let mail: MailDeps;
  let server: Server;
  let base: string;
  let rest: ReturnType<typeof createDiscordRest>;
  /** cardTradeNotify calls for messages, and whether the next one's reply is lost (after its work is done). */
  const relayCalls: string[] = [];
  let loseNextRelayReply = false;

  beforeAll(async () => {
    env = await startTradeEnv();
    smtp = await startFakeSmtp();
    mail = { mailer: createSmtpMailer({ url: smtp.url, from: 'Guildflow <trades@guildflow.test>' }), linkSecret: 'test-link-secret-0123456789abcdef0123456789', publicBaseUrl: 'http://guildflow.test' };
    await env.startWorker({
      mail,
      wrap: (a) => {
        const notify = a.cardTradeNotify as (i: { kind: CardTradeNoticeKind; key: string }) => Promise<unknown>;
        a.cardTradeNotify = async (i: { kind: CardTradeNoticeKind; key: string }) => {
          const result = await notify(i);
          if (i.kind === 'message') {
            relayCalls.push(i.key);
            if (loseNextRelayReply) {
              loseNextRelayReply = false;
              throw new Error('the reply was lost after the message went out');
            }
          }
          return result;
        };
      },
    });
    rest = createDiscordRest({ DISCORD_TOKEN: env.discord.token, DISCORD_API_URL: env.discord.restUrl });
    const app = createApp({ prisma: env.prisma, log: createLogger({ level: 'silent' }), readiness: [], guildDirectory: createGuildDirectory(rest!), temporal: env.temporal.client, taskQueue: env.taskQueue });
    server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/guilds/${env.demo.guild.id}`;
    // A database, a workflow bundle and a worker on a loaded machine.
  }, 240_000);
  afterAll(async () => {
    if (server) await new Promise((r) => server.close(r));
    closeDiscordRest(rest);
    mail?.mailer.close();
    await smtp?.close();
    await env?.close();
  }, 60_000);

  const t = () => env.temporal.client;
  /** A member of the demo guild with a notification preference (and a confirmed address for email). */
  async function member(name: string, notifyVia: 'email' | 'dm' | 'both' | 'none') {
    const userId = newMember(env, name);
    const email = `${name}-${userId}@example.com`;
    await env.prisma.cardTrader.create({ data: { userId, notifyVia, email, emailConfirmedAt: new Date() } });
    return { userId, email };
  }
  /** The message as the member reads it (the fake undoes quoted-printable byte by byte: UTF-8 restored here). */
  const textOf = (m: ReceivedMail) => Buffer.from(m.decoded, 'latin1').toString('utf8');
  const mailsTo = (address: string) => smtp.messages().filter((m) => m.to.includes(address));
  const waitForMail = (address: string, subject: string) =>
    waitFor(() => mailsTo(address).find((m) => m.header('subject')?.startsWith(subject)) ?? null, { timeoutMs: 30_000, what: `"${subject}" to ${address}` });
  const noticesOf = (userId: string, proposalId: string) => env.prisma.cardNotification.findMany({ where: { userId, proposalId }, orderBy: { createdAt: 'asc' } });
  const dmsAbout = (userId: string, proposalId: string) => env.discord.dms(userId).filter((m) => m.embeds[0]?.footer?.text?.includes(proposalId));
  const expectUnsubscribable = (m: ReceivedMail) => {
    expect(m.decoded).toMatch(/http:\/\/guildflow\.test\/api\/cards\/unsubscribe\?token=[A-Za-z0-9_%-]+/);
    expect(m.header('list-unsubscribe')).toMatch(/^<http:\/\/guildflow\.test\/api\/cards\/unsubscribe\?token=/);
  };
  const tokenOf = async (userId: string) =>
    (await createApiToken(env.prisma, { guildId: env.demo.guild.id, name: `member ${userId}`, level: 'user', createdBy: `discord:${userId}`, creatorLevel: 'owner' })).token;
  async function call(token: string, method: string, path: string, body?: unknown) {
    const res = await fetch(base + path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- response bodies are checked field by field
    return { status: res.status, body: (await res.json()) as any };
  }

  it('preference email: received, countered, accepted, completed and declined by email to the right address, with the terms and an unsubscribe link; no DM', async () => {
    const alice = await member('mail-alice', 'email');
    const bob = await member('mail-bob', 'email');
    const bolt = await ownCard(env, alice.userId, 3, 'Lightning Bolt');
    const ring = await ownCard(env, bob.userId, 1, 'Sol Ring');
    const { proposalId: id } = await propose(env, { proposerId: alice.userId, recipientId: bob.userId, terms: { offered: [{ collectionItemId: bolt, quantity: 2 }], asked: [{ collectionItemId: ring, quantity: 1 }] } });

    const received = await waitForMail(bob.email, 'You received a card trade proposal');
    expect(received.to).toEqual([bob.email]);
    expect(textOf(received)).toContain('2 × Lightning Bolt');
    expect(received.decoded).toContain('<div'); // the HTML part carries the terms too
    expect(received.decoded).not.toMatch(/<@\d+>/); // no Discord markup in an email
    expectUnsubscribable(received);

    await respondToTrade(t(), id, { userId: bob.userId, action: 'counter', terms: { offered: [{ collectionItemId: ring, quantity: 1 }], asked: [{ collectionItemId: bolt, quantity: 1 }] } });
    const countered = await waitForMail(alice.email, 'Your card trade proposal was countered');
    expect(textOf(countered)).toContain('1 × Lightning Bolt');
    expectUnsubscribable(countered);

    await respondToTrade(t(), id, { userId: alice.userId, action: 'accept' });
    for (const p of [alice, bob]) expectUnsubscribable(await waitForMail(p.email, 'Your card trade was accepted'));
    await confirmTradeReceipt(t(), id, alice.userId);
    await confirmTradeReceipt(t(), id, bob.userId);
    for (const p of [alice, bob]) expectUnsubscribable(await waitForMail(p.email, 'Your card trade is complete'));

    // A second proposal, declined: the proposer is told by email.
    const { proposalId: id2 } = await propose(env, { proposerId: alice.userId, recipientId: bob.userId, terms: { offered: [{ collectionItemId: bolt, quantity: 1 }], asked: [] } });
    await waitFor(() => mailsTo(bob.email).filter((m) => m.decoded.includes(id2)).length === 1 || null, { timeoutMs: 30_000, what: 'the second proposal’s email' });
    await respondToTrade(t(), id2, { userId: bob.userId, action: 'decline' });
    const declined = await waitForMail(alice.email, 'Your card trade proposal was declined');
    expect(declined.decoded).toContain(id2);
    expectUnsubscribable(declined);

    // Every notice went by email only: each key done once, no DM at the fake Discord. A notice's row is
    // marked emailed and done after the mail is out (the last one may still be finishing): wait for the rows.
    for (const p of [alice, bob]) {
      const rows = await waitFor(async () => {
        const all = [...(await noticesOf(p.userId, id)), ...(await noticesOf(p.userId, id2))];
        return all.every((r) => r.doneAt) ? all : null;
      }, { timeoutMs: 30_000, what: `every notice to ${p.email} done` });
      expect(rows.every((r) => r.doneAt && r.emailAt && !r.dmAt)).toBe(true);
      expect(env.discord.dms(p.userId)).toHaveLength(0);
    }
    expect(mailsTo(alice.email).map((m) => m.header('subject')?.split(':')[0])).toEqual([
      'Your card trade proposal was countered',
      'Your card trade was accepted',
      'Your card trade is complete',
      'Your card trade proposal was declined',
    ]);
  }, 180_000);

  it('preference both: an email and the DM with the proposal’s buttons; preference none: nothing at all', async () => {
    const alice = await member('both-alice', 'dm');
    const carol = await member('both-carol', 'both');
    const erin = await member('none-erin', 'none');
    const card = await ownCard(env, alice.userId, 2);
    const { proposalId: toCarol } = await propose(env, { proposerId: alice.userId, recipientId: carol.userId, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    await waitForMail(carol.email, 'You received a card trade proposal');
    const dm = await env.discord.waitFor(() => dmsAbout(carol.userId, toCarol)[0], 30_000, 'the DM to carol');
    expect(dm.embeds[0]?.title).toBe('New trade proposal');
    expect(JSON.stringify(dm.components)).toContain(`gf:ctrade-accept:${toCarol}`);

    const { proposalId: toErin } = await propose(env, { proposerId: alice.userId, recipientId: erin.userId, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    const [row] = await waitFor(async () => ((await noticesOf(erin.userId, toErin)).some((r) => r.doneAt) ? noticesOf(erin.userId, toErin) : null), { timeoutMs: 30_000, what: 'erin’s notice settled' });
    expect(row).toMatchObject({ kind: 'proposal_received', emailAt: null, dmAt: null, result: { email: false, dm: false } });
    expect(mailsTo(erin.email)).toHaveLength(0);
    expect(env.discord.dms(erin.userId)).toHaveLength(0);
  }, 180_000);

  it('preference dm with DMs closed: the notice goes to the confirmed email instead; without an address it is recorded as not sent', async () => {
    const alice = await member('closed-alice', 'dm');
    const dora = await member('closed-dora', 'dm');
    const card = await ownCard(env, alice.userId, 2);
    env.discord.setDmsClosed(dora.userId);
    const { proposalId: toDora } = await propose(env, { proposerId: alice.userId, recipientId: dora.userId, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    const mail = await waitForMail(dora.email, 'You received a card trade proposal');
    expectUnsubscribable(mail);
    const [row] = await waitFor(async () => ((await noticesOf(dora.userId, toDora)).some((r) => r.doneAt) ? noticesOf(dora.userId, toDora) : null), { timeoutMs: 30_000, what: 'dora’s notice settled' });
    expect(row).toMatchObject({ kind: 'proposal_received', emailAt: expect.any(Date), dmAt: expect.any(Date), result: { email: true, dm: false } });
    expect(env.discord.dms(dora.userId)).toHaveLength(0);
    expect(mailsTo(dora.email)).toHaveLength(1);

    // No address: nothing can reach her; the notice says so and the trade goes on.
    const fay = newMember(env, 'closed-fay');
    await env.prisma.cardTrader.create({ data: { userId: fay, notifyVia: 'dm' } });
    env.discord.setDmsClosed(fay);
    const { proposalId: toFay } = await propose(env, { proposerId: alice.userId, recipientId: fay, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    const [fayRow] = await waitFor(async () => ((await noticesOf(fay, toFay)).some((r) => r.doneAt) ? noticesOf(fay, toFay) : null), { timeoutMs: 30_000, what: 'fay’s notice settled' });
    expect(fayRow).toMatchObject({ emailAt: null, result: { email: false, dm: false } });
    expect(await env.prisma.cardTradeProposal.findUniqueOrThrow({ where: { id: toFay } })).toMatchObject({ status: 'proposed' });
  }, 180_000);

  it('a message is relayed to the other party once even when the step is retried; a third member is refused', async () => {
    const alice = await member('msg-alice', 'dm');
    const bob = await member('msg-bob', 'email');
    const eve = await member('msg-eve', 'both');
    const card = await ownCard(env, alice.userId, 1);
    const { proposalId: id } = await propose(env, { proposerId: alice.userId, recipientId: bob.userId, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    const [ta, tb, te] = [await tokenOf(alice.userId), await tokenOf(bob.userId), await tokenOf(eve.userId)];

    loseNextRelayReply = true;
    const posted = await call(tb, 'POST', `/card-trades/${id}/messages`, { body: 'Shipping Monday, tracked.' });
    expect(posted).toMatchObject({ status: 201, body: { authorId: bob.userId, relayed: true } });
    const dm = await env.discord.waitFor(() => dmsAbout(alice.userId, id).find((m) => m.embeds[0]?.title === 'New message about your trade'), 30_000, 'the relayed DM');
    expect(dm.embeds[0]?.description).toContain('Shipping Monday, tracked.');
    // The lost reply made Temporal run the step again: it found the message sent and sent nothing.
    const key = `card-trade:${id}:message:${posted.body.id}:${alice.userId}`;
    await waitFor(() => relayCalls.filter((k) => k === key).length >= 2 || null, { timeoutMs: 30_000, what: 'the retried relay step' });
    expect(dmsAbout(alice.userId, id).filter((m) => m.embeds[0]?.title === 'New message about your trade')).toHaveLength(1);
    expect(await env.prisma.cardNotification.findUniqueOrThrow({ where: { key } })).toMatchObject({ kind: 'message', dmAt: expect.any(Date), emailAt: null });

    // Alice answers; Bob chose email: he gets it there, with an unsubscribe link.
    expect((await call(ta, 'POST', `/card-trades/${id}/messages`, { body: 'Great, thanks!' })).status).toBe(201);
    const answer = await waitForMail(bob.email, 'New message about a card trade');
    expect(textOf(answer)).toContain('Great, thanks!');
    expectUnsubscribable(answer);

    // A third member: not a party, so there is no such proposal for her; nothing recorded, nobody told.
    const refused = await call(te, 'POST', `/card-trades/${id}/messages`, { body: 'let me in' });
    expect(refused).toMatchObject({ status: 404, body: { error: { code: 'trade_not_found' } } });
    expect(await env.prisma.cardTradeMessage.count({ where: { proposalId: id } })).toBe(2);
    expect(await env.prisma.cardNotification.count({ where: { proposalId: id, kind: 'message' } })).toBe(2);
    expect(env.discord.dms(eve.userId)).toHaveLength(0);
  }, 180_000);

  it('a message posted while Temporal is down is stored once: the retry with its key relays that message, once', async () => {
    const alice = await member('key-alice', 'dm');
    const bob = await member('key-bob', 'dm');
    const card = await ownCard(env, alice.userId, 1);
    const { proposalId: id } = await propose(env, { proposerId: alice.userId, recipientId: bob.userId, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    const tb = await tokenOf(bob.userId);
    const text = 'Posting it tomorrow.';
    const post = { guildId: env.demo.guild.id, proposalId: id, authorId: bob.userId, body: text, idempotencyKey: 'retry-1' };

    // The API's Temporal client cannot reach the service: the message is kept, the answer is a 503.
    await expect(postTradeMessage({ prisma: env.prisma, temporal: null }, post)).rejects.toMatchObject({ code: 'temporal_unavailable', status: 503 });
    const [stored] = await env.prisma.cardTradeMessage.findMany({ where: { proposalId: id } });
    expect(stored).toMatchObject({ body: text, idempotencyKey: 'retry-1' });

    const retried = await call(tb, 'POST', `/card-trades/${id}/messages`, { body: text, idempotencyKey: 'retry-1' });
    expect(retried).toMatchObject({ status: 201, body: { id: stored!.id.toString(), relayed: true } });
    const key = `card-trade:${id}:message:${stored!.id}:${alice.userId}`;
    await env.discord.waitFor(() => dmsAbout(alice.userId, id).find((m) => m.embeds[0]?.title === 'New message about your trade'), 30_000, 'the relayed DM');

    // Once more (the answer was lost, say): the same message, signalled again, relayed no second time.
    expect(await call(tb, 'POST', `/card-trades/${id}/messages`, { body: text, idempotencyKey: 'retry-1' })).toMatchObject({ status: 201, body: { id: stored!.id.toString() } });
    await waitFor(() => relayCalls.filter((k) => k === key).length >= 2 || null, { timeoutMs: 30_000, what: 'the second relay step' });
    expect(dmsAbout(alice.userId, id).filter((m) => m.embeds[0]?.title === 'New message about your trade')).toHaveLength(1);

    // The key with another text is a client error: nothing stored.
    const reused = await call(tb, 'POST', `/card-trades/${id}/messages`, { body: 'Something else', idempotencyKey: 'retry-1' });
    expect(reused).toMatchObject({ status: 409, body: { error: { code: 'idempotency_key_reused' } } });
    expect(await env.prisma.cardTradeMessage.count({ where: { proposalId: id } })).toBe(1);
  }, 180_000);

  it('receipts past the deadline: both reminded and the admin log told once; nothing cancelled', async () => {
    const alice = await member('late-alice', 'dm');
    const bob = await member('late-bob', 'dm');
    const card = await ownCard(env, alice.userId, 1);
    const { proposalId: id } = await propose(env, { proposerId: alice.userId, recipientId: bob.userId, confirmSeconds: 2, terms: { offered: [{ collectionItemId: card, quantity: 1 }], asked: [] } });
    await respondToTrade(t(), id, { userId: bob.userId, action: 'accept' });
    await confirmTradeReceipt(t(), id, bob.userId);

    const isOverdue = (m: { embeds: { title?: string; footer?: { text?: string } }[] }) => m.embeds[0]?.title === '⏰ Card trade overdue' && !!m.embeds[0]?.footer?.text?.includes(id);
    const notice = await env.discord.waitFor(() => env.discord.messages(env.demo.channels.adminLog.id).find(isOverdue), 30_000, 'the overdue notice');
    expect(notice.embeds[0]?.description).toContain(`<@${alice.userId}> did not confirm receipt`);
    for (const p of [alice, bob]) {
      const reminder = await env.discord.waitFor(() => dmsAbout(p.userId, id).find((m) => m.embeds[0]?.title === 'Trade waiting for receipts'), 30_000, 'the reminder');
      expect(JSON.stringify(reminder.components)).toContain(`gf:ctrade-confirm:${id}`);
    }
    // Still accepted (not cancelled); the last receipt completes it, and the deadline said its piece once.
    expect((await env.prisma.cardTradeProposal.findUniqueOrThrow({ where: { id } })).status).toBe('accepted');
    await confirmTradeReceipt(t(), id, alice.userId);
    await t().workflow.getHandle(`card-trade:${id}`).result();
    await env.discord.waitFor(() => dmsAbout(alice.userId, id).find((m) => m.embeds[0]?.title === 'Trade completed'), 30_000, 'the completed DM');
    expect(env.discord.messages(env.demo.channels.adminLog.id).filter(isOverdue)).toHaveLength(1);
    for (const p of [alice, bob]) expect(dmsAbout(p.userId, id).filter((m) => m.embeds[0]?.title === 'Trade waiting for receipts')).toHaveLength(1);
  }, 180_000);
});
