import { ButtonStyle } from 'discord-api-types/v10';
import { buttonRow } from '../../lib/discord/buttons';
import { guildflowEmbed } from '../../lib/discord/embeds';
import { padFlowId, type PadType } from '../../lib/flows/pads';
import type { PadSession } from '../../prisma/client';
import type { DiscordMessage } from '../discord/activities';
import type { PadBoardEntry } from './service';

/** The End button's action; its key is the pad number (data from the client: the click is checked again). */
export const PAD_END_ACTION = 'pad-end';

const TYPE_LABELS: Record<PadType, string> = { training: 'Training', tryout: 'Tryout' };
export const typeLabel = (type: string): string => TYPE_LABELS[type as PadType] ?? type;
const at = (d: Date, style: 'f' | 'R' = 'f'): string => `<t:${Math.floor(d.getTime() / 1000)}:${style}>`;

/** "1h 05m", "12m", "40s". */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h ? `${h}h ${String(m).padStart(2, '0')}m` : `${m}m`;
}

export const endButton = (pad: number) => buttonRow([{ action: PAD_END_ACTION, key: String(pad), label: 'End session', style: ButtonStyle.Danger }]);

const endedLine = (s: Pick<PadSession, 'endReason' | 'endedBy'>): string =>
  s.endReason === 'max_duration' ? 'the maximum duration' : s.endReason === 'abandoned' ? 'its flow stopping' : `<@${s.endedBy}>${s.endReason === 'admin' ? ' (admin)' : ''}`;

/** The session's post in the sessions channel: while it runs (with End session), and once it ended. */
export function sessionMessage(s: PadSession, endsAt?: Date): DiscordMessage {
  const fields = [
    { name: 'Host', value: `<@${s.hostId}>`, inline: true },
    { name: 'Pad', value: String(s.pad), inline: true },
    { name: 'Started', value: at(s.startedAt), inline: true },
    ...(s.endedAt
      ? [
          { name: 'Duration', value: formatDuration(s.endedAt.getTime() - s.startedAt.getTime()), inline: true },
          { name: 'Ended by', value: endedLine(s), inline: true },
        ]
      : endsAt
        ? [{ name: 'Ends at the latest', value: at(endsAt, 'R'), inline: true }]
        : []),
  ];
  return {
    embeds: [
      guildflowEmbed({
        outcome: s.endedAt ? 'info' : 'success',
        title: `${typeLabel(s.type)} on pad ${s.pad}${s.endedAt ? ' — ended' : ''}`,
        description: s.description ?? undefined,
        fields,
        flowId: padFlowId(s.guildId, s.pad),
      }),
    ],
    components: s.endedAt ? [] : [endButton(s.pad)],
    allowed_mentions: { parse: [] },
  };
}

export function reminderMessage(s: PadSession, endsAt: Date, dm: boolean): DiscordMessage {
  return {
    content: dm ? '' : `<@${s.hostId}>`,
    embeds: [
      guildflowEmbed({
        outcome: 'warning',
        title: `Your ${s.type} on pad ${s.pad} ends soon`,
        description: `It reaches its maximum duration ${at(endsAt, 'R')} (${at(endsAt)}) and then ends by itself. End it sooner with \`/pad end pad:${s.pad}\`.`,
        flowId: padFlowId(s.guildId, s.pad),
      }),
    ],
    allowed_mentions: { users: dm ? [] : [s.hostId] },
  };
}

/** One line per pad: free, or host, type and since when. */
export function boardLines(board: PadBoardEntry[]): string[] {
  return board.map(({ pad, session: s }) => (s ? `**Pad ${pad}** — ${typeLabel(s.type)} by <@${s.hostId}> since ${at(s.startedAt, 'R')}` : `**Pad ${pad}** — free`));
}
