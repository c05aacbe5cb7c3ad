import { ApplicationFailure } from '@temporalio/common';
import type { Logger } from '../../lib/logger';
import { type CardNotificationKind, cardTradeEmail, type EmailDetail, hashToken, type MailDeps, unsubscribeToken, unsubscribeUrl } from '../../lib/mail';
import type { Prisma, PrismaClient } from '../../prisma/client';
import type { DiscordActivities, DiscordMessage } from '../discord/activities';

/**
 * Card trade notifications by the member's preference (card_traders.notify_via: email, dm, both, none),
 * once per key: the one way a trade's party is told (the trade flow's `cardTradeNotify` renders its notice
 * and delivers it here). A DM that cannot be delivered (closed DMs) falls back to a confirmed email.
 *
 * Delivery is **at least once**, narrowed: an attempt first claims the key (a row in card_notifications
 * with `claimed_at`), sends each channel the preference asks for, and marks each channel right after it
 * went out (`email_at`, `dm_at`), then the whole as done. A retry finds what is done and sends only the
 * rest; an overlapping attempt finds a fresh claim and fails retryably (Temporal tries again later and
 * then reads the result). Only a crash between a send and its mark — or a send slower than the claim's
 * lease — repeats that one channel. We prefer that to at-most-once (mark, then send), which would lose a
 * trade's "your proposal was accepted" for good on a crash; the email's Message-ID comes from the key, so
 * a repeated copy is recognisable as one.
 */

export interface NotifyDeps {
  prisma: PrismaClient;
  log: Logger;
  mail?: MailDeps | null;
  discordActivities: Pick<DiscordActivities, 'discordSendDm'>;
  /** How long a claim keeps other attempts off (default 2 minutes, above the SMTP timeouts). */
  claimLeaseMs?: number;
}

export interface CardsNotifyInput {
  key: string;
  userId: string;
  guildId: string;
  kind: CardNotificationKind;
  proposalId: string;
  title: string;
  text: string;
  /** What the email adds below the text (a trade's terms, as text and HTML). */
  detail?: EmailDetail | null;
  /** The DM as a whole Discord message (a trade's embed with its buttons) instead of the title and text. */
  dm?: DiscordMessage | null;
}

export interface NotifyResult {
  email: boolean;
  dm: boolean;
}

const DEFAULT_LEASE_MS = 120_000;

/** Another attempt holds the key right now: worth a retry (it will have finished, or its claim lapsed). */
class NotificationBusyError extends Error {
  constructor(key: string) {
    super(`Notification ${key} is being sent by another attempt; retry later.`);
    this.name = 'NotificationBusy';
  }
}

/** Claims the key; the stored result when it was already done. */
async function claim(deps: NotifyDeps, input: CardsNotifyInput): Promise<{ done: NotifyResult } | { claimedAt: Date; emailAt: Date | null; dmAt: Date | null }> {
  const now = new Date();
  const { count } = await deps.prisma.cardNotification.createMany({
    data: [{ key: input.key, userId: input.userId, kind: input.kind, proposalId: input.proposalId, claimedAt: now }],
    skipDuplicates: true,
  });
  if (count === 1) return { claimedAt: now, emailAt: null, dmAt: null };
  const row = await deps.prisma.cardNotification.findUniqueOrThrow({ where: { key: input.key } });
  if (row.doneAt) return { done: (row.result as unknown as NotifyResult | null) ?? { email: false, dm: false } };
  if (now.getTime() - row.claimedAt.getTime() < (deps.claimLeaseMs ?? DEFAULT_LEASE_MS)) throw new NotificationBusyError(input.key);
  // The claim lapsed (its attempt died): take it over, unless another attempt just did.
  const taken = await deps.prisma.cardNotification.updateMany({ where: { key: input.key, claimedAt: row.claimedAt, doneAt: null }, data: { claimedAt: now } });
  if (taken.count === 0) throw new NotificationBusyError(input.key);
  return { claimedAt: now, emailAt: row.emailAt, dmAt: row.dmAt };
}

/** The member's unsubscribe link; its hash is (re)stored so the link in this email works. */
async function unsubscribeLink(deps: NotifyDeps, mail: MailDeps, userId: string, confirmedAt: Date, storedHash: string | null): Promise<string> {
  const token = unsubscribeToken(mail.linkSecret, userId, confirmedAt);
  const hash = hashToken(token);
  if (hash !== storedHash) await deps.prisma.cardTrader.update({ where: { userId }, data: { unsubscribeHash: hash } });
  return unsubscribeUrl(mail.publicBaseUrl, token);
}

export async function cardsNotify(deps: NotifyDeps, input: CardsNotifyInput): Promise<NotifyResult> {
  if (!input.key || input.key.length > 200) throw ApplicationFailure.nonRetryable('A notification key is needed (at most 200 characters).', 'InvalidInput');
  const claimed = await claim(deps, input);
  if ('done' in claimed) return claimed.done;
  const owns: Prisma.CardNotificationWhereInput = { key: input.key, claimedAt: claimed.claimedAt };

  const trader = await deps.prisma.cardTrader.findUnique({ where: { userId: input.userId } });
  const via = trader?.notifyVia ?? 'dm';
  const mail = deps.mail;
  const wantEmail = via === 'email' || via === 'both';
  const wantDm = via === 'dm' || via === 'both';
  const result: NotifyResult = { email: claimed.emailAt !== null, dm: claimed.dmAt !== null };

  /** Once, and only to a confirmed address (card_traders.email holds only confirmed ones; both must be set). */
  const sendEmail = async () => {
    if (result.email || !trader?.email || !trader.emailConfirmedAt || !mail) return;
    const link = await unsubscribeLink(deps, mail, input.userId, trader.emailConfirmedAt, trader.unsubscribeHash);
    const message = cardTradeEmail({ kind: input.kind, proposalId: input.proposalId, title: input.title, text: input.text, detail: input.detail, unsubscribeUrl: link });
    await mail.mailer.send({
      to: trader.email,
      ...message,
      headers: { 'List-Unsubscribe': `<${link}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      messageId: `<card-${hashToken(input.key).slice(0, 32)}@guildflow>`,
    });
    await deps.prisma.cardNotification.updateMany({ where: owns, data: { emailAt: new Date() } });
    result.email = true;
  };

  if (wantEmail) await sendEmail();
  if (wantDm && !claimed.dmAt) {
    try {
      await deps.discordActivities.discordSendDm({ userId: input.userId, message: input.dm ?? { content: `**${input.title}**\n${input.text}` } });
      result.dm = true;
    } catch (err) {
      // Closed DMs or an unknown user will not change with a retry: recorded as not sent.
      if (!(err instanceof ApplicationFailure && err.nonRetryable)) throw err;
      deps.log.info({ userId: input.userId, key: input.key, type: err.type }, 'card trade DM not delivered');
    }
    await deps.prisma.cardNotification.updateMany({ where: owns, data: { dmAt: new Date() } });
  }
  // A member who chose DMs but closed them still hears of the trade: by email, when they confirmed one.
  if (wantDm && !result.dm) await sendEmail();
  await deps.prisma.cardNotification.updateMany({ where: owns, data: { doneAt: new Date(), result: { ...result } } });
  return result;
}
