import { MessageFlags, TextInputStyle, ComponentType, type BaseMessageOptions, type ChatInputCommandInteraction } from 'discord.js';
import type { APIModalInteractionResponseCallbackData } from 'discord-api-types/v10';
import {
  cancelClaims,
  requestTaskMessageSync,
  sendAbandon,
  sendProof,
} from '../../../lib/flows/tasks.client';
import {
  deleteTask,
  editTask,
  findTask,
  getTaskSettings,
  listTasks,
  slotsLine,
  relative,
  formatSeconds,
  taskStats,
  updateTaskSettings,
  TASK_ACTIONS,
  type TaskSettingsPatch,
} from '../../../activities/tasks';
import type { TaskPatch } from '../../../lib/requests/tasks';
import { assetLabel } from '../../../activities/shop/messages';
import { formatAmount } from '../../../lib/discord/amounts';
import { customId } from '../../../lib/discord/custom-id';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError } from '../../../lib/errors';
import { atLeast } from '../../../lib/permissions';
import type { PrismaClient } from '../../../prisma/client';
import type { BotDeps } from '../../deps';
import { interactionLevel } from '../../permissions';
import type { Command } from '../../command';
import { taskAdminData, taskData, tasksData } from './definitions';
import { ephemeral, note, parseHoursOrDuration, TASK_PAGE_SIZE } from './shared';
import { buttonRow, guildIdOf } from '../../interaction';
import { requireInInteractionGuild } from '../../scope';

const b36 = (n: number | bigint | string | null | undefined): string => (n === null || n === undefined || n === '' ? '' : BigInt(n).toString(36));

/** The create modal's custom id key: the structured options, compact (name, description and category are typed in the modal). */
function encodeDraft(d: { reward: number; seconds: number; maxClaims: number | null; proof: string; roleId: string | null; openForSeconds: number | null; assign: string | null; asset: string }): string {
  return [b36(d.reward), b36(d.seconds), b36(d.maxClaims), d.proof[0], b36(d.roleId), b36(d.openForSeconds), b36(d.assign), d.asset === 'gems' ? 'g' : 'c'].join('.');
}
export function decodeDraft(key: string) {
  const parts = key.split('.');
  if (parts.length !== 8 || parts.some((p) => !/^[0-9a-z]*$/.test(p))) throw new AppError('invalid_component', 'This is not a task form.');
  const n = (p: string): bigint | null => (p === '' ? null : parseBase36(p));
  const [reward, seconds, max, proof, role, openFor, assign, asset] = parts as [string, string, string, string, string, string, string, string];
  return {
    reward: n(reward) ?? 0n,
    claimDurationSeconds: Number(n(seconds) ?? 86_400n),
    maxClaims: max ? Number(n(max)) : null,
    proofType: ({ t: 'text', i: 'image', l: 'link' } as Record<string, 'text' | 'image' | 'link'>)[proof] ?? 'text',
    roleId: role ? String(n(role)) : null,
    expiresAt: openFor ? new Date(Date.now() + Number(n(openFor)) * 1000) : null,
    assignedUserIds: assign ? [String(n(assign))] : [],
    assetCode: asset === 'g' ? 'gems' : 'currency',
  };
}
function parseBase36(s: string): bigint {
  let v = 0n;
  for (const ch of s) v = v * 36n + BigInt(parseInt(ch, 36));
  return v;
}

