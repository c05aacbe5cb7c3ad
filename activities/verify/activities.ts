import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import type { InteractionReply } from '../../lib/flows/flow';
import type { MemberRolesResult } from '../../lib/flows/verify-roles';
import { startMemberRoles } from '../../lib/flows/verify-roles.client';
import { VERIFY_FAILURES, type LinkSnapshot, type VerifyMethod, type VerifySettingsView, type VerifyView } from '../../lib/flows/verify';
import { RobloxRequestError, RobloxUnavailableError, type RobloxClient } from '../../lib/roblox/client';
import type { Prisma } from '../../prisma/client';
import { defineActivities } from '../define';
import type { FeatureDeps } from '../deps';
import { accountTaken, robloxNotConfigured, robloxRefused, robloxUserGone } from './errors';
import { renderAdminNotice, renderVerifyView } from './messages';
import { applyMemberRoles } from './member-roles';
import { getVerifySettings, linkSnapshot } from './service';

const LINK_ROBLOX_INDEX = 'roblox_links_guild_id_roblox_id_key';

/** The unique index on (guild, roblox id): the other member won a race for the account. */
function isRobloxIdClash(err: unknown): boolean {
  const e = err as { code?: string; message?: string; meta?: unknown };
  const text = `${e.message ?? ''} ${JSON.stringify(e.meta ?? {})}`;
  return text.includes(LINK_ROBLOX_INDEX) || (e.code === 'P2002' && /roblox_id|robloxId/.test(text));
}

interface Replaced {
  previous: LinkSnapshot | null;
  displaced: LinkSnapshot | null;
}

function snapshotToRow(s: LinkSnapshot): Prisma.RobloxLinkCreateManyInput {
  return {
    guildId: s.guildId,
    userId: s.userId,
    robloxId: BigInt(s.robloxId),
    robloxName: s.robloxName,
    robloxDisplayName: s.robloxDisplayName,
    method: s.method,
    linkedBy: s.linkedBy,
    verifiedAt: new Date(s.verifiedAt),
    workflowId: s.workflowId,
    runId: s.runId,
    nicknameSet: s.nicknameSet,
    nicknameBefore: s.nicknameBefore,
  };
}

/**
 * Side effects of the verification workflow: Roblox reads, the link row, the run's record, and the member's
 * and admins' notices (through the Discord activities). Every write is keyed by the run id, so a retried
 * activity changes nothing twice.
 */
