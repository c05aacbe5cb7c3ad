import { formatAmount } from '../../lib/discord/amounts';
import { DISCORD_FAILURES } from '../../lib/flows/discord';
import type { FailureInfo, InteractionReply } from '../../lib/flows/flow';
import { LEDGER_FAILURES } from '../../lib/flows/ledger';
import { PURCHASE_CANCELLED, SHOP_FAILURES, type PurchaseInput } from '../../lib/flows/shop';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { createLedger } from '../ledger/ledger';
import { userAccount } from '../ledger/types';
import { applyInventoryMovement } from './inventory';
import { adminFailedEmbed, adminRoleNotRemovedEmbed, assetLabel, completedEmbed, failedEmbed, refusedEmbed, roleExpiredEmbed } from './messages';
import {
  completePurchase,
  createPurchase,
  failPurchase,
  markRoleExpired,
  markRoleGranted,
  restock,
  roleStillGrantedElsewhere,
  takeStock,
} from './purchases';

/**
 * The shop as Temporal activities for the purchase workflow. Every one is keyed by the purchase id (and
 * the workflow's keys for inventory movements), so a retry returns the stored result and never takes
 * stock, adds items or marks states twice. Amounts cross the workflow boundary as decimal strings.
 * Business refusals become non-retryable ApplicationFailures typed as in SHOP_FAILURES (defineActivities).
 */

export interface PurchaseView {
  id: string;
  guildId: string;
  userId: string;
  itemId: number;
  itemName: string;
  quantity: number;
  unitPrice: string;
  total: string;
  assetCode: string;
  roleId: string | null;
  roleDurationSeconds: number | null;
  status: string;
}

/** The flow's input without the confirm message, which only the workflow uses. */
export type CreatePurchaseActivityInput = Omit<PurchaseInput, 'reply'>;

export type CreatePurchaseActivityResult = { ok: true; purchase: PurchaseView } | { ok: false; code: string; reason: string };

/** Failure types whose message is already written for the member. */
const MESSAGES_AS_IS: readonly string[] = [
  SHOP_FAILURES.outOfStock,
  SHOP_FAILURES.itemNotFound,
  SHOP_FAILURES.itemUnavailable,
  SHOP_FAILURES.priceChanged,
  SHOP_FAILURES.requiredRole,
  SHOP_FAILURES.perUserLimit,
];