/** One page of the open tasks (optionally one category), with Previous/Next carrying page and category. */
export async function tasksPage(prisma: PrismaClient, guildId: string, requested: number, category: string | null): Promise<Pick<BaseMessageOptions, 'embeds' | 'components' | 'allowedMentions'>> {
  let page = Math.max(0, requested);
  let { items, total } = await listTasks(prisma, guildId, { category, offset: page * TASK_PAGE_SIZE, limit: TASK_PAGE_SIZE });
  const pages = Math.max(1, Math.ceil(total / TASK_PAGE_SIZE));
  if (page >= pages) {
    page = pages - 1;
    ({ items, total } = await listTasks(prisma, guildId, { category, offset: page * TASK_PAGE_SIZE, limit: TASK_PAGE_SIZE }));
  }
  const lines: string[] = [];
  for (const t of items) {
    const asset = await assetLabel(prisma, guildId, t.assetCode);
    lines.push(
      `**#${t.id} ${t.name}** — ${formatAmount(asset, t.reward)}${t.roleId ? ` + <@&${t.roleId}>` : ''} · ${slotsLine(t)} · ${formatSeconds(t.claimDurationSeconds)} to finish${t.category ? ` · ${t.category}` : ''}${t.expiresAt ? ` · open until ${relative(t.expiresAt)}` : ''}`,
    );
  }
  const key = (p: number) => `${p}.${(category ?? '').slice(0, 50)}`;
  return {
    allowedMentions: { parse: [] },
    embeds: [
      guildflowEmbed({
        outcome: 'info',
        title: category ? `Tasks · ${category}` : 'Tasks',
        description: total === 0 ? 'No open tasks right now.' : `${lines.join('\n')}\n\nClaim with the button on a task’s post · Page ${page + 1} of ${pages} · ${total} tasks`,
      }),
    ],
    components: [
      buttonRow([
        { action: TASK_ACTIONS.listPage, key: key(Math.max(0, page - 1)), label: 'Previous', disabled: page === 0 },
        { action: TASK_ACTIONS.listPage, key: key(page + 1), label: 'Next', disabled: page + 1 >= pages },
      ]),
    ],
  };
}

export const tasksCommand: Command = {
  data: tasksData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    await interaction.reply({ flags: MessageFlags.Ephemeral, ...(await tasksPage(prisma, guildId, 0, interaction.options.getString('category'))) });
  },
};

function createModal(key: string, category: string | null): APIModalInteractionResponseCallbackData {
  const field = (id: string, label: string, style: TextInputStyle, required: boolean, max: number, value?: string) => ({
    type: ComponentType.ActionRow as const,
    components: [{ type: ComponentType.TextInput as const, custom_id: id, label, style, required, max_length: max, ...(value ? { value } : {}) }],
  });
  return {
    title: 'New task',
    custom_id: customId(TASK_ACTIONS.createModal, key),
    components: [
      field('name', 'Name', TextInputStyle.Short, true, 100),
      field('description', 'What to do, and what proof to send', TextInputStyle.Paragraph, false, 2000),
      field('category', 'Category (optional)', TextInputStyle.Short, false, 50, category ?? undefined),
    ],
  };
}

async function create(interaction: ChatInputCommandInteraction, { prisma }: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  const level = await interactionLevel(interaction, prisma);
  if (!atLeast(level, 'admin')) {
    const settings = await getTaskSettings(prisma, guildId);
    if (!settings.memberProposals) throw new AppError('forbidden', 'Only admins create tasks in this server (member proposals are off).', 403);
  }
  const o = interaction.options;
  const reward = o.getInteger('reward', true);
  if (reward < 0) throw new AppError('invalid_input', 'The reward cannot be negative.');
  const time = o.getString('time');
  const openFor = o.getString('open_for');
  const maxClaims = o.getInteger('max_claims');
  if (maxClaims !== null && maxClaims < 1) throw new AppError('invalid_input', 'Max claims is at least 1 (leave it out for unlimited).');
  const key = encodeDraft({
    reward,
    seconds: time ? parseHoursOrDuration(time, 'time') : 86_400,
    maxClaims,
    proof: o.getString('proof') ?? 'text',
    roleId: o.getRole('role')?.id ?? null,
    openForSeconds: openFor ? parseHoursOrDuration(openFor, 'open_for') : null,
    assign: o.getUser('assign')?.id ?? null,
    asset: o.getString('asset') ?? 'currency',
  });
  await interaction.showModal(createModal(key, null));
}

async function submit(interaction: ChatInputCommandInteraction, { prisma, temporal }: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  const task = await findTask(prisma, guildId, interaction.options.getString('task', true));
  const text = interaction.options.getString('proof');
  const attachment = interaction.options.getAttachment('attachment');
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const result = await sendProof(temporal, task.id, { userId: interaction.user.id, text, urls: attachment ? [attachment.url] : [] });
  await interaction.editReply({ embeds: [note(result.ok ? 'pending' : 'error', result.ok ? `Proof sent: ${task.name}` : 'Not sent', result.message)] });
}

