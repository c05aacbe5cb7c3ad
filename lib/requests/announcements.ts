import { z } from 'zod';
import { snowflake } from '../discord/snowflake';
import { colourSchema } from './colour';

/** An announcement's fields, as the API, the bot and the dashboard's compose form check them. */

const MAX_AHEAD_MS = 366 * 86_400_000;

/** An announcement id a caller chooses (a retried request with the same id finds the first). */
export const announcementIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'id: letters, digits, - and _ (at most 64)');

const fields = {
  channelId: snowflake,
  title: z.string().trim().min(1, 'A title is needed.').max(256, 'A title has at most 256 characters.'),
  body: z.string().trim().min(1, 'A text is needed.').max(4096, 'The text has at most 4096 characters.'),
  footer: z
    .string()
    .trim()
    .max(2048, 'A footer has at most 2048 characters.')
    .nullable()
    .transform((v) => (v ? v : null)),
  colour: colourSchema,
  imageUrl: z
    .string()
    .trim()
    .nullable()
    .transform((v) => (v ? v : null))
    .pipe(z.url({ protocol: /^https?$/, error: 'The image must be an http(s):// URL.' }).max(2000).nullable()),
  pingRoleId: snowflake.nullable(),
  pin: z.boolean(),
  /** ISO time; null = as soon as confirmed. */
  sendAt: z.coerce.date({ error: 'sendAt must be a date and time (ISO 8601).' }).nullable(),
};

export const announcementCreateSchema = z
  .object(fields)
  .partial()
  .required({ channelId: true, title: true, body: true })
  .strict();
export const announcementPatchSchema = z.object(fields).omit({ channelId: true }).partial().strict();
export type AnnouncementCreate = z.input<typeof announcementCreateSchema>;
export type AnnouncementPatch = z.input<typeof announcementPatchSchema>;

/** What is wrong with a send time (too far ahead, or passed), or null; `now` is the checker's clock. */
export function sendAtProblem(sendAt: Date | null | undefined, now = new Date()): string | null {
  if (!sendAt) return null;
  if (sendAt.getTime() > now.getTime() + MAX_AHEAD_MS) return 'sendAt: an announcement can be scheduled at most a year ahead.';
  if (sendAt.getTime() < now.getTime() - 60_000) return 'sendAt: that time has passed (leave it empty to send now).';
  return null;
}

/** A create as the API takes it: the fields, and optionally the caller's own id. */
export const announcementCreateRequestSchema = announcementCreateSchema.extend({ id: announcementIdSchema.optional() });