export function createShopActivities({ prisma, log, discordActivities: discord }: FeatureDeps) {
  const slog = log.child({ component: 'shop' });
  const ledger = createLedger(prisma);

  const load = async (purchaseId: string) => {
    const p = await prisma.purchase.findUniqueOrThrow({ where: { id: purchaseId }, include: { item: true } });
    const { item, ...purchase } = p;
    return { purchase, item };
  };
  const addToInventory = async (input: { purchaseId: string; key: string }): Promise<{ quantity: number }> => {
    const { purchase: p } = await load(input.purchaseId);
    const r = await applyInventoryMovement(prisma, {
      guildId: p.guildId,
      ownerId: p.userId,
      itemId: p.itemId,
      delta: p.quantity,
      key: input.key,
      type: 'purchase',
      actor: { type: 'user', id: p.userId },
      refs: { purchaseId: p.id },
    });
    return { quantity: r.quantity };
  };

  /** Why a purchase failed, in words for the member. */
  async function humanReason(purchaseId: string, failure: FailureInfo): Promise<string> {
    const { purchase } = await load(purchaseId);
    switch (failure.type) {
      case LEDGER_FAILURES.insufficientFunds: {
        const asset = await assetLabel(prisma, purchase.guildId, purchase.assetCode);
        const balance = await ledger.balance(purchase.guildId, userAccount(purchase.userId), purchase.assetCode);
        return `You need ${formatAmount(asset, purchase.total)} but have ${formatAmount(asset, balance.available)} available.`;
      }
      case PURCHASE_CANCELLED.type:
        return PURCHASE_CANCELLED.message;
      // Discord away past the retries: nothing is wrong with the purchase, so the member can simply try again.
      case DISCORD_FAILURES.unavailable:
      case DISCORD_FAILURES.rateLimited:
        return 'Discord is not answering right now, so Guildflow could not give you the role: try /buy again in a few minutes.';
      default:
        if (failure.type.startsWith('Discord') || MESSAGES_AS_IS.includes(failure.type)) return failure.message;
        return `Something went wrong on our side (reference purchase:${purchaseId}). An admin was told.`;
    }
  }

  return defineActivities(log, 'shop', {
    /** The pending purchase for a confirm click, once per request key; a refusal is `{ ok: false }` with the reason. */
    async shopCreatePurchase(input: CreatePurchaseActivityInput): Promise<CreatePurchaseActivityResult> {
      const result = await createPurchase(prisma, {
        ...input,
        expectedUnitPrice: input.expectedUnitPrice == null ? null : BigInt(input.expectedUnitPrice),
      });
      if (!result.ok) {
        slog.info({ purchaseId: input.purchaseId, code: result.error.code }, result.error.message);
        return { ok: false, code: result.error.failureType, reason: result.error.message };
      }
      const { purchase: p, item } = result;
      return {
        ok: true,
        purchase: {
          id: p.id,
          guildId: p.guildId,
          userId: p.userId,
          itemId: p.itemId,
          itemName: item.name,
          quantity: p.quantity,
          unitPrice: p.unitPrice.toString(),
          total: p.total.toString(),
          assetCode: p.assetCode,
          roleId: p.roleId,
          roleDurationSeconds: p.roleId ? item.roleDurationSeconds : null,
          status: p.status,
        },
      };
    },
    async shopTakeStock(input: { purchaseId: string }): Promise<{ taken: boolean; stockLeft: number | null }> {
      const { taken, stockLeft } = await takeStock(prisma, input.purchaseId);
      return { taken, stockLeft };
    },
    /**
     * The price held (a paid purchase) and the stock taken, the purchase's two steps after its creation as
     * one. Each part is idempotent (the hold's key, the purchase's own stock take); when one is refused the
     * workflow's compensations, pushed before this step, cope with either part having happened or not.
     */
    async shopHoldAndTakeStock(input: { purchaseId: string; holdKey: string; workflowId: string }): Promise<{ taken: boolean; stockLeft: number | null }> {
      const { purchase: p, item } = await load(input.purchaseId);
      if (p.total > 0n) {
        await ledger.hold({
          guildId: p.guildId,
          key: input.holdKey,
          type: 'purchase',
          actor: { type: 'user', id: p.userId },
          reason: `Shop: ${p.quantity} × ${item.name}`,
          refs: { purchaseId: p.id, itemId: p.itemId, workflowId: input.workflowId },
          asset: p.assetCode,
          from: { ownerType: 'user', ownerId: p.userId },
          to: { ownerType: 'system', ownerId: 'sink' },
          amount: p.total,
        });
      }
      const { taken, stockLeft } = await takeStock(prisma, input.purchaseId);
      return { taken, stockLeft };
    },
    /** Compensation: returns the stock only if this purchase took it. */
    async shopRestock(input: { purchaseId: string }): Promise<{ restocked: boolean }> {
      return restock(prisma, input.purchaseId);
    },
    async shopMarkRoleGranted(input: { purchaseId: string }): Promise<{ roleExpiresAt: string | null }> {
      const { item } = await load(input.purchaseId);
      const p = await markRoleGranted(prisma, input.purchaseId, item.roleDurationSeconds);
      return { roleExpiresAt: p.roleExpiresAt?.toISOString() ?? null };
    },
    /** Adds the purchased quantity to the member's inventory under `key` (once). */
    async shopAddToInventory(input: { purchaseId: string; key: string }): Promise<{ quantity: number }> {
      return addToInventory(input);
    },
    /** The items added to the inventory, then the held price charged (when `holdKey` is given): the purchase's last two steps as one. */
    async shopAddToInventoryAndCharge(input: { purchaseId: string; key: string; holdKey: string | null }): Promise<{ quantity: number }> {
      const added = await addToInventory(input);
      if (input.holdKey) await ledger.postHold({ key: input.holdKey });
      return added;
    },
    /**
     * Takes back what shopAddToInventory added under `addKey`, if it did (a compensation, or the end of
     * a timed item), under `key` (once).
     */
    async shopRemoveFromInventory(input: { purchaseId: string; addKey: string; key: string; type: 'purchase_revert' | 'role_expired' }): Promise<{ removed: boolean }> {
      const added = await prisma.inventoryMovement.findUnique({ where: { idempotencyKey: input.addKey } });
      if (!added) return { removed: false };
      await applyInventoryMovement(prisma, {
        guildId: added.guildId,
        ownerId: added.ownerId,
        itemId: added.itemId,
        delta: -added.delta,
        key: input.key,
        type: input.type,
        actor: { type: 'system', id: 'purchase' },
        refs: { purchaseId: input.purchaseId },
      });
      return { removed: true };
    },
    async shopCompletePurchase(input: { purchaseId: string }): Promise<{ status: string }> {
      return { status: (await completePurchase(prisma, input.purchaseId)).status };
    },
    /** Marks the purchase failed with a reason in words for the member (returned). */
    async shopFailPurchase(input: { purchaseId: string; failure: FailureInfo }): Promise<{ reason: string }> {
      const reason = await humanReason(input.purchaseId, input.failure);
      const p = await failPurchase(prisma, input.purchaseId, reason);
      slog.info({ purchaseId: input.purchaseId, failure: input.failure }, 'purchase failed');
      return { reason: p.failureReason ?? reason };
    },
    async shopMarkRoleExpired(input: { purchaseId: string; removed: boolean }): Promise<{ status: string }> {
      return { status: (await markRoleExpired(prisma, input.purchaseId, input.removed)).status };
    },
    /** Whether another of the member's purchases still grants this purchase's role (then it stays). */
    async shopRoleStillGrantedElsewhere(input: { purchaseId: string }): Promise<boolean> {
      return roleStillGrantedElsewhere(prisma, input.purchaseId);
    },
    /**
     * Tells the member how their purchase ended: edits the confirm message while its interaction token
     * is valid, else a DM. A member who cannot be reached is logged, not a failure.
     */
    async shopNotifyMember(input: {
      purchaseId: string;
      event: 'completed' | 'failed' | 'role_expired';
      reply?: InteractionReply | null;
      roleRemoved?: boolean;
      /** A refusal before the purchase existed (no row to read): whom to tell, and why. */
      refused?: { userId: string; reason: string } | null;
    }): Promise<{ via: string }> {
      if (input.refused && !(await prisma.purchase.findUnique({ where: { id: input.purchaseId }, select: { id: true } }))) {
        const message = { embeds: [refusedEmbed(input.purchaseId, input.refused.reason)], components: [] };
        return { via: (await discord.discordNotifyMember({ userId: input.refused.userId, reply: input.reply ?? null, message })).via };
      }
      const { purchase, item } = await load(input.purchaseId);
      const asset = await assetLabel(prisma, purchase.guildId, purchase.assetCode);
      const embed =
        input.event === 'completed'
          ? completedEmbed(purchase, item, asset)
          : input.event === 'failed'
            ? failedEmbed(purchase, item, purchase.failureReason ?? 'The purchase failed.')
            : roleExpiredEmbed(purchase, item, input.roleRemoved ?? true);
      const result = await discord.discordNotifyMember({ userId: purchase.userId, reply: input.reply ?? null, message: { embeds: [embed], components: [] } });
      if (result.via === 'none') slog.info({ purchaseId: purchase.id, why: result.why }, 'member could not be told');
      return { via: result.via };
    },
    /** Tells the guild's admins (admin log channel) about a failed purchase or a role left in place. */
    async shopNotifyAdmins(input: { purchaseId: string; event: 'failed' | 'role_not_removed'; detail: string }): Promise<{ posted: boolean }> {
      const { purchase, item } = await load(input.purchaseId);
      const asset = await assetLabel(prisma, purchase.guildId, purchase.assetCode);
      const embed = input.event === 'failed' ? adminFailedEmbed(purchase, item, asset, input.detail) : adminRoleNotRemovedEmbed(purchase, item, input.detail);
      return { posted: (await discord.discordPostAdminLog({ guildId: purchase.guildId, message: { embeds: [embed] } })).posted };
    },
  });
}
