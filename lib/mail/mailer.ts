import { createTransport } from 'nodemailer';
import type { Config } from '../config';
import type { Logger } from '../logger';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** Extra headers (List-Unsubscribe …). */
  headers?: Record<string, string>;
  /** A Message-ID derived from the notification's key, so a client can fold a repeated send into one. */
  messageId?: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'console';
  send(message: MailMessage): Promise<void>;
  close(): void;
}

/** The links in an email carry tokens: the log shows they were there, not what they were. */
const redactTokens = (text: string) => text.replace(/([?&]token=)[^&\s"'<>]+/g, '$1[redacted]');

/** Sends over SMTP (nodemailer), with timeouts well under the notify activity's claim on a notification. */
export function createSmtpMailer({ url, from }: { url: string; from: string }): Mailer {
  const smtp = createTransport({ url, connectionTimeout: 20_000, greetingTimeout: 20_000, socketTimeout: 30_000 }, { from });
  return {
    kind: 'smtp',
    async send(m) {
      await smtp.sendMail({ to: m.to, subject: m.subject, text: m.text, html: m.html, headers: m.headers, messageId: m.messageId });
    },
    close: () => smtp.close(),
  };
}

/** Development without SMTP: the message goes to the log (links' tokens hidden), nothing is sent. */
export function createConsoleMailer(log: Logger): Mailer {
  const mlog = log.child({ component: 'mail' });
  return {
    kind: 'console',
    async send(m) {
      mlog.info({ to: m.to, subject: m.subject, text: redactTokens(m.text) }, 'email (development: printed, not sent)');
    },
    close: () => undefined,
  };
}

/** SMTP when SMTP_URL is set; the log in development; otherwise none (emails off, DMs still go). */
export function mailerFromConfig(config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'NODE_ENV'>, log: Logger): Mailer | null {
  if (config.SMTP_URL) return createSmtpMailer({ url: config.SMTP_URL, from: config.MAIL_FROM });
  if (config.NODE_ENV === 'development') return createConsoleMailer(log);
  return null;
}
