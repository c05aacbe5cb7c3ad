import { ComponentType, MessageFlags, TextInputStyle } from 'discord.js';
import type { APIModalInteractionResponseCallbackData } from 'discord-api-types/v10';
import { createTask, parseClaimKey, TASK_ACTIONS, getTaskSettings } from '../../../activities/tasks';
import { requestTaskMessageSync, sendDecision, sendProof, sendRevoke, startClaim } from '../../../lib/flows/tasks.client';
import { customId } from '../../../lib/discord/custom-id';
import { AppError } from '../../../lib/errors';
import { atLeast } from '../../../lib/permissions';
import { interactionLevel } from '../../permissions';
import type { PrismaClient } from '../../../prisma/client';
import type { ComponentHandler, ComponentInteraction } from '../../command';
import { decodeDraft, tasksPage } from './commands';
import { ephemeral, note, requireReviewer } from './shared';
import { guildIdOf } from '../../interaction';
import { requireInInteractionGuild } from '../../scope';

/**
 * The task buttons and forms. Ids carry what they act on (`gf:task-claim:{taskId}`,
 * `gf:task-accept:{taskId}.{userId}`), the state lives in the claim's workflow: they keep working after a
 * restart. Everything that changes a claim is a workflow update, validated again by the workflow.
 */

function reasonModal(action: string, key: string, title: string, label: string): APIModalInteractionResponseCallbackData {
  return {
    title,
    custom_id: customId(action, key),
    components: [{ type: ComponentType.ActionRow, components: [{ type: ComponentType.TextInput, custom_id: 'reason', label, style: TextInputStyle.Paragraph, required: true, max_length: 1000 }] }],
  };
}

function taskIdOf(key: string): number {
  if (!/^\d{1,9}$/.test(key)) throw new AppError('invalid_component', 'This is not a task button.');
  return Number(key);
}
function claimOf(key: string) {
  const parsed = parseClaimKey(key);
  if (!parsed) throw new AppError('invalid_component', 'This is not a task review button.');
  return parsed;
}
/**
 * The claim a review button or form names, refused unless its task is in the server it was clicked in: a
 * custom id is not proof of scope, and the reviewer's level was checked in this server only.
 */
async function claimHere(interaction: ComponentInteraction, prisma: PrismaClient, key: string) {
  const claim = claimOf(key);
  const task = await prisma.task.findUnique({ where: { id: claim.taskId }, select: { guildId: true } });
  if (!task || task.guildId !== guildIdOf(interaction)) throw new AppError('not_found', 'This button is not for a task of this server: nothing was changed.', 404);
  return claim;
}
const modalOnly = (interaction: ComponentInteraction) => {
  if (!interaction.isModalSubmit()) throw new AppError('invalid_component', 'This is not a task form.');
  return interaction;
};

/** Claim: acknowledged at once; the claim's workflow takes the slot (or says why not) and edits the reply. */
export const claimButton: ComponentHandler = {
  action: TASK_ACTIONS.claim,
  async handle(interaction, key, { temporal, taskQueue, log }) {
    const taskId = taskIdOf(key);
    const guildId = guildIdOf(interaction);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const { workflowId, started } = await startClaim({ temporal, taskQueue }, {
      guildId,
      taskId,
      userId: interaction.user.id,
      username: interaction.user.username,
      reply: { applicationId: interaction.applicationId, interactionToken: interaction.token },
    });
    if (!started) {
      await interaction.editReply({ embeds: [note('info', 'Already claimed', 'You already have this task: see /task mine.')] });
      return;
    }
    log.info({ workflowId }, 'task claim started');
  },
};

/** Submit proof: a form (in the server or from the DM). */
export const proofButton: ComponentHandler = {
  action: TASK_ACTIONS.proof,
  async handle(interaction, key) {
    const taskId = taskIdOf(key);
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not a task button.');
    await interaction.showModal({
      title: 'Submit proof',
      custom_id: customId(TASK_ACTIONS.proofModal, String(taskId)),
      components: [
        {
          type: ComponentType.ActionRow,
          components: [{ type: ComponentType.TextInput, custom_id: 'proof', label: 'What you did (text, links to screenshots)', style: TextInputStyle.Paragraph, required: true, max_length: 2000 }],
        },
      ],
    });
  },
};

export const proofModal: ComponentHandler = {
  action: TASK_ACTIONS.proofModal,
  async handle(interaction, key, { temporal }) {
    const taskId = taskIdOf(key);
    const modal = modalOnly(interaction);
    const text = modal.fields.getTextInputValue('proof');
    await modal.deferReply({ flags: MessageFlags.Ephemeral });
    const result = await sendProof(temporal, taskId, { userId: modal.user.id, text, urls: [] });
    await modal.editReply({ embeds: [note(result.ok ? 'pending' : 'error', result.ok ? 'Proof sent' : 'Not sent', result.message)] });
  },
};

