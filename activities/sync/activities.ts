import { createHash } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { guildflowEmbed } from '../../lib/discord/embeds';
import { syncFlowId, type SyncApplyResult, type SyncMode, type SyncOutcome } from '../../lib/flows/sync';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { toDiscordFailure } from '../discord/errors';
import { channelMessages, messageDigest, messageFault } from '../discord/messages';
import { guildScope } from '../discord/scope';
import { unknownEntityType } from './errors';
import { createRendererRegistry, DEFAULT_RENDERERS, type EntityRenderer, type RenderedEntity } from './registry';

/**
 * The message sync's side effects (workflows/sync.ts). `syncApply` renders the entity's current state
 * and makes its one Discord message show it: posts it the first time (and stores the id), edits it,
 * posts it again when someone deleted it, moves it when the entity's channel changed, and skips Discord
 * entirely when the rendered message did not change. It records every outcome in sync_messages (the
 * state the API shows), so:
 *   - Discord failing (5xx, 429, network) → state `pending` + the error, then the retryable failure is
 *     thrown; the workflow retries with backoff and the next success sets `synced`;
 *   - channel gone, no access, or a refusal → state `orphaned` + the reason, returned (not thrown): the
 *     workflow tells the admin log and waits for the next change.
 * Idempotent: a retry renders again and compares with what is stored; a post carries a nonce derived
 * from the flow and the post count, so a retry after a lost answer does not post twice.
 */

export interface SyncRef {
  entityType: string;
  entityId: string;
}

const nonceOf = (ref: SyncRef, creates: number): string =>
  createHash('sha256').update(`${syncFlowId(ref.entityType, ref.entityId)}#${creates}`).digest('base64url').slice(0, 25);

/**
 * `renderers`: the entity types this worker can render (default: leaderboard, shop item, announcement).
 * Messages are posted, edited and pinned through the channel helpers of activities/discord/messages.ts,
 * which tell a deleted message from a deleted channel; the admin log through the Discord activities.
 */
