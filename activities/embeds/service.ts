import { z } from 'zod';
import { AppError, ForbiddenError, NotFoundError, ValidationError } from '../../lib/errors';
import type { EmbedDraft, PrismaClient, SavedEmbed } from '../../prisma/client';
import { colourSchema } from '../../lib/requests/colour';
import type { AuditActor } from '../shop/items';

/**
 * Saved embeds (/embed, /api/guilds/:g/embeds): reusable by name, checked against Discord's embed limits
 * before anything is stored, every write audited. Sending one makes it an announcement
 * (activities/announcements), so the post is durable (its flows) and the same as /announce's.
 * The bot's create/edit forms are stored as drafts until their author saves them from the preview.
 */

/** Discord's limits on one embed. */
const TOTAL_MAX = 6000;
const DRAFT_TTL_MS = 86_400_000;

const optionalText = (max: number, what: string) =>
  z
    .string()
    .trim()
    .max(max, `${what} has at most ${max} characters.`)
    .nullable()
    .transform((v) => (v ? v : null));

const fields = {
  name: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'A name is 1–32 lowercase letters, digits, - or _ (such as rules or event-night).'),
  title: z.string().trim().min(1, 'A title is needed.').max(256, 'A title has at most 256 characters.'),
  description: z.string().trim().min(1, 'A description is needed.').max(4096, 'A description has at most 4096 characters.'),
  colour: colourSchema,
  imageUrl: z
    .string()
    .trim()
    .nullable()
    .transform((v) => (v ? v : null))
    .pipe(z.url({ protocol: /^https?$/, error: 'The image must be an http(s):// URL.' }).max(2000).nullable()),
  footer: optionalText(2048, 'A footer'),
};

export const embedCreateSchema = z.object(fields).partial().required({ name: true, title: true, description: true }).strict();
export const embedPatchSchema = z.object(fields).omit({ name: true }).partial().strict();
export type EmbedCreate = z.input<typeof embedCreateSchema>;
export type EmbedPatch = z.input<typeof embedPatchSchema>;
type EmbedContent = Pick<SavedEmbed, 'title' | 'description' | 'footer'>;

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new ValidationError(parsed.error.issues.map((i) => `${i.path.join('.') || 'embed'}: ${i.message}`).join('; '));
  return parsed.data;
}

/** Title, description and footer together stay within Discord's 6000 characters. */
function checkTotal(e: EmbedContent): void {
  const total = (e.title ?? '').length + (e.description ?? '').length + (e.footer ?? '').length;
  if (total > TOTAL_MAX) throw new ValidationError(`embed: title, description and footer have ${total} characters together; Discord allows at most ${TOTAL_MAX}.`);
}

export const embedName = (raw: string): string => parse(fields.name, raw);

const nameTaken = (name: string) => new AppError('conflict', `There is already an embed named ${name}: edit it, or choose another name.`, 409);

export function embedToJson(e: SavedEmbed) {
  return { name: e.name, title: e.title, description: e.description, colour: e.colour, imageUrl: e.imageUrl, footer: e.footer, createdBy: e.createdBy, createdAt: e.createdAt, updatedAt: e.updatedAt };
}

export async function getEmbed(prisma: PrismaClient, guildId: string, name: string): Promise<SavedEmbed> {
  const e = await prisma.savedEmbed.findUnique({ where: { guildId_name: { guildId, name: embedName(name) } } });
  if (!e) throw new NotFoundError(`There is no saved embed named ${name} in this server (see /embed list).`);
  return e;
}

const isUniqueViolation = (err: unknown) => (err as { code?: string }).code === 'P2002';

/** A new embed's name and content, checked field by field and against the total limit. */
function checkedNew(input: EmbedCreate) {
  const data = parse(embedCreateSchema, input);
  const row = { title: data.title, description: data.description, colour: data.colour ?? null, imageUrl: data.imageUrl ?? null, footer: data.footer ?? null };
  checkTotal(row);
  return { data, row };
}

