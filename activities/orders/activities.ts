import { ApplicationFailure } from '@temporalio/common';
import type { CodeKeyring } from '../../lib/crypto/codes';
import { DISCORD_FAILURES } from '../../lib/flows/discord';
import type { InteractionReply } from '../../lib/flows/flow';
import type { OrderStatus } from '../../lib/flows/orders';
import { codesForDelivery, lowStockCrossed, markCodesShown, releaseCodes, reserveCodes } from '../codes/stock';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { createLedger } from '../ledger/ledger';
import { userAccount } from '../ledger/types';
import { assetLabel } from '../shop/messages';
import { topupButtonRow } from './buttons';
import { codeShopDisabled } from './errors';
import { awaitingFundsEmbed, completedEmbed, deliveryMessage, failedEmbed, lowStockEmbed, needsAdminEmbed, refusedEmbed } from './messages';
import { createOrder, getOrder, setOrderStatus, type CreateOrderInput } from './orders';

export interface OrderView {
  id: string;
  guildId: string;
  userId: string;
  quantity: number;
  price: string;
  assetCode: string;
}

/**
 * The code shop's activities for the `order:{id}` workflow, each idempotent by the order id: creating
 * the order, reserving codes (all or nothing), delivering them (marked shown *before* the attempt; a
 * delivered order is not delivered again), releasing codes never shown, and telling people. Codes are
 * decrypted only inside ordersDeliver and never logged or returned.
 */
export function createOrderActivities({ prisma, log, discordActivities: d, codes }: FeatureDeps) {
  const olog = log.child({ component: 'orders' });
  const ledger = createLedger(prisma);
  const keyring = (): CodeKeyring => {
    if (!codes) throw codeShopDisabled();
    return codes;
  };

  const view = (o: { id: string; guildId: string; userId: string; quantity: number; price: bigint; assetCode: string }): OrderView => ({
    id: o.id,
    guildId: o.guildId,
    userId: o.userId,
    quantity: o.quantity,
    price: o.price.toString(),
    assetCode: o.assetCode,
  });

  return defineActivities(log, 'orders', {
    async ordersCreate(input: CreateOrderInput): Promise<{ ok: true; order: OrderView } | { ok: false; type: string; reason: string }> {
      const r = await createOrder(prisma, input);
      return r.ok ? { ok: true as const, order: view(r.order) } : r;
    },
    async ordersSetStatus(input: { orderId: string; status: OrderStatus; failureReason?: string | null }): Promise<{ status: string }> {
      return { status: (await setOrderStatus(prisma, input.orderId, input.status, { failureReason: input.failureReason })).status };
    },
    /**
     * The two steps after the delivery as one: the held price charged (when there is one), then the order
     * completed. Both must happen and nothing comes between them; each is idempotent (the hold's key, the status).
     */
    async ordersComplete(input: { orderId: string; holdKey: string | null }): Promise<{ status: string }> {
      if (input.holdKey) await ledger.postHold({ key: input.holdKey });
      return { status: (await setOrderStatus(prisma, input.orderId, 'completed', { failureReason: null })).status };
    },
    /** All of the package's codes for this order, or OutOfStock (nothing reserved). */
    async ordersReserveCodes(input: { orderId: string }): Promise<{ reserved: number }> {
      const o = await getOrder(prisma, input.orderId);
      return { reserved: (await reserveCodes(prisma, o.guildId, o.id, o.quantity)).codeIds.length };
    },
    /** Codes never shown go back to stock (cancel/refund); shown ones stay with the order. */
    async ordersReleaseCodes(input: { orderId: string }): Promise<{ released: number; kept: number }> {
      return releaseCodes(prisma, input.orderId);
    },
    /**
     * Sends the order's codes: by DM (a .txt file for many), or — DMs closed — as an ephemeral follow-up
     * to the member's interaction. The codes count as shown from the first attempt on.
     */
    async ordersDeliver(input: { orderId: string; reply: InteractionReply | null }): Promise<{ via: string }> {
      const o = await getOrder(prisma, input.orderId);
      if (o.deliveredVia) return { via: o.deliveredVia };
      await markCodesShown(prisma, o.id);
      const plain = await codesForDelivery(prisma, keyring(), o.id);
      const msg = deliveryMessage(o, plain);
      let via: string;
      try {
        await d.discordSendDm({ userId: o.userId, message: { embeds: msg.embeds }, files: msg.files });
        via = 'dm';
      } catch (err) {
        if (!(err instanceof ApplicationFailure && err.type === DISCORD_FAILURES.cannotDm && input.reply)) throw err;
        olog.info({ orderId: o.id }, 'DMs closed; delivering as an ephemeral follow-up');
        await d.discordFollowUp({ reply: input.reply, message: { embeds: msg.embeds }, files: msg.files, ephemeral: true });
        via = 'followup';
      }
      await prisma.codeOrder.update({ where: { id: o.id }, data: { deliveredVia: via } });
      olog.info({ orderId: o.id, via, count: plain.length }, 'order delivered');
      return { via };
    },
    /** After stock went down: the admin log hears once per threshold crossing. */
    async ordersCheckLowStock(input: { guildId: string }): Promise<{ alerted: boolean }> {
      const r = await lowStockCrossed(prisma, input.guildId);
      if (!r.alert) return { alerted: false };
      await d.discordPostAdminLog({ guildId: input.guildId, message: { embeds: [lowStockEmbed(r.available, r.threshold)] } });
      return { alerted: true };
    },
    async ordersNotifyMember(input: { orderId: string; event: 'completed' | 'failed' | 'awaiting_funds' | 'refunded'; reply: InteractionReply | null; waitSeconds?: number }): Promise<{ via: string }> {
      const o = await getOrder(prisma, input.orderId);
      const asset = await assetLabel(prisma, o.guildId, o.assetCode);
      let embed;
      if (input.event === 'completed') embed = completedEmbed(o, asset, o.deliveredVia ?? 'dm');
      else if (input.event === 'awaiting_funds') {
        const bal = await ledger.balance(o.guildId, userAccount(o.userId), o.assetCode);
        embed = awaitingFundsEmbed(o, asset, bal.available, input.waitSeconds ?? 0);
      } else embed = failedEmbed(o, o.failureReason ?? (input.event === 'refunded' ? 'An admin refunded the order.' : 'The order failed.'));
      // Waiting for funds: a Top up button (gf:order-topup:{orderId}) starts a top-up that wakes this order.
      const components = input.event === 'awaiting_funds' ? [topupButtonRow(o.id)] : [];
      const r = await d.discordNotifyMember({ userId: o.userId, reply: input.reply, message: { embeds: [embed], components } });
      return { via: r.via };
    },
    /** Tells the member an order was refused before it existed (no order row to read). */
    async ordersNotifyRefused(input: { orderId: string; userId: string; reason: string; reply: InteractionReply | null }): Promise<{ via: string }> {
      return { via: (await d.discordNotifyMember({ userId: input.userId, reply: input.reply, message: { embeds: [refusedEmbed(input.orderId, input.reason)] } })).via };
    },
    async ordersNotifyAdmins(input: { orderId: string; detail: string }): Promise<{ posted: boolean }> {
      const o = await getOrder(prisma, input.orderId);
      return { posted: (await d.discordPostAdminLog({ guildId: o.guildId, message: { embeds: [needsAdminEmbed(o, input.detail)] } })).posted };
    },
  });
}