export function createSyncActivities(deps: FeatureDeps, renderers: readonly EntityRenderer[] = DEFAULT_RENDERERS) {
  const { prisma, log } = deps;
  const slog = log.child({ component: 'sync' });
  const registry = createRendererRegistry(renderers);
  const messages = channelMessages(deps.discord ?? null);
  const scope = guildScope(deps);
  const adminLog = deps.discordActivities.discordPostAdminLog;

  function renderer(entityType: string): EntityRenderer {
    const r = registry.get(entityType);
    if (!r) throw unknownEntityType(entityType);
    return r;
  }

  const where = (ref: SyncRef) => ({ entityType_entityId: { entityType: ref.entityType, entityId: ref.entityId } });

  async function row(ref: SyncRef, rendered: RenderedEntity) {
    return prisma.syncMessage.upsert({
      where: where(ref),
      create: { entityType: ref.entityType, entityId: ref.entityId, guildId: rendered.guildId, channelId: rendered.channelId },
      update: {},
    });
  }

  async function markOrphaned(ref: SyncRef, channelId: string | null, messageId: string | null, reason: string): Promise<SyncApplyResult> {
    await prisma.syncMessage.update({ where: where(ref), data: { state: 'orphaned', lastError: reason, channelId, messageId } });
    slog.warn({ ...ref, channelId, reason }, 'synced message orphaned');
    return { outcome: 'orphaned', messageId, channelId, reason };
  }

  return defineActivities(log, 'sync', {
    async syncApply(input: SyncRef & { mode: SyncMode }): Promise<SyncApplyResult> {
      const rendered = await renderer(input.entityType).render(prisma, input.entityId);
      if (!rendered) return { outcome: 'gone', messageId: null, channelId: null };
      const current = await row(input, rendered);
      const { channelId } = rendered;
      const where_ = `in <#${channelId ?? '?'}>`;
      if (!channelId) return markOrphaned(input, null, current.messageId, `No channel is set for ${input.entityType.replace(/_/g, ' ')} messages in this server.`);
      let messageId = current.messageId;
      let outcome: SyncOutcome;
      let creates = current.creates;
      let edits = current.edits;
      let digest: string | null = null;
      let stillPinned = false;
      try {
        // Stored channel and ping ids are checked again here: a row written before ids were checked at write
        // time must never make the bot post, edit or ping in another guild (its token reaches them all).
        if (!(await scope.isGuildChannel(rendered.guildId, channelId))) {
          return await markOrphaned(input, channelId, messageId, `<#${channelId}> is not a channel of this server (or Guildflow cannot see it): nothing is posted there until another channel is set.`);
        }
        const message = await scope.onlyGuildPings(rendered.guildId, rendered.message);
        digest = messageDigest(message);
        if (messageId && current.channelId && current.channelId !== channelId) {
          await messages.remove(current.channelId, messageId, 'Guildflow: moved to another channel');
          messageId = null;
          outcome = 'moved';
        } else if (messageId && digest === current.contentHash && current.state === 'synced') {
          // An unpin changes no content: the message is read to see whether it is still pinned.
          if (input.mode === 'render' && !rendered.unpin) return { outcome: 'unchanged', messageId, channelId };
          outcome = 'verified';
          try {
            stillPinned = (await messages.get(channelId, messageId)).pinned;
          } catch (err) {
            if (messageFault(err) !== 'message_gone') throw err;
            messageId = null;
            outcome = 'recreated';
          }
        } else if (messageId) {
          outcome = 'edited';
          try {
            stillPinned = (await messages.edit(channelId, messageId, message)).pinned;
            edits += 1;
          } catch (err) {
            if (messageFault(err) !== 'message_gone') throw err;
            messageId = null;
            outcome = 'recreated';
          }
        } else {
          outcome = current.creates === 0 ? 'created' : 'recreated';
        }
        let pinError: string | undefined;
        if (messageId && rendered.unpin && stillPinned) await messages.unpin(channelId, messageId);
        if (!messageId) {
          const posted = await messages.post(channelId, message, nonceOf(input, creates));
          messageId = posted.id;
          creates += 1;
          // The id is stored before anything else can fail: a retry edits this message, never posts another.
          await prisma.syncMessage.update({ where: where(input), data: { messageId, channelId, creates } });
          if (rendered.pin) {
            try {
              await messages.pin(channelId, messageId);
            } catch (err) {
              if (messageFault(err) === null) throw err;
              pinError = `Guildflow could not pin the message ${where_}: ${(err as Error).message}`;
              slog.warn({ ...input, channelId, messageId, err }, 'pin refused');
            }
          }
        }
        await prisma.syncMessage.update({
          where: where(input),
          data: { state: 'synced', messageId, channelId, contentHash: digest, creates, edits, lastError: null, syncedAt: new Date() },
        });
        slog.debug({ ...input, outcome, messageId }, 'synced');
        return { outcome, messageId, channelId, ...(pinError ? { pinError } : {}) };
      } catch (err) {
        const fault = messageFault(err);
        if (fault === 'channel_gone') return markOrphaned(input, channelId, messageId, `The channel <#${channelId}> no longer exists.`);
        if (fault === 'no_access') return markOrphaned(input, channelId, messageId, `Guildflow may not see or post ${where_}: give it View Channel, Send Messages and Embed Links there.`);
        if (fault === 'rejected' || fault === 'message_gone') return markOrphaned(input, channelId, messageId, `Discord refused the message ${where_}: ${(err as Error).message}`);
        // An outage: visible as pending while the workflow retries.
        await prisma.syncMessage
          .update({ where: where(input), data: { state: 'pending', lastError: `Discord is failing: ${(err as Error).message}`.slice(0, 500) } })
          .catch((dbErr: unknown) => slog.warn({ err: dbErr }, 'could not record the pending state'));
        throw toDiscordFailure(err, `update the ${input.entityType.replace(/_/g, ' ')} message ${where_}`);
      }
    },

    /** The entity is gone: deletes its message (one already gone counts as deleted) and marks the row deleted. */
    async syncDelete(input: SyncRef): Promise<{ deleted: boolean }> {
      const current = await prisma.syncMessage.findUnique({ where: where(input) });
      if (!current) return { deleted: false };
      let deleted = false;
      if (current.messageId && current.channelId) {
        try {
          deleted = (await messages.remove(current.channelId, current.messageId, 'Guildflow: the entity was removed')).deleted;
        } catch (err) {
          if (messageFault(err) === null) throw toDiscordFailure(err, `delete the ${input.entityType.replace(/_/g, ' ')} message`);
          slog.warn({ ...input, err }, 'message could not be deleted; forgetting it');
        }
      }
      await prisma.syncMessage.update({ where: where(input), data: { state: 'deleted', messageId: null, lastError: null } });
      return { deleted };
    },

    /** Tells the admin log that a message can no longer be kept up to date, and why. */
    async syncNotifyOrphaned(input: SyncRef & { reason: string }): Promise<{ posted: boolean }> {
      const row_ = await prisma.syncMessage.findUnique({ where: where(input) });
      if (!row_) return { posted: false };
      const embed = guildflowEmbed({
        outcome: 'warning',
        title: 'A Guildflow message is no longer kept up to date',
        description: `${input.reason}\nThe ${input.entityType.replace(/_/g, ' ')} ${input.entityId} will be posted again on its next change once this is fixed.`,
        flowId: syncFlowId(input.entityType, input.entityId),
      });
      try {
        return { posted: (await adminLog({ guildId: row_.guildId, message: { embeds: [embed] } })).posted };
      } catch (err) {
        // The admin log itself may be the channel that is gone: say so in the logs, do not fail the flow.
        if (err instanceof ApplicationFailure && err.nonRetryable) {
          slog.warn({ ...input, err: err.message }, 'admin log not reachable');
          return { posted: false };
        }
        throw err;
      }
    },
  });
}
