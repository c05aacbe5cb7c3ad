import { z } from 'zod';

/** An embed's colour as announcements and saved embeds take it: '#ff8800', 'ff8800', '0xff8800' or a number; null/'' = default colour. */
export const colourSchema = z
  .union([z.number().int(), z.string().trim()])
  .nullable()
  .transform((v, ctx) => {
    if (v === null || v === '') return null;
    const n = typeof v === 'number' ? v : /^(#|0x)?[0-9a-f]{6}$/i.test(v) ? parseInt(v.replace(/^(#|0x)/i, ''), 16) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 0xffffff) {
      ctx.addIssue({ code: 'custom', message: 'A colour is six hex digits, such as #5865F2.' });
      return z.NEVER;
    }
    return n;
  });
