import { AppError, NotFoundError, ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import { confirmationEmail, confirmUrl, hashToken, type MailDeps, randomToken, unsubscribeToken } from '../../lib/mail';
import type { PrismaClient } from '../../prisma/client';

/**
 * A member's card trade notification settings: the email address (only ever set from a confirmation
 * link — single use, 24 h, the token stored hashed), the channel preference, and the unsubscribe link.
 * Used by the bot's `/cards email` and `/cards notify` and by the API.
 */

export interface EmailSettingsDeps {
  prisma: PrismaClient;
  log: Logger;
  mail?: MailDeps | null;
}

export const NOTIFY_VIA = ['email', 'dm', 'both', 'none'] as const;
export type NotifyVia = (typeof NOTIFY_VIA)[number];

const CONFIRMATION_HOURS = 24;
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

const mailOff = () => new AppError('mail_off', 'Email is not set up on this Guildflow (an operator sets SMTP_URL); notifications go by Discord DM.', 503);

/** Sends a confirmation link to `address`; the address counts only once the link is opened. */
export async function requestEmailAddress(deps: EmailSettingsDeps, { userId, address }: { userId: string; address: string }): Promise<{ expiresAt: Date }> {
  const mail = deps.mail;
  if (!mail) throw mailOff();
  const email = address.trim();
  if (email.length > 254 || !EMAIL.test(email)) throw new ValidationError('That is not an email address I can send to (like name@example.com).');
  const token = randomToken();
  const expiresAt = new Date(Date.now() + CONFIRMATION_HOURS * 3_600_000);
  await deps.prisma.cardEmailConfirmation.create({ data: { userId, email, tokenHash: hashToken(token), expiresAt } });
  const message = confirmationEmail({ confirmUrl: confirmUrl(mail.publicBaseUrl, token), hours: CONFIRMATION_HOURS });
  await mail.mailer.send({ to: email, ...message });
  deps.log.info({ userId }, 'card email confirmation sent');
  return { expiresAt };
}

/** Opens a confirmation link: once, before it expires; the address becomes the member's. */
export async function confirmEmailAddress(deps: EmailSettingsDeps, token: string): Promise<{ userId: string; email: string }> {
  const mail = deps.mail;
  if (!mail) throw mailOff();
  const invalid = () => new NotFoundError('This confirmation link is unknown, already used or expired: ask for a new one with /cards email set.');
  if (!token || token.length > 200) throw invalid();
  return deps.prisma.$transaction(async (tx) => {
    const row = await tx.cardEmailConfirmation.findUnique({ where: { tokenHash: hashToken(token) } });
    if (!row || row.usedAt || row.expiresAt.getTime() <= Date.now()) throw invalid();
    // Single use even when the link is opened twice at once: only one update finds it unused.
    const used = await tx.cardEmailConfirmation.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: new Date() } });
    if (used.count === 0) throw invalid();
    const confirmedAt = new Date();
    const unsubscribeHash = hashToken(unsubscribeToken(mail.linkSecret, row.userId, confirmedAt));
    await tx.cardTrader.upsert({
      where: { userId: row.userId },
      create: { userId: row.userId, email: row.email, emailConfirmedAt: confirmedAt, unsubscribeHash },
      update: { email: row.email, emailConfirmedAt: confirmedAt, unsubscribeHash },
    });
    return { userId: row.userId, email: row.email };
  });
}

/** The unsubscribe link: email comes off the member's preference (both → dm, email → none). */
export async function unsubscribeByToken(deps: Pick<EmailSettingsDeps, 'prisma'>, token: string): Promise<{ notifyVia: NotifyVia }> {
  if (!token || token.length > 200) throw new NotFoundError('This unsubscribe link is unknown.');
  const trader = await deps.prisma.cardTrader.findUnique({ where: { unsubscribeHash: hashToken(token) } });
  if (!trader) throw new NotFoundError('This unsubscribe link is unknown (it may be from before your address was confirmed again).');
  const notifyVia: NotifyVia = trader.notifyVia === 'both' ? 'dm' : trader.notifyVia === 'email' ? 'none' : (trader.notifyVia as NotifyVia);
  await deps.prisma.cardTrader.update({ where: { userId: trader.userId }, data: { notifyVia } });
  return { notifyVia };
}

export async function setNotifyVia(deps: Pick<EmailSettingsDeps, 'prisma'>, { userId, via }: { userId: string; via: string }): Promise<{ notifyVia: NotifyVia; emailConfirmed: boolean }> {
  if (!(NOTIFY_VIA as readonly string[]).includes(via)) throw new ValidationError(`Notify via must be one of ${NOTIFY_VIA.join(', ')}.`);
  const trader = await deps.prisma.cardTrader.upsert({ where: { userId }, create: { userId, notifyVia: via }, update: { notifyVia: via } });
  return { notifyVia: via as NotifyVia, emailConfirmed: !!trader.email && !!trader.emailConfirmedAt };
}

/** What a member sees of their own settings (the address only partly). */
export async function notificationSettings(deps: Pick<EmailSettingsDeps, 'prisma'>, userId: string): Promise<{ notifyVia: NotifyVia; email: string | null; emailConfirmed: boolean }> {
  const trader = await deps.prisma.cardTrader.findUnique({ where: { userId } });
  return { notifyVia: (trader?.notifyVia ?? 'dm') as NotifyVia, email: trader?.email ?? null, emailConfirmed: !!trader?.emailConfirmedAt };
}
