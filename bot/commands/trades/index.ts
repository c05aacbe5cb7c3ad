import { WorkflowUpdateFailedError, WorkflowNotFoundError } from '@temporalio/client';
import {
  ApplicationCommandOptionType,
  ButtonStyle,
  ComponentType,
  MessageFlags,
  PermissionFlagsBits,
  type APIEmbed,
  type ChatInputCommandInteraction,
  type RESTPostAPIChatInputApplicationCommandsJSONBody,
} from 'discord.js';
import { randomUUID } from 'node:crypto';
import { createLedger, userAccount } from '../../../activities/ledger';
import { assetLabel } from '../../../activities/shop/messages';
import {
  ESCROW_OWNER,
  isVariant,
  linkByUserId,
  listPets,
  movePets,
  PET_RARITIES,
  PET_VARIANTS,
  petLabel,
  registerGame,
  tradeSettings,
  upsertSpecies,
  VARIANT_MULTIPLIER,
  type PetLine,
  type PetRarity,
} from '../../../activities/trades';
import { formatAmount } from '../../../lib/discord/amounts';
import { customId } from '../../../lib/discord/custom-id';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError, ValidationError } from '../../../lib/errors';
import { DiscordUserId, FlowKind, GuildId } from '../../../lib/search-attributes';
import type { PrismaClient } from '../../../prisma/client';
import { cancelWithdrawalUpdate, withdrawWorkflowId, type withdraw } from '../../../workflows/withdraw';
import type { Command, ComponentHandler } from '../../command';
import { guildIdOf } from '../../interaction';

/**
 * Roblox trades in Discord (issue 9): /withdraw (select menu → the withdraw workflow, Cancel button),
 * /tip, /history, and the admins' /trades (view, release, adjust, pet value, register a game). The pets and
 * gems part of /inventory is `tradeInventoryEmbed`, added to the shop's /inventory.
 */

const ephemeral = (embed: APIEmbed, extra: object = {}) => ({ flags: MessageFlags.Ephemeral as const, allowedMentions: { parse: [] }, embeds: [embed], ...extra });
const replyOf = (i: { applicationId: string; token: string }) => ({ applicationId: i.applicationId, interactionToken: i.token });

function wholeNumber(v: number | null, what: string, min = 0): bigint {
  if (v === null) return 0n;
  if (!Number.isSafeInteger(v) || v < min) throw new ValidationError(`${what} must be a whole number ≥ ${min}.`);
  return BigInt(v);
}

export const PETS_PAGE_SIZE = 20;

/** Previous/next buttons for the pets pages of /inventory (none when everything fits on one page). */
export async function petPageButtons(prisma: PrismaClient, guildId: string, userId: string, page = 0) {
  const stacks = await prisma.petHolding.count({ where: { guildId, ownerId: userId, quantity: { gt: 0 } } });
  const pages = Math.ceil(stacks / PETS_PAGE_SIZE);
  if (pages <= 1) return [];
  const button = (label: string, to: number, disabled: boolean) => ({ type: ComponentType.Button, style: ButtonStyle.Secondary, label, custom_id: customId('pets-page', `${userId}:${to}`), disabled });
  return [{ type: ComponentType.ActionRow, components: [button('◀ Previous pets', page - 1, page <= 0), button('Next pets ▶', page + 1, page >= pages - 1)] }];
}

/** The pets and gems of a member, for /inventory: most valuable stacks first (pages of 20) and the totals. */
export async function tradeInventoryEmbed(prisma: PrismaClient, guildId: string, userId: string, page = 0): Promise<APIEmbed> {
  const pets = await listPets(prisma, guildId, userId);
  const gems = await createLedger(prisma).balance(guildId, userAccount(userId), 'gems');
  const label = await assetLabel(prisma, guildId, 'gems');
  const count = pets.reduce((s, p) => s + p.quantity, 0);
  const value = pets.reduce((s, p) => s + p.unitValue * BigInt(p.quantity), 0n);
  const size = PETS_PAGE_SIZE;
  const shown = pets.slice(page * size, page * size + size);
  const lines = shown.map((p) => `**${p.quantity} ×** ${petLabel(p)} · ${p.rarity} · ${formatAmount(label, p.unitValue)} each`);
  return guildflowEmbed({
    outcome: 'info',
    title: 'Pets and gems',
    description: [
      `Gems: **${formatAmount(label, gems.balance)}**${gems.held > 0n ? ` (${formatAmount(label, gems.held)} held for a withdrawal)` : ''}`,
      `Pets: **${count}** worth **${formatAmount(label, value)}**`,
      '',
      ...(lines.length ? lines : ['No pets yet: deposit some in the Roblox game.']),
      ...(pets.length > size ? [`Page ${page + 1} of ${Math.ceil(pets.length / size)}`] : []),
    ].join('\n'),
  });
}

