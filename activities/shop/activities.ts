import { ApplicationFailure } from '@temporalio/common';
import type { REST } from '@discordjs/rest';
import { formatAmount } from '../../lib/discord/amounts';
import { NotFoundError, ValidationError } from '../../lib/errors';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../prisma/client';
import { createDiscordActivities, type InteractionReply } from '../discord/activities';
import { createLedger } from '../ledger/ledger';
import { userAccount } from '../ledger/types';
import { ShopError } from './errors';
import { applyInventoryMovement } from './inventory';
import { adminFailedEmbed, adminRoleNotRemovedEmbed, assetLabel, completedEmbed, failedEmbed, roleExpiredEmbed } from './messages';
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
 * Business refusals are non-retryable ApplicationFailures typed as in errors.ts.
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

export interface CreatePurchaseActivityInput {
  purchaseId: string;
  requestKey: string;
  guildId: string;
  userId: string;
  itemId: number;
  quantity: number;
  memberRoleIds: string[];
  expectedUnitPrice?: string | null;
}

export type CreatePurchaseActivityResult = { ok: true; purchase: PurchaseView } | { ok: false; code: string; reason: string };

/** What the workflow says went wrong: the failure's type and message. */
export interface FailureInfo {
  type: string;
  message: string;
}

export function createShopActivities({ prisma, log, discord }: { prisma: PrismaClient; log: Logger; discord?: REST | null }) {
  const slog = log.child({ component: 'shop' });
  const d = createDiscordActivities({ prisma, log, discord: discord ?? null });
  const ledger = createLedger(prisma);

  async function run<T>(name: string, meta: Record<string, unknown>, fn: () => Promise<T>): Promise<T> {
    try {
      const result = await fn();
      slog.debug({ activity: name, ...meta }, 'shop activity done');
      return result;
    } catch (err) {
      if (err instanceof ShopError) throw ApplicationFailure.nonRetryable(err.message, err.failureType, err.details ?? null);
      if (err instanceof ValidationError) throw ApplicationFailure.nonRetryable(err.message, 'InvalidInput');
      if (err instanceof NotFoundError) throw ApplicationFailure.nonRetryable(err.message, 'NotFound');
      throw err; // infrastructure: Temporal retries
    }
  }

  const load = async (purchaseId: string) => {
    const p = await prisma.purchase.findUniqueOrThrow({ where: { id: purchaseId }, include: { item: true } });
    const { item, ...purchase } = p;
    return { purchase, item };
  };

  /** Why a purchase failed, in words for the member. */
  async function humanReason(purchaseId: string, failure: FailureInfo): Promise<string> {
    const { purchase } = await load(purchaseId);
    switch (failure.type) {
      case 'InsufficientFunds': {
        const asset = await assetLabel(prisma, purchase.guildId, purchase.assetCode);
        const balance = await ledger.balance(purchase.guildId, userAccount(purchase.userId), purchase.assetCode);
        return `You need ${formatAmount(asset, purchase.total)} but have ${formatAmount(asset, balance.available)} available.`;
      }
      case 'PurchaseCancelled':
        return 'The purchase was cancelled.';
      default:
        if (failure.type.startsWith('Discord') || failure.type in SHOP_MESSAGES_AS_IS) return failure.message;
        return `Something went wrong on our side (reference purchase:${purchaseId}). An admin was told.`;
    }
  }

  return {
    /** The pending purchase for a confirm click, once per request key; a refusal is `{ ok: false }` with the reason. */
    async shopCreatePurchase(input: CreatePurchaseActivityInput): Promise<CreatePurchaseActivityResult> {
      return run('shopCreatePurchase', { purchaseId: input.purchaseId }, async () => {
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
      });
    },
    async shopTakeStock(input: { purchaseId: string }): Promise<{ taken: boolean; stockLeft: number | null }> {
      return run('shopTakeStock', input, async () => {
        const { taken, stockLeft } = await takeStock(prisma, input.purchaseId);
        return { taken, stockLeft };
      });
    },
    /** Compensation: returns the stock only if this purchase took it. */
    async shopRestock(input: { purchaseId: string }): Promise<{ restocked: boolean }> {
      return run('shopRestock', input, () => restock(prisma, input.purchaseId));
    },
    async shopMarkRoleGranted(input: { purchaseId: string }): Promise<{ roleExpiresAt: string | null }> {
      return run('shopMarkRoleGranted', input, async () => {
        const { item } = await load(input.purchaseId);
        const p = await markRoleGranted(prisma, input.purchaseId, item.roleDurationSeconds);
        return { roleExpiresAt: p.roleExpiresAt?.toISOString() ?? null };
      });
    },
    /** Adds the purchased quantity to the member's inventory under `key` (once). */
    async shopAddToInventory(input: { purchaseId: string; key: string }): Promise<{ quantity: number }> {
      return run('shopAddToInventory', input, async () => {
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
      });
    },
    /**
     * Takes back what shopAddToInventory added under `addKey`, if it did (a compensation, or the end of
     * a timed item), under `key` (once).
     */
    async shopRemoveFromInventory(input: { purchaseId: string; addKey: string; key: string; type: 'purchase_revert' | 'role_expired' }): Promise<{ removed: boolean }> {
      return run('shopRemoveFromInventory', input, async () => {
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
      });
    },
    async shopCompletePurchase(input: { purchaseId: string }): Promise<{ status: string }> {
      return run('shopCompletePurchase', input, async () => ({ status: (await completePurchase(prisma, input.purchaseId)).status }));
    },
    /** Marks the purchase failed with a reason in words for the member (returned). */
    async shopFailPurchase(input: { purchaseId: string; failure: FailureInfo }): Promise<{ reason: string }> {
      return run('shopFailPurchase', { purchaseId: input.purchaseId, type: input.failure.type }, async () => {
        const reason = await humanReason(input.purchaseId, input.failure);
        const p = await failPurchase(prisma, input.purchaseId, reason);
        slog.info({ purchaseId: input.purchaseId, failure: input.failure }, 'purchase failed');
        return { reason: p.failureReason ?? reason };
      });
    },
    async shopMarkRoleExpired(input: { purchaseId: string; removed: boolean }): Promise<{ status: string }> {
      return run('shopMarkRoleExpired', input, async () => ({ status: (await markRoleExpired(prisma, input.purchaseId, input.removed)).status }));
    },
    /** Whether another of the member's purchases still grants this purchase's role (then it stays). */
    async shopRoleStillGrantedElsewhere(input: { purchaseId: string }): Promise<boolean> {
      return run('shopRoleStillGrantedElsewhere', input, () => roleStillGrantedElsewhere(prisma, input.purchaseId));
    },
    /**
     * Tells the member how their purchase ended: edits the confirm message while its interaction token
     * is valid, else a DM. A member who cannot be reached is logged, not a failure.
     */
    async shopNotifyMember(input: { purchaseId: string; event: 'completed' | 'failed' | 'role_expired'; reply?: InteractionReply | null; roleRemoved?: boolean }): Promise<{ via: string }> {
      return run('shopNotifyMember', { purchaseId: input.purchaseId, event: input.event }, async () => {
        const { purchase, item } = await load(input.purchaseId);
        const asset = await assetLabel(prisma, purchase.guildId, purchase.assetCode);
        const embed =
          input.event === 'completed'
            ? completedEmbed(purchase, item, asset)
            : input.event === 'failed'
              ? failedEmbed(purchase, item, purchase.failureReason ?? 'The purchase failed.')
              : roleExpiredEmbed(purchase, item, input.roleRemoved ?? true);
        const result = await d.discordNotifyMember({ userId: purchase.userId, reply: input.reply ?? null, message: { embeds: [embed], components: [] } });
        if (result.via === 'none') slog.info({ purchaseId: purchase.id, why: result.why }, 'member could not be told');
        return { via: result.via };
      });
    },
    /** Tells the guild's admins (admin log channel) about a failed purchase or a role left in place. */
    async shopNotifyAdmins(input: { purchaseId: string; event: 'failed' | 'role_not_removed'; detail: string }): Promise<{ posted: boolean }> {
      return run('shopNotifyAdmins', { purchaseId: input.purchaseId, event: input.event }, async () => {
        const { purchase, item } = await load(input.purchaseId);
        const asset = await assetLabel(prisma, purchase.guildId, purchase.assetCode);
        const embed = input.event === 'failed' ? adminFailedEmbed(purchase, item, asset, input.detail) : adminRoleNotRemovedEmbed(purchase, item, input.detail);
        return { posted: (await d.discordPostAdminLog({ guildId: purchase.guildId, message: { embeds: [embed] } })).posted };
      });
    },
  };
}

/** Failure types whose message is already written for the member. */
const SHOP_MESSAGES_AS_IS: Record<string, true> = {
  OutOfStock: true,
  ItemNotFound: true,
  ItemUnavailable: true,
  PriceChanged: true,
  RequiredRoleMissing: true,
  PerUserLimit: true,
};

export type ShopActivities = ReturnType<typeof createShopActivities>;
