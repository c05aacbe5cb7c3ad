import { MessageFlags, type APIEmbed } from 'discord.js';
import { ValidationError } from '../../../lib/errors';

/** A private reply with one embed that pings nobody. */
export const ephemeral = (embed: APIEmbed, extra: object = {}) => ({ flags: MessageFlags.Ephemeral as const, allowedMentions: { parse: [] }, embeds: [embed], ...extra });

/** An integer option as a bigint ≥ min (absent: 0). */
export function wholeNumber(v: number | null, what: string, min = 0): bigint {
  if (v === null) return 0n;
  if (!Number.isSafeInteger(v) || v < min) throw new ValidationError(`${what} must be a whole number ≥ ${min}.`);
  return BigInt(v);
}