export async function createEmbed(prisma: PrismaClient, guildId: string, input: EmbedCreate, actor: AuditActor): Promise<SavedEmbed> {
  const { data, row } = checkedNew(input);
  try {
    return await prisma.$transaction(async (tx) => {
      const e = await tx.savedEmbed.create({ data: { guildId, name: data.name, ...row, createdBy: actor.actorId } });
      await tx.auditEvent.create({ data: { guildId, ...actor, action: 'embed.created', targetType: 'embed', targetId: e.name, data: { ...row } } });
      return e;
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(data.name);
    throw err;
  }
}

export async function editEmbed(prisma: PrismaClient, guildId: string, name: string, patch: EmbedPatch, actor: AuditActor): Promise<SavedEmbed> {
  const data = parse(embedPatchSchema, patch);
  if (Object.keys(data).length === 0) throw new ValidationError('Nothing to change: give at least one field.');
  const current = await getEmbed(prisma, guildId, name);
  checkTotal({ title: data.title ?? current.title, description: data.description ?? current.description, footer: data.footer !== undefined ? data.footer : current.footer });
  return prisma.$transaction(async (tx) => {
    const e = await tx.savedEmbed.update({ where: { id: current.id }, data });
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'embed.updated', targetType: 'embed', targetId: e.name, data } });
    return e;
  });
}

export async function deleteEmbed(prisma: PrismaClient, guildId: string, name: string, actor: AuditActor): Promise<SavedEmbed> {
  const current = await getEmbed(prisma, guildId, name);
  return prisma.$transaction(async (tx) => {
    const gone = await tx.savedEmbed.deleteMany({ where: { id: current.id } });
    if (gone.count === 0) throw new NotFoundError(`There is no saved embed named ${current.name} in this server.`);
    await tx.auditEvent.create({ data: { guildId, ...actor, action: 'embed.deleted', targetType: 'embed', targetId: current.name, data: { title: current.title } } });
    return current;
  });
}

/** A form's content, checked as a save would check it, kept until its author saves it from the preview. */
export async function draftEmbed(prisma: PrismaClient, guildId: string, id: string, input: EmbedCreate, createdBy: string): Promise<EmbedDraft> {
  const { data, row } = checkedNew(input);
  // Forms nobody saved or cancelled go after a day (an ephemeral preview is gone long before).
  await prisma.embedDraft.deleteMany({ where: { guildId, createdAt: { lt: new Date(Date.now() - DRAFT_TTL_MS) } } });
  return prisma.embedDraft.create({ data: { id, guildId, name: data.name, ...row, createdBy } });
}

/**
 * Saves a draft: only in its guild, only by its author; it is consumed in the same transaction, so a
 * second click finds nothing and changes nothing. Creates the embed, or overwrites the one of that name.
 */
export async function saveDraft(prisma: PrismaClient, guildId: string, draftId: string, actor: AuditActor): Promise<{ embed: SavedEmbed; created: boolean } | null> {
  const draft = await prisma.embedDraft.findUnique({ where: { id: draftId } });
  if (!draft) return null;
  if (draft.guildId !== guildId || draft.createdBy !== actor.actorId) throw new ForbiddenError('Only the admin who wrote this embed can save it.');
  const content = { title: draft.title, description: draft.description, colour: draft.colour, imageUrl: draft.imageUrl, footer: draft.footer };
  return prisma.$transaction(async (tx) => {
    const taken = await tx.embedDraft.deleteMany({ where: { id: draftId } });
    if (taken.count === 0) return null;
    const existing = await tx.savedEmbed.findUnique({ where: { guildId_name: { guildId, name: draft.name } } });
    const embed = existing
      ? await tx.savedEmbed.update({ where: { id: existing.id }, data: content })
      : await tx.savedEmbed.create({ data: { guildId, name: draft.name, ...content, createdBy: actor.actorId } });
    await tx.auditEvent.create({ data: { guildId, ...actor, action: existing ? 'embed.updated' : 'embed.created', targetType: 'embed', targetId: embed.name, data: content } });
    return { embed, created: !existing };
  });
}

/** Drops a draft (its author's Cancel). */
export async function dropDraft(prisma: PrismaClient, guildId: string, draftId: string, actorId: string): Promise<void> {
  const draft = await prisma.embedDraft.findUnique({ where: { id: draftId } });
  if (!draft) return;
  if (draft.guildId !== guildId || draft.createdBy !== actorId) throw new ForbiddenError('Only the admin who wrote this embed can cancel it.');
  await prisma.embedDraft.deleteMany({ where: { id: draftId } });
}