/** Accept: the reviewer's level (or grant) is checked here and by the workflow's validator; one decision wins. */
export const acceptButton: ComponentHandler = {
  action: TASK_ACTIONS.accept,
  async handle(interaction, key, { prisma, temporal }) {
    const { taskId, userId } = await claimHere(interaction, prisma, key);
    const reviewer = await requireReviewer(interaction, prisma);
    await interaction.deferReply({ flags: MessageFlags.Ephemeral });
    const result = await sendDecision(temporal, taskId, userId, { guildId: guildIdOf(interaction), decision: 'accept', reviewerId: interaction.user.id, reviewerLevel: reviewer.level, reviewerGrants: reviewer.grants });
    await interaction.editReply({ embeds: [note(result.ok ? 'success' : 'warning', result.ok ? 'Accepted' : 'Not accepted', result.message)] });
  },
};

export const rejectButton: ComponentHandler = {
  action: TASK_ACTIONS.reject,
  async handle(interaction, key, { prisma }) {
    await claimHere(interaction, prisma, key);
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not a task button.');
    await requireReviewer(interaction, prisma);
    await interaction.showModal(reasonModal(TASK_ACTIONS.rejectModal, key, 'Reject proof', 'Why (the member reads this)'));
  },
};

export const rejectModal: ComponentHandler = {
  action: TASK_ACTIONS.rejectModal,
  async handle(interaction, key, { prisma, temporal }) {
    const modal = modalOnly(interaction);
    const { taskId, userId } = await claimHere(modal, prisma, key);
    const reviewer = await requireReviewer(modal, prisma);
    await modal.deferReply({ flags: MessageFlags.Ephemeral });
    const result = await sendDecision(temporal, taskId, userId, { guildId: guildIdOf(modal), decision: 'reject', reviewerId: modal.user.id, reviewerLevel: reviewer.level, reviewerGrants: reviewer.grants, reason: modal.fields.getTextInputValue('reason') });
    await modal.editReply({ embeds: [note(result.ok ? 'info' : 'warning', result.ok ? 'Rejected' : 'Not rejected', result.message)] });
  },
};

export const revokeButton: ComponentHandler = {
  action: TASK_ACTIONS.revoke,
  async handle(interaction, key, { prisma }) {
    await claimHere(interaction, prisma, key);
    if (!interaction.isButton()) throw new AppError('invalid_component', 'This is not a task button.');
    await requireReviewer(interaction, prisma);
    await interaction.showModal(reasonModal(TASK_ACTIONS.revokeModal, key, 'Revoke award', 'Why (the member reads this)'));
  },
};

export const revokeModal: ComponentHandler = {
  action: TASK_ACTIONS.revokeModal,
  async handle(interaction, key, { prisma, temporal }) {
    const modal = modalOnly(interaction);
    const { taskId, userId } = await claimHere(modal, prisma, key);
    const reviewer = await requireReviewer(modal, prisma);
    await modal.deferReply({ flags: MessageFlags.Ephemeral });
    const result = await sendRevoke(temporal, taskId, userId, { guildId: guildIdOf(modal), reviewerId: modal.user.id, reviewerLevel: reviewer.level, reviewerGrants: reviewer.grants, reason: modal.fields.getTextInputValue('reason') });
    await modal.editReply({ embeds: [note(result.ok ? 'success' : 'warning', result.ok ? 'Revoked' : 'Not revoked', result.message)] });
  },
};

/** The /task create form: creates the task (a proposal for members) and posts its message. */
export const createModalHandler: ComponentHandler = {
  action: TASK_ACTIONS.createModal,
  async handle(interaction, key, { prisma, temporal, taskQueue }) {
    const modal = modalOnly(interaction);
    const guildId = guildIdOf(modal);
    const draft = decodeDraft(key);
    await requireInInteractionGuild(modal, { roles: { role: draft.roleId } });
    const level = await interactionLevel(modal, prisma);
    const admin = atLeast(level, 'admin');
    if (!admin && !(await getTaskSettings(prisma, guildId)).memberProposals) throw new AppError('forbidden', 'Only admins create tasks in this server (member proposals are off).', 403);
    const task = await createTask(
      prisma,
      guildId,
      { ...draft, name: modal.fields.getTextInputValue('name'), description: modal.fields.getTextInputValue('description') ?? '', category: modal.fields.getTextInputValue('category')?.trim() || null },
      { actorType: 'user', actorId: `discord:${modal.user.id}`, createdBy: modal.user.id },
      { proposed: !admin },
    );
    if (admin) await requestTaskMessageSync({ temporal, taskQueue }, guildId, task.id);
    await modal.reply(
      ephemeral(
        admin
          ? note('success', `Created #${task.id} ${task.name}`, 'Its post with the Claim button goes to the task channel.')
          : note('pending', `Proposed #${task.id} ${task.name}`, 'An admin opens it with /task-admin edit open:true.'),
      ),
    );
  },
};

export const listPageButtons: ComponentHandler = {
  action: TASK_ACTIONS.listPage,
  async handle(interaction, key, { prisma }) {
    const m = /^(\d{1,6})\.(.{0,50})$/s.exec(key);
    if (!interaction.isButton() || !m) throw new AppError('invalid_component', 'This is not a task list button.');
    await interaction.update(await tasksPage(prisma, guildIdOf(interaction), Number(m[1]), m[2] || null));
  },
};