async function mine(interaction: ChatInputCommandInteraction, { prisma }: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  const claims = await prisma.taskClaim.findMany({
    where: { guildId, userId: interaction.user.id },
    include: { task: true },
    orderBy: { createdAt: 'desc' },
    take: 15,
  });
  const open = claims.filter((c) => c.status === 'claimed' || c.status === 'submitted');
  const done = claims.filter((c) => !(c.status === 'claimed' || c.status === 'submitted')).slice(0, 5);
  const line = (c: (typeof claims)[number]) =>
    `**#${c.taskId} ${c.task.name}** — ${c.status}${c.status === 'claimed' ? ` · proof due ${relative(c.deadlineAt)}${c.rejectReason ? ` · last proof rejected: ${c.rejectReason}` : ''}` : ''}${c.status === 'submitted' ? ' · with the reviewers' : ''}`;
  const settings = await getTaskSettings(prisma, guildId);
  await interaction.reply(
    ephemeral(
      note(
        'info',
        'Your tasks',
        [
          `**Open (${open.length} of ${settings.maxActivePerUser}):**`,
          ...(open.length ? open.map(line) : ['none — see /tasks']),
          ...(done.length ? ['', '**Recent:**', ...done.map(line)] : []),
        ].join('\n'),
      ),
    ),
  );
}

async function abandon(interaction: ChatInputCommandInteraction, { prisma, temporal }: BotDeps): Promise<void> {
  const guildId = guildIdOf(interaction);
  const task = await findTask(prisma, guildId, interaction.options.getString('task', true));
  await interaction.deferReply({ flags: MessageFlags.Ephemeral });
  const result = await sendAbandon(temporal, task.id, interaction.user.id);
  await interaction.editReply({ embeds: [note(result.ok ? 'info' : 'error', result.ok ? `Abandoned: ${task.name}` : 'Not abandoned', result.message)] });
}

/** `/task create|submit|mine|abandon`. */
export const taskCommand: Command = {
  data: taskData,
  async handle(interaction, deps) {
    const sub = interaction.options.getSubcommand();
    if (sub === 'create') await create(interaction, deps);
    else if (sub === 'submit') await submit(interaction, deps);
    else if (sub === 'mine') await mine(interaction, deps);
    else await abandon(interaction, deps);
  },
};

function patchFrom(interaction: ChatInputCommandInteraction): TaskPatch {
  const o = interaction.options;
  const patch: TaskPatch = {};
  const name = o.getString('name');
  if (name !== null) patch.name = name;
  const description = o.getString('description');
  if (description !== null) patch.description = description;
  const reward = o.getInteger('reward');
  if (reward !== null) patch.reward = BigInt(reward);
  const category = o.getString('category');
  if (category !== null) patch.category = category.trim() || null;
  const time = o.getString('time');
  if (time !== null) patch.claimDurationSeconds = parseHoursOrDuration(time, 'time');
  const max = o.getInteger('max_claims');
  if (max !== null) patch.maxClaims = max === 0 ? null : max;
  const proof = o.getString('proof');
  if (proof !== null) patch.proofType = proof as TaskPatch['proofType'];
  const role = o.getRole('role');
  if (role) patch.roleId = role.id;
  if (o.getBoolean('remove_role')) patch.roleId = null;
  const open = o.getBoolean('open');
  if (open !== null) patch.status = open ? 'active' : 'closed';
  return patch;
}