// ─── /withdraw ───────────────────────────────────────────────────────────────────────────────────────

async function startWithdrawal(interaction: { id: string; applicationId: string; token: string; user: { id: string; username: string } }, deps: Parameters<Command['handle']>[1], guildId: string, gems: bigint, pets: PetLine[]) {
  const withdrawalId = interaction.id;
  await deps.temporal.workflow.start<typeof withdraw>('withdraw', {
    taskQueue: deps.taskQueue,
    workflowId: withdrawWorkflowId(withdrawalId),
    workflowIdReusePolicy: 'REJECT_DUPLICATE',
    typedSearchAttributes: [
      { key: GuildId, value: guildId },
      { key: DiscordUserId, value: interaction.user.id },
      { key: FlowKind, value: 'withdraw' },
    ],
    staticSummary: `Withdrawal to Roblox by ${interaction.user.username} (${interaction.user.id}): ${gems} gems, ${pets.reduce((s, p) => s + p.quantity, 0)} pets`,
    args: [{ withdrawalId, guildId, userId: interaction.user.id, gems: String(gems), pets, reply: replyOf(interaction) }],
  });
  return withdrawalId;
}

const waitingEmbed = (id: string, gems: bigint, pets: number) =>
  guildflowEmbed({
    outcome: 'pending',
    title: 'Withdrawal started',
    description: `${gems} gems and ${pets} pets are held for you. Join the Roblox game: the server delivers them and this message shows the outcome. Cancel before the game takes it to get everything back.`,
    flowId: withdrawWorkflowId(id),
  });
const cancelRow = (id: string) => ({ type: ComponentType.ActionRow, components: [{ type: ComponentType.Button, style: ButtonStyle.Danger, label: 'Cancel withdrawal', custom_id: customId('withdraw-cancel', id) }] });

