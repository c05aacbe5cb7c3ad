import { ApplicationFailure } from '@temporalio/common';
import type { REST } from '@discordjs/rest';
import type { CodeKeyring } from '../../lib/crypto/codes';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../prisma/client';
import { codesForDelivery, lowStockCrossed, markCodesShown, OutOfStockError, releaseCodes, reserveCodes } from '../codes/stock';
import { createDiscordActivities, type InteractionReply } from '../discord/activities';
import { DISCORD_FAILURE_TYPES } from '../discord/errors';
import { createLedger } from '../ledger/ledger';
import { userAccount } from '../ledger/types';
import { assetLabel } from '../shop/messages';
import { topupButtonRow } from './buttons';
import { awaitingFundsEmbed, completedEmbed, deliveryMessage, failedEmbed, lowStockEmbed, needsAdminEmbed } from './messages';
import { createOrder, getOrder, OrderError, setOrderStatus, type CreateOrderInput, type OrderStatus } from './orders';

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
export function createOrderActivities({ prisma, log, discord, codes }: { prisma: PrismaClient; log: Logger; discord?: REST | null; codes?: CodeKeyring | null }) {
  const olog = log.child({ component: 'orders' });
  const d = createDiscordActivities({ prisma, log, discord: discord ?? null });
  const ledger = createLedger(prisma);
  const keyring = (): CodeKeyring => {
    if (!codes) throw ApplicationFailure.nonRetryable('The code shop is not set up (CODE_ENCRYPTION_KEY is not set).', 'CodeShopDisabled');
    return codes;
  };

  async function run<T>(name: string, meta: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      olog.debug({ activity: name, ...meta }, 'orders activity done');
      return result;
    } catch (err) {
      if (err instanceof OutOfStockError) throw ApplicationFailure.nonRetryable(err.message, 'OutOfStock', { wanted: err.wanted, available: err.available });
      if (err instanceof OrderError) throw ApplicationFailure.nonRetryable(err.message, err.failureType);
      if (err instanceof ValidationError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput');
      if (err instanceof NotFoundError) throw ApplicationFailure.nonRetryable(err.message, 'NotFound');
      throw err;
    }
  }

  const view = (o: { id: string; guildId: string; userId: string; quantity: number; price: bigint; assetCode: string }): OrderView => ({
    id: o.id,
    guildId: o.guildId,
    userId: o.userId,
    quantity: o.quantity,
    price: o.price.toString(),
    assetCode: o.assetCode,
  });

  return {
    async ordersCreate(input: CreateOrderInput): Promise<{ ok: true; order: OrderView } | { ok: false; type: string; reason: string }> {
      return run('ordersCreate', { orderId: input.orderId }, async () => {
        const r = await createOrder(prisma, input);
        return r.ok ? { ok: true as const, order: view(r.order) } : r;
      });
    },
    async ordersSetStatus(input: { orderId: string; status: OrderStatus; failureReason?: string | null }): Promise<{ status: string }> {
      return run('ordersSetStatus', { orderId: input.orderId, status: input.status }, async () => ({
        status: (await setOrderStatus(prisma, input.orderId, input.status, { failureReason: input.failureReason })).status,
      }));
    },
    /** All of the package's codes for this order, or OutOfStock (nothing reserved). */
    async ordersReserveCodes(input: { orderId: string }): Promise<{ reserved: number }> {
      return run('ordersReserveCodes', input, async () => {
        const o = await getOrder(prisma, input.orderId);
        return { reserved: (await reserveCodes(prisma, o.guildId, o.id, o.quantity)).codeIds.length };
      });
    },
    /** Codes never shown go back to stock (cancel/refund); shown ones stay with the order. */
    async ordersReleaseCodes(input: { orderId: string }): Promise<{ released: number; kept: number }> {
      return run('ordersReleaseCodes', input, () => releaseCodes(prisma, input.orderId));
    },
    /**
     * Sends the order's codes: by DM (a .txt file for many), or — DMs closed — as an ephemeral follow-up
     * to the member's interaction. The codes count as shown from the first attempt on.
     */
    async ordersDeliver(input: { orderId: string; reply: InteractionReply | null }): Promise<{ via: string }> {
      return run('ordersDeliver', { orderId: input.orderId }, async () => {
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
          if (!(err instanceof ApplicationFailure && err.type === DISCORD_FAILURE_TYPES.cannotDm && input.reply)) throw err;
          olog.info({ orderId: o.id }, 'DMs closed; delivering as an ephemeral follow-up');
          await d.discordFollowUp({ reply: input.reply, message: { embeds: msg.embeds }, files: msg.files, ephemeral: true });
          via = 'followup';
        }
        await prisma.codeOrder.update({ where: { id: o.id }, data: { deliveredVia: via } });
        olog.info({ orderId: o.id, via, count: plain.length }, 'order delivered');
        return { via };
      });
    },
    /** After stock went down: the admin log hears once per threshold crossing. */
    async ordersCheckLowStock(input: { guildId: string }): Promise<{ alerted: boolean }> {
      return run('ordersCheckLowStock', input, async () => {
        const r = await lowStockCrossed(prisma, input.guildId);
        if (!r.alert) return { alerted: false };
        await d.discordPostAdminLog({ guildId: input.guildId, message: { embeds: [lowStockEmbed(r.available, r.threshold)] } });
        return { alerted: true };
      });
    },
    async ordersNotifyMember(input: { orderId: string; event: 'completed' | 'failed' | 'awaiting_funds' | 'refunded'; reply: InteractionReply | null; waitSeconds?: number }): Promise<{ via: string }> {
      return run('ordersNotifyMember', { orderId: input.orderId, event: input.event }, async () => {
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
      });
    },
    async ordersNotifyAdmins(input: { orderId: string; detail: string }): Promise<{ posted: boolean }> {
      return run('ordersNotifyAdmins', { orderId: input.orderId }, async () => {
        const o = await getOrder(prisma, input.orderId);
        return { posted: (await d.discordPostAdminLog({ guildId: o.guildId, message: { embeds: [needsAdminEmbed(o, input.detail)] } })).posted };
      });
    },
  };
}

export type OrderActivities = ReturnType<typeof createOrderActivities>;
