import type { ChatInputCommandInteraction } from 'discord.js';
import { randomUUID } from 'node:crypto';
import { assetLabel } from '../../../activities/shop/messages';
import { ESCROW_OWNER, isVariant, listPets, movePetsIn, petLabel, registerGame, tradeSettings, upsertSpecies, VARIANT_MULTIPLIER, type PetRarity } from '../../../activities/trades';
import { formatAmount } from '../../../lib/discord/amounts';
import { guildflowEmbed } from '../../../lib/discord/embeds';
import { AppError, ValidationError } from '../../../lib/errors';
import { withdrawWorkflowId, type PetLine } from '../../../lib/flows/trades';
import { cancelWithdrawal } from '../../../lib/flows/trades.client';
import type { Command } from '../../command';
import type { BotDeps } from '../../deps';
import { guildIdOf } from '../../interaction';
import { tradesData } from './definitions';
import { historyLines } from './history';
import { ephemeral, wholeNumber } from './shared';

/** `/trades` (admins): pending withdrawals, force-release, pet adjustments and values, settings, game registration. */

async function tradesHandle(interaction: ChatInputCommandInteraction, deps: BotDeps) {
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
    await cancelWithdrawal(deps.temporal, id, { by: interaction.user.id, force: true });
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

export const tradesCommand: Command = { data: tradesData, level: 'admin', handle: tradesHandle };