const withdrawData = {
  name: 'withdraw',
  description: 'Withdraw gems and pets into the Roblox game',
  options: [{ type: ApplicationCommandOptionType.Integer, name: 'gems', description: 'Gems to withdraw (default 0)', min_value: 0 }],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const withdrawCommand: Command = {
  data: withdrawData,
  async handle(interaction, deps) {
    const guildId = guildIdOf(interaction);
    const gems = wholeNumber(interaction.options.getInteger('gems'), 'Gems');
    if (!(await linkByUserId(deps.prisma, guildId, interaction.user.id))) throw new AppError('not_linked', 'Link your Roblox account with /verify before you withdraw.');
    const pets = (await listPets(deps.prisma, guildId, interaction.user.id)).slice(0, 25);
    if (pets.length === 0) {
      if (gems === 0n) throw new ValidationError('You have no pets to withdraw: give a number of gems.');
      const id = await startWithdrawal(interaction, deps, guildId, gems, []);
      await interaction.reply(ephemeral(waitingEmbed(id, gems, 0), { components: [cancelRow(id)] }));
      return;
    }
    await interaction.reply(
      ephemeral(guildflowEmbed({ outcome: 'info', title: 'Withdraw to Roblox', description: `Gems: **${gems}**. Choose the pet stacks to withdraw (each whole stack), or none for gems only.` }), {
        components: [
          {
            type: ComponentType.ActionRow,
            components: [
              {
                type: ComponentType.StringSelect,
                custom_id: customId('withdraw', String(gems)),
                placeholder: 'Pets to withdraw',
                min_values: gems > 0n ? 0 : 1,
                max_values: pets.length,
                options: pets.map((p) => ({ label: `${p.quantity} × ${petLabel({ ...p, emoji: null })}`.slice(0, 100), value: `${p.speciesId}:${p.variant}` })),
              },
            ],
          },
        ],
      }),
    );
  },
};

const withdrawPick: ComponentHandler = {
  action: 'withdraw',
  async handle(interaction, key, deps) {
    if (!interaction.isStringSelectMenu()) throw new AppError('bad_component', 'This is not a pet menu.');
    const guildId = guildIdOf(interaction);
    if (!/^[0-9]{1,15}$/.test(key)) throw new ValidationError('This menu is broken: run /withdraw again.');
    const gems = BigInt(key);
    const owned = await listPets(deps.prisma, guildId, interaction.user.id);
    const pets: PetLine[] = [];
    for (const v of interaction.values) {
      const [sid, variant] = v.split(':');
      const stack = owned.find((p) => String(p.speciesId) === sid && p.variant === variant);
      if (!stack || !isVariant(variant)) throw new ValidationError('You no longer have one of these pets: run /withdraw again.');
      pets.push({ speciesId: stack.speciesId, variant, quantity: stack.quantity });
    }
    if (gems === 0n && pets.length === 0) throw new ValidationError('Choose gems or pets to withdraw.');
    const id = await startWithdrawal(interaction, deps, guildId, gems, pets);
    await interaction.update({ embeds: [waitingEmbed(id, gems, pets.reduce((s, p) => s + p.quantity, 0))], components: [cancelRow(id) as never] });
  },
};

async function cancelWithdrawal(deps: { temporal: Parameters<Command['handle']>[1]['temporal'] }, id: string, by: string, force: boolean) {
  try {
    return await deps.temporal.workflow.getHandle(withdrawWorkflowId(id)).executeUpdate(cancelWithdrawalUpdate, { args: [{ by, force }] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) throw new AppError('withdrawal_closed', ((err.cause as Error | undefined)?.message ?? err.message).replace(/^[a-z_]+: /, ''), 409);
    if (err instanceof WorkflowNotFoundError) throw new AppError('not_found', 'No such withdrawal.', 404);
    throw err;
  }
}

const withdrawCancel: ComponentHandler = {
  action: 'withdraw-cancel',
  async handle(interaction, key, deps) {
    const guildId = guildIdOf(interaction);
    const w = await deps.prisma.withdrawal.findUnique({ where: { id: key } });
    if (!w || w.guildId !== guildId) throw new AppError('not_found', 'This withdrawal is not ready yet or no longer exists.', 404);
    if (w.userId !== interaction.user.id) throw new AppError('forbidden', 'Only the member who asked can cancel this withdrawal.', 403);
    await cancelWithdrawal(deps, key, interaction.user.id, false);
    await interaction.reply(ephemeral(guildflowEmbed({ outcome: 'warning', title: 'Withdrawal cancelled', description: 'Everything goes back to your inventory.', flowId: withdrawWorkflowId(key) })));
  },
};

// ─── /tip ────────────────────────────────────────────────────────────────────────────────────────────

const tipData = {
  name: 'tip',
  description: 'Give gems or a pet to another linked member',
  options: [
    { type: ApplicationCommandOptionType.User, name: 'user', description: 'Who gets it', required: true },
    { type: ApplicationCommandOptionType.Integer, name: 'gems', description: 'Gems to give', min_value: 1 },
    { type: ApplicationCommandOptionType.String, name: 'pet', description: 'Pet key (see /inventory)' },
    { type: ApplicationCommandOptionType.String, name: 'variant', description: 'Pet variant (default normal)', choices: PET_VARIANTS.map((v) => ({ name: v, value: v })) },
    { type: ApplicationCommandOptionType.Integer, name: 'quantity', description: 'How many pets (default 1)', min_value: 1 },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

const tipCommand: Command = {
  data: tipData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const to = interaction.options.getUser('user', true);
    if (to.id === interaction.user.id || to.bot) throw new ValidationError('Tip another member.');
    const gems = wholeNumber(interaction.options.getInteger('gems'), 'Gems');
    const petKey = interaction.options.getString('pet');
    if (gems === 0n && !petKey) throw new ValidationError('Give gems, a pet, or both.');
    if (!(await linkByUserId(prisma, guildId, interaction.user.id))) throw new AppError('not_linked', 'Link your Roblox account with /verify before you tip.');
    if (!(await linkByUserId(prisma, guildId, to.id))) throw new AppError('not_linked', `<@${to.id}> has no Roblox account linked.`);
    const key = `tip:${interaction.id}`;
    const parts: string[] = [];
    let species = null;
    const variant = interaction.options.getString('variant') ?? 'normal';
    const quantity = Number(wholeNumber(interaction.options.getInteger('quantity') ?? 1, 'Quantity', 1));
    if (petKey) {
      if (!isVariant(variant)) throw new ValidationError('Unknown variant.');
      species = await prisma.petSpecies.findUnique({ where: { guildId_key: { guildId, key: petKey } } });
      if (!species) throw new ValidationError(`There is no pet ${JSON.stringify(petKey)} here.`);
    }
    if (gems > 0n) {
      await createLedger(prisma).transfer({ guildId, key: `${key}:gems`, type: 'give', actor: { type: 'user', id: interaction.user.id }, asset: 'gems', from: userAccount(interaction.user.id), to: userAccount(to.id), amount: gems, reason: 'Tip' });
      parts.push(formatAmount(await assetLabel(prisma, guildId, 'gems'), gems));
    }
    if (species && isVariant(variant)) {
      try {
        await movePets(prisma, { guildId, key, type: 'tip', actor: { type: 'user', id: interaction.user.id }, reason: 'Tip', moves: [{ ownerId: interaction.user.id, speciesId: species.id, variant, delta: -quantity }, { ownerId: to.id, speciesId: species.id, variant, delta: quantity }] });
      } catch (err) {
        // The gems went; the pets could not: give the gems back so the tip is all or nothing.
        if (gems > 0n) await createLedger(prisma).transfer({ guildId, key: `${key}:gems:undo`, type: 'reversal', actor: { type: 'system', id: 'tip' }, asset: 'gems', from: userAccount(to.id), to: userAccount(interaction.user.id), amount: gems, reason: 'Tip undone: the pets could not move' });
        throw err;
      }
      parts.push(`${quantity} × ${petLabel({ name: species.name, emoji: species.emoji, variant })}`);
    }
    await interaction.reply({ allowedMentions: { users: [to.id] }, embeds: [guildflowEmbed({ outcome: 'success', title: 'Tip sent', description: `<@${interaction.user.id}> gave <@${to.id}> ${parts.join(' and ')}.` })] });
  },
};

// ─── /history ────────────────────────────────────────────────────────────────────────────────────────

const historyData = { name: 'history', description: 'Your recent Roblox deposits and withdrawals' } satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

async function historyLines(prisma: PrismaClient, guildId: string, where: { userId?: string }, take = 10): Promise<string[]> {
  const [deps, wds] = await Promise.all([
    prisma.gameDeposit.findMany({ where: { guildId, ...where }, orderBy: { createdAt: 'desc' }, take }),
    prisma.withdrawal.findMany({ where: { guildId, ...where }, orderBy: { createdAt: 'desc' }, take }),
  ]);
  const ts = (d: Date) => `<t:${Math.floor(d.getTime() / 1000)}:R>`;
  return [
    ...deps.map((d) => ({ at: d.createdAt, line: `${ts(d.createdAt)} deposit ${d.tradeId}: ${d.gems} gems, ${(d.pets as unknown[]).length} pet lines · **${d.status}**${d.reason ? ` (${d.reason})` : ''}${where.userId ? '' : d.userId ? ` <@${d.userId}>` : ''}` })),
    ...wds.map((w) => ({ at: w.createdAt, line: `${ts(w.createdAt)} withdrawal \`${w.id}\`: ${w.gems} gems, ${(w.pets as unknown as PetLine[]).reduce((s, p) => s + p.quantity, 0)} pets · **${w.status}**${where.userId ? '' : ` <@${w.userId}>`}` })),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime())
    .slice(0, take)
    .map((x) => x.line);
}

const historyCommand: Command = {
  data: historyData,
  async handle(interaction, { prisma }) {
    const guildId = guildIdOf(interaction);
    const lines = await historyLines(prisma, guildId, { userId: interaction.user.id });
    await interaction.reply(ephemeral(guildflowEmbed({ outcome: 'info', title: 'Your trades', description: lines.length ? lines.join('\n') : 'No deposits or withdrawals yet.' })));
  },
};

// ─── /trades (admins) ────────────────────────────────────────────────────────────────────────────────

const tradesData = {
  name: 'trades',
  description: 'Roblox trades: pending withdrawals, releases, pet values, inventory adjustments',
  default_member_permissions: String(PermissionFlagsBits.ManageGuild),
  options: [
    { type: ApplicationCommandOptionType.Subcommand, name: 'view', description: 'Pending withdrawals and recent deposits' },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'release',
      description: 'Force-release a pending withdrawal back to its member',
      options: [{ type: ApplicationCommandOptionType.String, name: 'withdrawal', description: 'Withdrawal id', required: true }],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'adjust',
      description: "Change a member's pets (audited)",
      options: [
        { type: ApplicationCommandOptionType.User, name: 'user', description: 'Member', required: true },
        { type: ApplicationCommandOptionType.String, name: 'pet', description: 'Pet key', required: true },
        { type: ApplicationCommandOptionType.Integer, name: 'delta', description: 'Pets to add (negative removes)', required: true },
        { type: ApplicationCommandOptionType.String, name: 'reason', description: 'Why (kept in the audit log)', required: true, max_length: 500 },
        { type: ApplicationCommandOptionType.String, name: 'variant', description: 'Variant (default normal)', choices: PET_VARIANTS.map((v) => ({ name: v, value: v })) },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'pet',
      description: 'Add a pet species or change its value (audited)',
      options: [
        { type: ApplicationCommandOptionType.String, name: 'key', description: "The game's id for it", required: true, max_length: 64 },
        { type: ApplicationCommandOptionType.String, name: 'name', description: 'Name', required: true, max_length: 64 },
        { type: ApplicationCommandOptionType.String, name: 'rarity', description: 'Rarity', required: true, choices: PET_RARITIES.map((r) => ({ name: r, value: r })) },
        { type: ApplicationCommandOptionType.Integer, name: 'value', description: 'Value in gems (normal variant)', required: true, min_value: 0 },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'settings',
      description: 'Withdraw timeout and trade limits (audited); no option shows them',
      options: [
        { type: ApplicationCommandOptionType.Integer, name: 'withdraw_timeout_minutes', description: 'How long a withdrawal waits for the game', min_value: 1, max_value: 43_200 },
        { type: ApplicationCommandOptionType.Integer, name: 'max_deposit_gems', description: 'Gems per deposit', min_value: 0 },
        { type: ApplicationCommandOptionType.Integer, name: 'max_deposit_pets', description: 'Pets per deposit', min_value: 0, max_value: 100_000 },
        { type: ApplicationCommandOptionType.Integer, name: 'max_withdraw_gems', description: 'Gems per withdrawal', min_value: 0 },
        { type: ApplicationCommandOptionType.Integer, name: 'max_withdraw_pets', description: 'Pets per withdrawal', min_value: 0, max_value: 100_000 },
      ],
    },
    {
      type: ApplicationCommandOptionType.Subcommand,
      name: 'register-game',
      description: 'Register a Roblox game; its secret is shown once',
      options: [{ type: ApplicationCommandOptionType.String, name: 'name', description: 'Game name', required: true, max_length: 64 }],
    },
  ],
} satisfies RESTPostAPIChatInputApplicationCommandsJSONBody;

async function tradesHandle(interaction: ChatInputCommandInteraction, deps: Parameters<Command['handle']>[1]) {
  const guildId = guildIdOf(interaction);
  const actor = { actorType: 'user', actorId: `discord:${interaction.user.id}` };
  const sub = interaction.options.getSubcommand();
  if (sub === 'view') {
    const pending = await deps.prisma.withdrawal.findMany({ where: { guildId, status: 'escrowed' }, orderBy: { createdAt: 'asc' }, take: 15 });
    const recent = await historyLines(deps.prisma, guildId, {}, 10);
    const escrow = await listPets(deps.prisma, guildId, ESCROW_OWNER);
    await interaction.reply(
      ephemeral(
        guildflowEmbed({
          outcome: 'info',
          title: 'Trades',
          fields: [
            { name: `Pending withdrawals (${pending.length})`, value: pending.map((w) => `\`${w.id}\` <@${w.userId}> ${w.gems} gems, ${(w.pets as unknown as PetLine[]).reduce((s, p) => s + p.quantity, 0)} pets${w.gameId ? ' · delivering' : ''}`).join('\n') || 'None' },
            { name: 'Pets in escrow', value: escrow.map((p) => `${p.quantity} × ${petLabel(p)}`).join('\n') || 'None' },
            { name: 'Recent', value: recent.join('\n') || 'Nothing yet' },
          ],
        }),
      ),
    );
    return;
  }
  if (sub === 'release') {
    const id = interaction.options.getString('withdrawal', true);
    const w = await deps.prisma.withdrawal.findUnique({ where: { id } });
    if (!w || w.guildId !== guildId) throw new AppError('not_found', `No withdrawal ${JSON.stringify(id)} here.`, 404);
    await cancelWithdrawal(deps, id, interaction.user.id, true);
    await deps.prisma.auditEvent.create({ data: { guildId, ...actor, action: 'withdrawal.force_release', targetType: 'withdrawal', targetId: id, data: { userId: w.userId } } });
    await interaction.reply(ephemeral(guildflowEmbed({ outcome: 'warning', title: 'Withdrawal released', description: `Everything goes back to <@${w.userId}>.`, flowId: withdrawWorkflowId(id) })));
    return;
  }
  if (sub === 'adjust') {
    const user = interaction.options.getUser('user', true);
    const key = interaction.options.getString('pet', true);
    const delta = interaction.options.getInteger('delta', true);
    const reason = interaction.options.getString('reason', true).trim();
    const variant = interaction.options.getString('variant') ?? 'normal';
    if (!isVariant(variant)) throw new ValidationError('Unknown variant.');
    if (!Number.isSafeInteger(delta) || delta === 0 || Math.abs(delta) > 100_000) throw new ValidationError('delta is a non-zero whole number (at most 100,000 either way).');
    if (reason === '') throw new ValidationError('Give a reason.');
    const species = await deps.prisma.petSpecies.findUnique({ where: { guildId_key: { guildId, key } } });
    if (!species) throw new ValidationError(`There is no pet ${JSON.stringify(key)} here: add it with /trades pet.`);
    await deps.prisma.$transaction(async (tx) => {
      const { movePetsIn } = await import('../../../activities/trades/pets');
      await movePetsIn(tx, { guildId, key: `admin_adjust:${interaction.id}`, type: 'admin_adjust', actor: { type: 'user', id: interaction.user.id }, reason, moves: [{ ownerId: user.id, speciesId: species.id, variant, delta }] });
      await tx.auditEvent.create({ data: { guildId, ...actor, action: 'pets.adjust', targetType: 'member', targetId: user.id, data: { pet: key, variant, delta, reason } } });
    });
    await interaction.reply(ephemeral(guildflowEmbed({ outcome: 'success', title: 'Pets adjusted', description: `<@${user.id}>: ${delta > 0 ? '+' : ''}${delta} × ${petLabel({ name: species.name, emoji: species.emoji, variant })}\nReason: ${reason}` })));
    return;
  }
  if (sub === 'pet') {
    const value = wholeNumber(interaction.options.getInteger('value', true), 'Value');
    const s = await upsertSpecies(deps.prisma, guildId, { key: interaction.options.getString('key', true), name: interaction.options.getString('name', true), rarity: interaction.options.getString('rarity', true) as PetRarity, value }, actor);
    const label = await assetLabel(deps.prisma, guildId, 'gems');
    await interaction.reply(
      ephemeral(guildflowEmbed({ outcome: 'success', title: 'Pet saved', description: `${s.name} (\`${s.key}\`, ${s.rarity}): ${formatAmount(label, s.value)}; shiny ×${VARIANT_MULTIPLIER.shiny}, rainbow ×${VARIANT_MULTIPLIER.rainbow}, shiny rainbow ×${VARIANT_MULTIPLIER.shiny_rainbow}.` })),
    );
    return;
  }
  if (sub === 'settings') {
    const n = (name: string, min: number, max: number) => {
      const v = interaction.options.getInteger(name);
      if (v === null) return undefined;
      if (!Number.isSafeInteger(v) || v < min || v > max) throw new ValidationError(`${name} must be ${min}–${max}.`);
      return v;
    };
    const minutes = n('withdraw_timeout_minutes', 1, 43_200);
    const change = {
      ...(minutes !== undefined ? { withdrawTimeoutSeconds: minutes * 60 } : {}),
      ...(n('max_deposit_gems', 0, Number.MAX_SAFE_INTEGER) !== undefined ? { maxDepositGems: BigInt(n('max_deposit_gems', 0, Number.MAX_SAFE_INTEGER)!) } : {}),
      ...(n('max_deposit_pets', 0, 100_000) !== undefined ? { maxDepositPets: n('max_deposit_pets', 0, 100_000)! } : {}),
      ...(n('max_withdraw_gems', 0, Number.MAX_SAFE_INTEGER) !== undefined ? { maxWithdrawGems: BigInt(n('max_withdraw_gems', 0, Number.MAX_SAFE_INTEGER)!) } : {}),
      ...(n('max_withdraw_pets', 0, 100_000) !== undefined ? { maxWithdrawPets: n('max_withdraw_pets', 0, 100_000)! } : {}),
    };
    if (Object.keys(change).length) {
      await deps.prisma.$transaction([
        deps.prisma.tradeSettings.upsert({ where: { guildId }, create: { guildId, ...change }, update: change }),
        deps.prisma.auditEvent.create({ data: { guildId, ...actor, action: 'trade_settings.update', targetType: 'guild', targetId: guildId, data: JSON.parse(JSON.stringify(change, (_, v) => (typeof v === 'bigint' ? String(v) : v))) } }),
      ]);
    }
    const t = await tradeSettings(deps.prisma, guildId);
    await interaction.reply(
      ephemeral(
        guildflowEmbed({
          outcome: Object.keys(change).length ? 'success' : 'info',
          title: 'Trade settings',
          description: `Withdrawals wait **${Math.round(t.withdrawTimeoutSeconds / 60)} minutes** for the game.\nPer deposit: at most **${t.maxDepositGems}** gems and **${t.maxDepositPets}** pets.\nPer withdrawal: at most **${t.maxWithdrawGems}** gems and **${t.maxWithdrawPets}** pets.`,
        }),
      ),
    );
    return;
  }
  if (sub === 'register-game') {
    if (!deps.codes) throw new AppError('trades_disabled', 'Set CODE_ENCRYPTION_KEY first: game secrets are stored encrypted with it.', 503);
    const game = await registerGame(deps.prisma, deps.codes, { guildId, name: interaction.options.getString('name', true), secret: undefined, id: `g_${randomUUID().replace(/-/g, '').slice(0, 16)}` }, actor);
    await interaction.reply(
      ephemeral(guildflowEmbed({ outcome: 'success', title: 'Game registered', description: `Game id: \`${game.id}\`\nSecret (shown once; put it in ServerScriptService, never in a client script):\n||\`${game.secret}\`||\nSee docs/roblox-integration.md.` })),
    );
    return;
  }
  throw new ValidationError('Unknown subcommand.');
}

const tradesCommand: Command = { data: tradesData, level: 'admin', handle: tradesHandle };

/** Pets page buttons under /inventory: a new private message with that page. */
const petsPage: ComponentHandler = {
  action: 'pets-page',
  async handle(interaction, key, { prisma }) {
    const guildId = guildIdOf(interaction);
    const m = /^([0-9]{1,20}):([0-9]{1,5})$/.exec(key);
    if (!m) throw new ValidationError('This button is broken: run /inventory again.');
    const page = Number(m[2]);
    await interaction.reply(ephemeral(await tradeInventoryEmbed(prisma, guildId, m[1]!, page), { components: await petPageButtons(prisma, guildId, m[1]!, page) }));
  },
};

export const tradeCommands: readonly Command[] = [withdrawCommand, tipCommand, historyCommand, tradesCommand];
export const tradeComponents: readonly ComponentHandler[] = [withdrawPick, withdrawCancel, petsPage];

