import type { APIEmbed } from 'discord-api-types/v10';

/** One look for everything Guildflow posts: a colour per outcome and the flow id in the footer. */
export type Outcome = 'success' | 'info' | 'pending' | 'warning' | 'error';

export const OUTCOME_COLOURS: Record<Outcome, number> = {
  success: 0x2ecc71,
  info: 0x5865f2,
  pending: 0xf1c40f,
  warning: 0xe67e22,
  error: 0xe74c3c,
};

export interface EmbedInput {
  outcome: Outcome;
  title: string;
  description?: string;
  fields?: { name: string; value: string; inline?: boolean }[];
  /** The workflow id, so an admin can find the flow in the Temporal UI. */
  flowId?: string;
  /** ISO time shown by Discord under the embed. */
  timestamp?: string;
  /** Replaces the outcome's colour (0xRRGGBB) where a person chose one (announcements). */
  colour?: number | null;
  /** A large image under the text (http(s) URL). */
  imageUrl?: string | null;
}

export function guildflowEmbed(input: EmbedInput): APIEmbed {
  return {
    title: input.title.slice(0, 256),
    ...(input.description ? { description: input.description.slice(0, 4096) } : {}),
    color: input.colour ?? OUTCOME_COLOURS[input.outcome],
    ...(input.fields?.length ? { fields: input.fields.slice(0, 25).map((f) => ({ ...f, name: f.name.slice(0, 256), value: f.value.slice(0, 1024) })) } : {}),
    ...(input.imageUrl ? { image: { url: input.imageUrl } } : {}),
    footer: { text: input.flowId ? `Guildflow · ${input.flowId}` : 'Guildflow' },
    ...(input.timestamp ? { timestamp: input.timestamp } : {}),
  };
}

/** Discord's limits on the embeds of one message (every embed's text counts towards the total). */
const MESSAGE_EMBED_LIMITS = { embedsPerMessage: 10, charsPerMessage: 6000 } as const;

const embedChars = (e: APIEmbed): number =>
  (e.title?.length ?? 0) + (e.description?.length ?? 0) + (e.footer?.text.length ?? 0) + (e.fields ?? []).reduce((n, f) => n + f.name.length + f.value.length, 0);

/** The embeds, in order, in as few messages as the per-message limits allow (a long answer's follow-ups). */
export function embedsInMessages(embeds: readonly APIEmbed[], limits: { embedsPerMessage: number; charsPerMessage: number } = MESSAGE_EMBED_LIMITS): APIEmbed[][] {
  const messages: APIEmbed[][] = [];
  let current: APIEmbed[] = [];
  let size = 0;
  for (const embed of embeds) {
    if (current.length && (current.length === limits.embedsPerMessage || size + embedChars(embed) > limits.charsPerMessage)) {
      messages.push(current);
      current = [];
      size = 0;
    }
    current.push(embed);
    size += embedChars(embed);
  }
  if (current.length) messages.push(current);
  return messages;
}