/** `/task-admin edit|delete|settings|stats`: admins manage tasks; every change audited. */
export const taskAdminCommand: Command = {
  level: 'admin',
  data: taskAdminData,
  async handle(interaction, { prisma, temporal, taskQueue }) {
    const guildId = guildIdOf(interaction);
    const actor = { actorType: 'user' as const, actorId: `discord:${interaction.user.id}` };
    const sub = interaction.options.getSubcommand();
    if (sub === 'edit') {
      const current = await findTask(prisma, guildId, interaction.options.getString('task', true));
      const patch = patchFrom(interaction);
      await requireInInteractionGuild(interaction, { roles: { role: patch.roleId } });
      const task = await editTask(prisma, guildId, current.id, patch, actor);
      await requestTaskMessageSync({ temporal, taskQueue }, guildId, task.id);
      await interaction.reply(ephemeral(note('success', `Updated #${task.id} ${task.name}`, `${slotsLine(task)} · ${task.status}`)));
    } else if (sub === 'delete') {
      const current = await findTask(prisma, guildId, interaction.options.getString('task', true));
      await interaction.deferReply({ flags: MessageFlags.Ephemeral });
      const { task, openClaimIds } = await deleteTask(prisma, guildId, current.id, actor);
      const cancelled = await cancelClaims(temporal, openClaimIds, 'The task was removed.');
      await requestTaskMessageSync({ temporal, taskQueue }, guildId, task.id);
      await interaction.editReply({ embeds: [note('success', `Removed #${task.id} ${task.name}`, `${cancelled} open claim(s) cancelled; their members are told.`)] });
    } else if (sub === 'settings') {
      const o = interaction.options;
      const patch: TaskSettingsPatch = {};
      const tc = o.getChannel('task_channel');
      if (tc) patch.taskChannelId = tc.id;
      const rc = o.getChannel('review_channel');
      if (rc) patch.reviewChannelId = rc.id;
      const max = o.getInteger('max_active');
      if (max !== null) patch.maxActivePerUser = max;
      const proposals = o.getBoolean('proposals');
      if (proposals !== null) patch.memberProposals = proposals;
      const auto = o.getBoolean('auto_expire');
      if (auto !== null) patch.autoExpire = auto;
      const reviewers = o.getString('reviewers');
      if (reviewers !== null) patch.reviewerLevel = reviewers as TaskSettingsPatch['reviewerLevel'];
      await requireInInteractionGuild(interaction, { channels: { task_channel: patch.taskChannelId, review_channel: patch.reviewChannelId } });
      const window = o.getString('revoke_window');
      if (window !== null) patch.revokeWindowSeconds = window.trim() === '0' ? 0 : parseHoursOrDuration(window, 'revoke_window');
      const s = Object.keys(patch).length ? await updateTaskSettings(prisma, guildId, patch, actor) : await getTaskSettings(prisma, guildId);
      await interaction.reply(
        ephemeral(
          note(
            'info',
            Object.keys(patch).length ? 'Task settings updated' : 'Task settings',
            [
              `Task channel: ${s.taskChannelId ? `<#${s.taskChannelId}>` : 'not set'}`,
              `Review channel: ${s.reviewChannelId ? `<#${s.reviewChannelId}>` : 'not set'}`,
              `Open tasks per member: ${s.maxActivePerUser}`,
              `Member proposals: ${s.memberProposals ? 'on' : 'off'}`,
              `Auto-expire: ${s.autoExpire ? 'on' : 'off'}`,
              `Reviewers: ${s.reviewerLevel} and above`,
              `Revoke window: ${s.revokeWindowSeconds ? formatSeconds(s.revokeWindowSeconds) : 'none'}`,
            ].join('\n'),
          ),
        ),
      );
    } else {
      const ref = interaction.options.getString('task');
      const task = ref ? await findTask(prisma, guildId, ref) : null;
      const stats = await taskStats(prisma, guildId, task?.id);
      const paid: string[] = [];
      for (const p of stats.paid) {
        const asset = await assetLabel(prisma, guildId, p.assetCode);
        paid.push(`${formatAmount(asset, BigInt(p.net))} net (${formatAmount(asset, BigInt(p.paid))} paid, ${formatAmount(asset, BigInt(p.reversed))} revoked)`);
      }
      const c = stats.claims;
      await interaction.reply(
        ephemeral(
          note(
            'info',
            task ? `Stats · #${task.id} ${task.name}` : 'Task stats',
            [
              `Tasks: ${stats.tasks.active} open of ${stats.tasks.total}`,
              `Completed: ${c.completed} · Expired: ${c.expired} · Open: ${c.claimed + c.submitted} (${c.submitted} waiting for review)`,
              `Abandoned: ${c.abandoned} · Cancelled: ${c.cancelled} · Revoked: ${c.revoked}`,
              `Paid: ${paid.length ? paid.join('; ') : 'nothing yet'}`,
            ].join('\n'),
          ),
        ),
      );
    }
  },
};
