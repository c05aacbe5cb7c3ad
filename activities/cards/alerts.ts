import type { CardAlertPair } from '../../lib/flows/card-alerts';
import { guildflowEmbed } from '../../lib/discord/embeds';
import { formatUsd } from '../../lib/scryfall/cards';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { pricesOf } from './catalog';

/**
 * The want alert flow's one step (workflows/card-alerts.ts): claim the pairs not told before, under the
 * step's `batchKey` (a retried step finds the pairs it claimed and sends them again, never more), then
 * send ONE DM listing them. Pairs whose want or have is gone by now are left out.
 */
export function createCardAlertActivities({ prisma, log, discordActivities: d }: FeatureDeps) {
  return defineActivities(log, 'cards', {
    async cardsAlertSend(input: { userId: string; batchKey: string; pairs: CardAlertPair[] }): Promise<{ told: number }> {
      const wantIds = input.pairs.map((p) => BigInt(p.wantId));
      const haveIds = input.pairs.map((p) => BigInt(p.haveId));
      await prisma.$executeRaw`
        INSERT INTO card_alert_notices (want_id, have_id, user_id, batch_key)
        SELECT w.id, h.id, w.user_id, ${input.batchKey}
        FROM unnest(${wantIds}::bigint[], ${haveIds}::bigint[]) AS p(want_id, have_id)
        JOIN card_wants w ON w.id = p.want_id AND w.user_id = ${input.userId}
        JOIN card_haves h ON h.id = p.have_id
        ON CONFLICT (want_id, have_id) DO NOTHING`;
      const notices = await prisma.cardAlertNotice.findMany({ where: { batchKey: input.batchKey }, orderBy: [{ wantId: 'asc' }, { haveId: 'asc' }] });
      if (!notices.length) return { told: 0 };
      const haves = await prisma.cardHave.findMany({ where: { id: { in: notices.map((n) => n.haveId) } }, include: { item: { include: { printing: true } } } });
      const byId = new Map(haves.map((h) => [h.id, h]));
      const lines = notices.flatMap((n) => {
        const h = byId.get(n.haveId);
        if (!h) return [];
        const p = h.item.printing;
        const price = pricesOf(p)[h.item.finish as 'nonfoil'];
        return [`• **${p.name}** (${p.setCode.toUpperCase()}) ${p.collectorNumber} · ${h.item.condition}${h.item.finish === 'nonfoil' ? '' : ` ${h.item.finish}`} · ${formatUsd(price)} — <@${h.userId}> has ${h.quantity}`];
      });
      if (!lines.length) return { told: 0 };
      await d.discordSendDm({
        userId: input.userId,
        message: {
          embeds: [
            guildflowEmbed({
              outcome: 'info',
              title: lines.length === 1 ? 'Someone has a card you want' : `Members have ${lines.length} cards you want`,
              description: `${lines.slice(0, 30).join('\n')}${lines.length > 30 ? `\n… and ${lines.length - 30} more` : ''}\n\nSee who to trade with: /cards matches`,
              flowId: `card-alerts:${input.userId}`,
            }),
          ],
          allowed_mentions: { parse: [] },
        },
      });
      return { told: lines.length };
    },
  });
}
