import { randomBytes } from 'node:crypto';
import type { Config } from '../config';
import type { Logger } from '../logger';
import { type Mailer, mailerFromConfig } from './mailer';

/** Email: the mailer (SMTP, or the log in development), the card trade templates, and link tokens. */
export * from './mailer';
export * from './templates';
export * from './links';

/** What the notify activities and the email routes need; null when email is off. */
export interface MailDeps {
  mailer: Mailer;
  /** MAIL_LINK_SECRET (development without it: one per process, so links end at a restart). */
  linkSecret: string;
  /** Where links point: PUBLIC_BASE_URL, else this API on localhost. */
  publicBaseUrl: string;
}

export function mailFromConfig(config: Pick<Config, 'SMTP_URL' | 'MAIL_FROM' | 'NODE_ENV' | 'MAIL_LINK_SECRET' | 'PUBLIC_BASE_URL' | 'PORT'>, log: Logger): MailDeps | null {
  const mailer = mailerFromConfig(config, log);
  if (!mailer) return null;
  return {
    mailer,
    linkSecret: config.MAIL_LINK_SECRET ?? randomBytes(32).toString('hex'),
    publicBaseUrl: (config.PUBLIC_BASE_URL ?? `http://localhost:${config.PORT}`).replace(/\/+$/, ''),
  };
}