export function createVerifyActivities({ prisma, log, roblox, discordActivities: discord }: FeatureDeps) {
  const vlog = log.child({ component: 'verify' });
  const client = (): RobloxClient => {
    if (!roblox) throw robloxNotConfigured();
    return roblox;
  };
  const robloxFailure = (err: unknown): unknown => {
    if (err instanceof RobloxUnavailableError) {
      return ApplicationFailure.create({ message: err.message, type: VERIFY_FAILURES.robloxUnavailable, ...(err.retryAfterMs ? { nextRetryDelay: err.retryAfterMs } : {}) });
    }
    if (err instanceof RobloxRequestError) return robloxRefused(err.message);
    return err;
  };

  return defineActivities(log, 'verify', {
    async verifyLoadSettings(input: { guildId: string }): Promise<VerifySettingsView> {
      return getVerifySettings(prisma, input.guildId);
    },

    /** A Roblox username → the account (`unknown` / `banned` are outcomes, not failures). */
    async robloxLookup(input: { username: string }): Promise<{ status: 'found' | 'banned'; user: { id: number; name: string; displayName: string } } | { status: 'unknown' }> {
      try {
        const found = await client().findUserByName(input.username.trim());
        if (!found) return { status: 'unknown' };
        const details = await client().getUser(found.id);
        if (!details) return { status: 'unknown' };
        const user = { id: details.id, name: details.name, displayName: details.displayName };
        return { status: details.isBanned ? 'banned' : 'found', user };
      } catch (err) {
        throw robloxFailure(err);
      }
    },

    /** The account's profile description now. */
    async robloxReadProfile(input: { robloxId: number }): Promise<{ description: string; isBanned: boolean }> {
      try {
        const details = await client().getUser(input.robloxId);
        if (!details) throw robloxUserGone(input.robloxId);
        return { description: details.description, isBanned: details.isBanned };
      } catch (err) {
        throw robloxFailure(err);
      }
    },

    /** Who holds the link to this Roblox account in the guild (null: nobody). */
    async verifyLinkHolder(input: { guildId: string; robloxId: number }): Promise<string | null> {
      const row = await prisma.robloxLink.findUnique({ where: { guildId_robloxId: { guildId: input.guildId, robloxId: BigInt(input.robloxId) } }, select: { userId: true } });
      return row?.userId ?? null;
    },

    /** Records the run (pending); idempotent by run id. */
    async verifyBegin(input: { runId: string; workflowId: string; guildId: string; userId: string; method: VerifyMethod }): Promise<void> {
      await prisma.verification.upsert({ where: { runId: input.runId }, create: { ...input }, update: {} });
    },

    /**
     * Records how the run ended (first end wins: a retry changes nothing). A verified member then gets their
     * group-rank bind roles from `member-roles:{guild}:{user}:verified-{runId}` (started once per run, when the guild has binds), so
     * the verification's own steps stay as they were.
     */
    async verifyEnd(input: { runId: string; status: 'verified' | 'failed' | 'expired' | 'cancelled'; reason: string | null; robloxId: number | null; robloxName: string | null }): Promise<void> {
      await prisma.verification.updateMany({
        where: { runId: input.runId, status: 'pending' },
        data: { status: input.status, reason: input.reason, robloxId: input.robloxId === null ? null : BigInt(input.robloxId), robloxName: input.robloxName, finishedAt: new Date() },
      });
      if (input.status !== 'verified') return;
      const run = await prisma.verification.findUnique({ where: { runId: input.runId }, select: { guildId: true, userId: true } });
      // No binds in the guild: the verification's own steps gave everything.
      if (!run || (await prisma.robloxGroupBind.count({ where: { guildId: run.guildId } })) === 0) return;
      const ctx = Context.current();
      await startMemberRoles(
        { temporal: ctx.client, taskQueue: ctx.info.taskQueue },
        { guildId: run.guildId, userId: run.userId, trigger: 'verified', actorId: null, key: input.runId, summary: `Bind roles of ${run.userId} after verification as ${input.robloxName ?? '?'}` },
      );
    },

    /** Verified role, nickname and group-rank bind roles of a linked member, applied again (member-roles.ts). */
    async verifyApplyMemberRoles(input: { guildId: string; userId: string; reason: string; bindsOnly: boolean }): Promise<MemberRolesResult> {
      const groupsOf = async (robloxId: number) => {
        try {
          return await client().getUserGroupRoles(robloxId);
        } catch (err) {
          throw robloxFailure(err);
        }
      };
      return applyMemberRoles({ prisma, discord, groupsOf }, input);
    },

    /**
     * Saves the member's link (replacing their previous one, which is kept in `replaced` until this run
     * succeeds or is undone). An account linked to another member is refused, unless `override` (an admin):
     * then that member's link is removed (and put back if this run fails). Two members racing for one
     * account: the unique index lets exactly one insert through. Idempotent by run id.
     */
    async verifySaveLink(input: {
      guildId: string;
      userId: string;
      roblox: { id: number; name: string; displayName: string };
      method: VerifyMethod;
      linkedBy: string | null;
      override: boolean;
      workflowId: string;
      runId: string;
    }): Promise<{ previous: LinkSnapshot | null; displaced: LinkSnapshot | null }> {
      const { guildId, userId } = input;
      const robloxId = BigInt(input.roblox.id);
      try {
        return await prisma.$transaction(async (tx) => {
          const existing = await tx.robloxLink.findUnique({ where: { guildId_userId: { guildId, userId } } });
          if (existing?.runId === input.runId) return (existing.replaced as unknown as Replaced | null) ?? { previous: null, displaced: null };
          let displaced: LinkSnapshot | null = null;
          const holder = await tx.robloxLink.findUnique({ where: { guildId_robloxId: { guildId, robloxId } } });
          if (holder && holder.userId !== userId) {
            if (!input.override) throw accountTaken(input.roblox.name);
            displaced = linkSnapshot(holder);
            await tx.robloxLink.delete({ where: { guildId_userId: { guildId, userId: holder.userId } } });
          }
          const replaced: Replaced = { previous: existing ? linkSnapshot(existing) : null, displaced };
          const data = {
            robloxId,
            robloxName: input.roblox.name,
            robloxDisplayName: input.roblox.displayName,
            method: input.method,
            linkedBy: input.linkedBy,
            verifiedAt: new Date(),
            workflowId: input.workflowId,
            runId: input.runId,
            nicknameSet: null,
            nicknameBefore: null,
            replaced: replaced as unknown as Prisma.InputJsonValue,
          };
          if (existing) await tx.robloxLink.update({ where: { guildId_userId: { guildId, userId } }, data });
          else await tx.robloxLink.create({ data: { guildId, userId, ...data } });
          await tx.auditEvent.create({
            data: {
              guildId,
              actorType: input.linkedBy ? 'user' : 'system',
              actorId: input.linkedBy ?? `workflow:${input.workflowId}`,
              action: 'roblox_link.created',
              targetType: 'member',
              targetId: userId,
              data: { robloxId: input.roblox.id, robloxName: input.roblox.name, method: input.method, replaced: replaced.previous?.robloxId ?? null, displaced: displaced?.userId ?? null },
            },
          });
          return replaced;
        });
      } catch (err) {
        if (isRobloxIdClash(err)) throw accountTaken(input.roblox.name);
        throw err;
      }
    },

    /** Compensation: removes this run's link and puts back what it replaced (idempotent). */
    async verifyUndoLink(input: { guildId: string; userId: string; runId: string }): Promise<{ undone: boolean; restored: string[] }> {
      return prisma.$transaction(async (tx) => {
        const row = await tx.robloxLink.findUnique({ where: { guildId_userId: { guildId: input.guildId, userId: input.userId } } });
        if (!row || row.runId !== input.runId) return { undone: false, restored: [] };
        await tx.robloxLink.delete({ where: { guildId_userId: { guildId: input.guildId, userId: input.userId } } });
        const replaced = (row.replaced as unknown as Replaced | null) ?? { previous: null, displaced: null };
        const restore = [replaced.previous, replaced.displaced].filter((s): s is LinkSnapshot => s !== null).map(snapshotToRow);
        // skipDuplicates: an account someone else linked meanwhile stays theirs.
        const { count } = restore.length ? await tx.robloxLink.createMany({ data: restore, skipDuplicates: true }) : { count: 0 };
        if (count < restore.length) vlog.warn({ guildId: input.guildId, userId: input.userId }, 'a replaced link could not be restored (its account is linked again)');
        await tx.auditEvent.create({
          data: { guildId: input.guildId, actorType: 'system', actorId: `workflow:${row.workflowId}`, action: 'roblox_link.undone', targetType: 'member', targetId: input.userId, data: { robloxId: row.robloxId.toString(), restored: count } },
        });
        return { undone: true, restored: restore.map((r) => r.userId) };
      });
    },

    /** Remembers the nickname given (and the one replaced) on this run's link, for /unverify. */
    async verifyRecordNickname(input: { guildId: string; userId: string; runId: string; nicknameSet: string; nicknameBefore: string | null }): Promise<void> {
      await prisma.robloxLink.updateMany({
        where: { guildId: input.guildId, userId: input.userId, runId: input.runId },
        data: { nicknameSet: input.nicknameSet, nicknameBefore: input.nicknameBefore },
      });
    },

    /** The member's link now. */
    async verifyGetLink(input: { guildId: string; userId: string }): Promise<LinkSnapshot | null> {
      const row = await prisma.robloxLink.findUnique({ where: { guildId_userId: { guildId: input.guildId, userId: input.userId } } });
      return row ? linkSnapshot(row) : null;
    },

    /** Unverify's last step: deletes the link it read (by run id: a newer link is left alone). Audited. */
    async verifyDeleteLink(input: { guildId: string; userId: string; runId: string; actorId: string }): Promise<{ deleted: boolean }> {
      return prisma.$transaction(async (tx) => {
        const { count } = await tx.robloxLink.deleteMany({ where: { guildId: input.guildId, userId: input.userId, runId: input.runId } });
        if (count) {
          await tx.auditEvent.create({
            data: { guildId: input.guildId, actorType: input.actorId.startsWith('discord:') ? 'user' : 'api_token', actorId: input.actorId, action: 'roblox_link.removed', targetType: 'member', targetId: input.userId, data: { runId: input.runId } },
          });
        }
        return { deleted: count > 0 };
      });
    },

    /** Tells the member where the verification stands (edits the interaction's message, else a DM). */
    async verifyNotifyMember(input: { userId: string; reply: InteractionReply | null; view: VerifyView }): Promise<{ via: string }> {
      return discord.discordNotifyMember({ userId: input.userId, reply: input.reply, message: renderVerifyView(input.view) });
    },

    /** A notice in the guild's admin log channel. */
    async verifyNotifyAdmins(input: { guildId: string; title: string; detail: string; flowId: string; outcome: 'error' | 'info' | 'warning' }): Promise<{ posted: boolean }> {
      const r = await discord.discordPostAdminLog({ guildId: input.guildId, message: renderAdminNotice(input) });
      return { posted: r.posted };
    },
  });
}
