import { systemAccount, userAccount, type Ledger } from '../ledger';
import { transactionLedger } from '../ledger/ledger';
import { ValidationError } from '../../lib/errors';
import { depositWorkflowId, type DepositReport, type PetLine, type PetVariant, type ReportedPet, type WithdrawOutcome } from '../../lib/flows/trades';
import type { GameDeposit, PrismaClient, Withdrawal } from '../../prisma/client';
import { inTransaction } from '../../prisma/transactions';
import { reserveDailyDeposit } from './deposit-cap';
import { insufficientGems, invalidTrade, notLinked, overLimit, tradeState, unknownPet } from './errors';
import { linkByRobloxId, linkByUserId } from './games';
import { ESCROW_OWNER, isVariant, movePetsIn, movePetsOn } from './pets';

/**
 * Deposits and withdrawals in the database. Every step is idempotent by the flow's id, so Temporal's
 * retries and a repeated report change nothing: gems move through the ledger (keys `deposit:{id}:gems`,
 * `withdraw:{id}:gems`), pets through pet movements (keys `deposit:{id}`, `withdraw:{id}:escrow`, …).
 */

export interface TradeSettingsView {
  withdrawTimeoutSeconds: number;
  maxDepositGems: bigint;
  maxDepositPets: number;
  maxWithdrawGems: bigint;
  maxWithdrawPets: number;
}

export async function tradeSettings(prisma: PrismaClient, guildId: string): Promise<TradeSettingsView> {
  const row = await prisma.tradeSettings.findUnique({ where: { guildId } });
  return row ?? { withdrawTimeoutSeconds: 86_400, maxDepositGems: 1_000_000_000n, maxDepositPets: 200, maxWithdrawGems: 1_000_000_000n, maxWithdrawPets: 200 };
}

// ─── Deposits ─────────────────────────────────────────────────────────────────────────────────────────

export type DepositCheck =
  | { ok: true; userId: string; gems: string; lines: PetLine[] }
  | { ok: false; reason: string; message: string };

/** Parses what a game reports; throws ValidationError (a 400 to the game) for malformed input. */
export function parseDepositBody(body: unknown): { tradeId: string; robloxUserId: string; serverId: string | null; gems: string; pets: ReportedPet[] } {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new ValidationError('The body must be a JSON object.');
  const b = body as Record<string, unknown>;
  if (typeof b.tradeId !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(b.tradeId)) throw new ValidationError('tradeId: 1–64 characters of letters, digits, _ and -.');
  const robloxUserId = typeof b.robloxUserId === 'number' ? String(b.robloxUserId) : b.robloxUserId;
  if (typeof robloxUserId !== 'string' || !/^[1-9][0-9]{0,18}$/.test(robloxUserId)) throw new ValidationError('robloxUserId: a positive whole number.');
  const gemsRaw = b.gems ?? 0;
  const gems = typeof gemsRaw === 'number' && Number.isSafeInteger(gemsRaw) ? String(gemsRaw) : gemsRaw;
  if (typeof gems !== 'string' || !/^[0-9]{1,15}$/.test(gems)) throw new ValidationError('gems: a whole number ≥ 0.');
  const petsRaw = b.pets ?? [];
  if (!Array.isArray(petsRaw) || petsRaw.length > 100) throw new ValidationError('pets: a list of at most 100 { species, variant, quantity }.');
  const pets = petsRaw.map((p, i) => {
    const q = p as Record<string, unknown>;
    if (typeof q?.species !== 'string' || q.species.length < 1 || q.species.length > 64) throw new ValidationError(`pets[${i}].species: the pet's key.`);
    const variant = q.variant ?? 'normal';
    if (!isVariant(variant)) throw new ValidationError(`pets[${i}].variant: normal, shiny, rainbow or shiny_rainbow.`);
    if (typeof q.quantity !== 'number' || !Number.isSafeInteger(q.quantity) || q.quantity < 1 || q.quantity > 100_000) throw new ValidationError(`pets[${i}].quantity: a whole number ≥ 1.`);
    return { species: q.species, variant, quantity: q.quantity };
  });
  if (gems === '0' && pets.length === 0) throw new ValidationError('A deposit has gems or pets.');
  const serverId = typeof b.serverId === 'string' && b.serverId.length <= 100 ? b.serverId : null;
  return { tradeId: b.tradeId, robloxUserId, serverId, gems: String(BigInt(gems)), pets };
}

async function refuseDeposit(prisma: PrismaClient, id: string, reason: string, message: string): Promise<DepositCheck> {
  await prisma.gameDeposit.update({ where: { id }, data: { status: 'refused', reason, message, completedAt: new Date() } });
  return { ok: false, reason, message };
}

/** The same deposit as recorded: what the game signed, field by field (jsonb does not keep key order). */
function sameReport(row: GameDeposit, r: DepositReport): boolean {
  const pets = (list: unknown) => JSON.stringify((Array.isArray(list) ? (list as ReportedPet[]) : []).map((p) => [p.species, p.variant, p.quantity]));
  return row.guildId === r.guildId && row.gameId === r.gameId && row.tradeId === r.tradeId && row.robloxId === BigInt(r.robloxUserId) && row.gems === BigInt(r.gems) && pets(row.pets) === pets(r.pets);
}

/**
 * Records a deposit as the game's signed request reported it (the API does this before starting the
 * flow), once per id. The same trade id reported again with other contents is refused: the first stands.
 */
export async function recordDepositReport(prisma: PrismaClient, r: DepositReport): Promise<void> {
  await prisma.gameDeposit.createMany({
    data: [{ id: r.depositId, guildId: r.guildId, gameId: r.gameId, tradeId: r.tradeId, robloxId: BigInt(r.robloxUserId), serverId: r.serverId ?? null, gems: BigInt(r.gems), pets: r.pets as object[] }],
    skipDuplicates: true,
  });
  const row = await prisma.gameDeposit.findUniqueOrThrow({ where: { id: r.depositId } });
  if (!sameReport(row, r)) throw tradeState(`Trade ${r.tradeId} was already reported with other contents; nothing was changed.`);
}

/**
 * Checks a deposit: reported through the signed game API (a flow started any other way, e.g. from the
 * Temporal UI or CLI, finds no such report and credits nothing), a linked member, known pets, within the
 * per-deposit limits and the game's daily cap.
 */
export async function checkDeposit(prisma: PrismaClient, r: DepositReport): Promise<DepositCheck> {
  const robloxId = BigInt(r.robloxUserId);
  const existing = await prisma.gameDeposit.findUnique({ where: { id: r.depositId } });
  if (!existing || !sameReport(existing, r)) return { ok: false, reason: 'not_reported', message: 'This deposit was not reported through the signed game API: nothing was credited.' };
  if (existing.status === 'refused') return { ok: false, reason: existing.reason ?? 'refused', message: existing.message ?? 'Refused.' };
  // Accepted before (counted against the day's cap, perhaps partly credited): the decision stands, so a
  // retry never refuses a deposit whose gems may already be in the member's account.
  if (ACCEPTED.includes(existing.status) && existing.userId) {
    const lines = await petLines(prisma, r, { deleted: true });
    if (typeof lines !== 'string') return { ok: true, userId: existing.userId, gems: r.gems, lines };
  }
  const link = await linkByRobloxId(prisma, r.guildId, robloxId);
  if (!link) return refuseDeposit(prisma, r.depositId, 'not_linked', 'Link your Roblox account in Discord with /verify first.');
  await prisma.gameDeposit.update({ where: { id: r.depositId }, data: { userId: link.userId } });
  const settings = await tradeSettings(prisma, r.guildId);
  const gems = BigInt(r.gems);
  const petCount = r.pets.reduce((s, p) => s + p.quantity, 0);
  if (gems > settings.maxDepositGems) return refuseDeposit(prisma, r.depositId, 'over_limit', `At most ${settings.maxDepositGems} gems per deposit.`);
  if (petCount > settings.maxDepositPets) return refuseDeposit(prisma, r.depositId, 'over_limit', `At most ${settings.maxDepositPets} pets per deposit.`);
  const lines = await petLines(prisma, r, { deleted: false });
  if (typeof lines === 'string') return refuseDeposit(prisma, r.depositId, 'unknown_pet', `Unknown pet: ${lines}. Ask an admin to add it to the catalogue.`);
  const cap = await reserveDailyDeposit(prisma, r.depositId);
  if (!cap.ok) return { ok: false, reason: 'daily_cap', message: cap.message };
  return { ok: true, userId: link.userId, gems: r.gems, lines };
}

/** Statuses of a deposit whose check passed: it is credited, never refused, from then on. */
const ACCEPTED = ['accepted', 'credited'];

/** The reported pets as catalogue lines (one per species and variant), or the unknown species' keys joined; `deleted` counts species removed since. */
async function petLines(prisma: PrismaClient, r: DepositReport, { deleted }: { deleted: boolean }): Promise<PetLine[] | string> {
  const keys = [...new Set(r.pets.map((p) => p.species))];
  const species = keys.length === 0 ? [] : await prisma.petSpecies.findMany({ where: { guildId: r.guildId, key: { in: keys }, ...(deleted ? {} : { deletedAt: null }) } });
  const byKey = new Map(species.map((s) => [s.key, s]));
  const missing = keys.filter((k) => !byKey.has(k));
  if (missing.length) return missing.join(', ');
  const merged = new Map<string, PetLine>();
  for (const p of r.pets) {
    const s = byKey.get(p.species)!;
    const k = `${s.id}:${p.variant}`;
    const line = merged.get(k) ?? { speciesId: s.id, variant: p.variant, quantity: 0 };
    line.quantity += p.quantity;
    merged.set(k, line);
  }
  return [...merged.values()];
}

/**
 * Credits a checked deposit: gems issued to the member, pets added and the deposit marked credited, in one
 * database transaction (the ledger on the same connection, as a tip does), each part once by its key.
 */
export async function creditDeposit(prisma: PrismaClient, input: { depositId: string; guildId: string; userId: string; gems: string; lines: PetLine[] }): Promise<void> {
  const gems = BigInt(input.gems);
  await inTransaction(prisma, async (client) => {
    if (gems > 0n) {
      await transactionLedger(client).transfer({
        guildId: input.guildId,
        key: `deposit:${input.depositId}:gems`,
        type: 'transfer',
        actor: { type: 'system', id: 'deposit' },
        asset: 'gems',
        from: systemAccount('issuance'),
        to: userAccount(input.userId),
        amount: gems,
        reason: 'Deposited in the Roblox game',
        refs: { depositId: input.depositId, workflowId: depositWorkflowId(input.depositId) },
      });
    }
    if (input.lines.length > 0) {
      await movePetsOn(client, {
        guildId: input.guildId,
        key: `deposit:${input.depositId}`,
        type: 'deposit',
        actor: { type: 'system', id: 'deposit' },
        reason: 'Deposited in the Roblox game',
        refs: { depositId: input.depositId },
        moves: input.lines.map((l) => ({ ownerId: input.userId, speciesId: l.speciesId, variant: l.variant, delta: l.quantity })),
      });
    }
    await client.query(`UPDATE game_deposits SET status = 'credited', completed_at = now() WHERE id = $1`, [input.depositId]);
  });
}

/**
 * Checks a deposit and, when it passes, credits it: the deposit flow's one step, so the game's answer
 * waits for one step instead of two. A retry after a partial credit finds the deposit accepted and
 * finishes the credit (every part is keyed by the deposit's id).
 */
export async function settleDeposit(prisma: PrismaClient, r: DepositReport): Promise<DepositCheck> {
  const check = await checkDeposit(prisma, r);
  if (check.ok) await creditDeposit(prisma, { depositId: r.depositId, guildId: r.guildId, userId: check.userId, gems: check.gems, lines: check.lines });
  return check;
}

// ─── Withdrawals ──────────────────────────────────────────────────────────────────────────────────────

export interface WithdrawRequest {
  withdrawalId: string;
  guildId: string;
  userId: string;
  gems: string;
  pets: PetLine[];
}

/** Checks a withdrawal before anything moves: a linked member, within the limits, something to withdraw. */
export async function checkWithdrawal(prisma: PrismaClient, ledger: Ledger, w: WithdrawRequest): Promise<{ robloxId: string; timeoutSeconds: number }> {
  const link = await linkByUserId(prisma, w.guildId, w.userId);
  if (!link) throw notLinked('You');
  const settings = await tradeSettings(prisma, w.guildId);
  const gems = BigInt(w.gems);
  if (gems < 0n) throw invalidTrade('Gems to withdraw cannot be negative.');
  const petCount = w.pets.reduce((s, p) => s + p.quantity, 0);
  if (gems === 0n && petCount === 0) throw invalidTrade('Choose gems or pets to withdraw.');
  if (w.pets.some((p) => !Number.isSafeInteger(p.quantity) || p.quantity < 1 || !isVariant(p.variant))) throw invalidTrade('Each pet line needs a quantity ≥ 1 and a known variant.');
  if (gems > settings.maxWithdrawGems) throw overLimit(`at most ${settings.maxWithdrawGems} gems per withdrawal`);
  if (petCount > settings.maxWithdrawPets) throw overLimit(`at most ${settings.maxWithdrawPets} pets per withdrawal`);
  if (gems > 0n) {
    const bal = await ledger.balance(w.guildId, userAccount(w.userId), 'gems');
    if (bal.available < gems) throw insufficientGems(bal.available, gems);
  }
  return { robloxId: link.robloxId, timeoutSeconds: settings.withdrawTimeoutSeconds };
}

/** Moves the pets to escrow and records the withdrawal (status 'escrowed'), in one transaction, once. */
export async function escrowPets(prisma: PrismaClient, w: WithdrawRequest & { robloxId: string; expiresAt: string }): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const existing = await tx.withdrawal.findUnique({ where: { id: w.withdrawalId } });
    if (existing) return; // applied before (a retried activity)
    const moves = w.pets.flatMap((l) => [
      { ownerId: w.userId, speciesId: l.speciesId, variant: l.variant, delta: -l.quantity },
      { ownerId: ESCROW_OWNER, speciesId: l.speciesId, variant: l.variant, delta: l.quantity },
    ]);
    await movePetsIn(tx, { guildId: w.guildId, key: `withdraw:${w.withdrawalId}:escrow`, type: 'withdraw_escrow', actor: { type: 'user', id: w.userId }, refs: { withdrawalId: w.withdrawalId }, moves });
    await tx.withdrawal.create({
      data: { id: w.withdrawalId, guildId: w.guildId, userId: w.userId, robloxId: BigInt(w.robloxId), gems: BigInt(w.gems), pets: w.pets as unknown as object[], status: 'escrowed', expiresAt: new Date(w.expiresAt) },
    });
  });
}

/**
 * Settles the escrow: `delivered` pets leave (the game has them now), the rest go back to the member;
 * the row gets its terminal status. Idempotent (keys `withdraw:{id}:deliver` / `:release`).
 */
export async function settlePets(
  prisma: PrismaClient,
  input: { withdrawalId: string; status: WithdrawOutcome; delivered: PetLine[]; deliveredGems: string; reason?: string | null },
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const w = await tx.withdrawal.findUnique({ where: { id: input.withdrawalId } });
    if (!w) return; // refused before anything was escrowed: nothing to settle
    const escrowed = w.pets as unknown as PetLine[];
    const delivered = new Map(input.delivered.map((l) => [`${l.speciesId}:${l.variant}`, l.quantity]));
    const deliver: { ownerId: string; speciesId: number; variant: PetVariant; delta: number }[] = [];
    const release: typeof deliver = [];
    for (const l of escrowed) {
      const d = Math.min(delivered.get(`${l.speciesId}:${l.variant}`) ?? 0, l.quantity);
      if (d > 0) deliver.push({ ownerId: ESCROW_OWNER, speciesId: l.speciesId, variant: l.variant, delta: -d });
      if (l.quantity - d > 0) {
        release.push({ ownerId: ESCROW_OWNER, speciesId: l.speciesId, variant: l.variant, delta: -(l.quantity - d) });
        release.push({ ownerId: w.userId, speciesId: l.speciesId, variant: l.variant, delta: l.quantity - d });
      }
    }
    const actor = { type: 'system' as const, id: 'withdraw' };
    if (deliver.length) await movePetsIn(tx, { guildId: w.guildId, key: `withdraw:${w.id}:deliver`, type: 'withdraw_delivered', actor, refs: { withdrawalId: w.id }, moves: deliver });
    if (release.length) await movePetsIn(tx, { guildId: w.guildId, key: `withdraw:${w.id}:release`, type: 'withdraw_release', actor, refs: { withdrawalId: w.id }, moves: release });
    if (w.status === 'escrowed') {
      await tx.withdrawal.update({
        where: { id: w.id },
        data: { status: input.status, deliveredGems: BigInt(input.deliveredGems), deliveredPets: [...deliver.map((m) => ({ speciesId: m.speciesId, variant: m.variant, quantity: -m.delta }))], reason: input.reason ?? null, completedAt: new Date() },
      });
    }
  });
}

/** A refused withdrawal (nothing escrowed) still leaves a row for /history and /trades view. */
export async function recordRefusedWithdrawal(prisma: PrismaClient, w: WithdrawRequest & { robloxId: string | null; reason: string }): Promise<void> {
  await prisma.withdrawal.createMany({
    data: [{ id: w.withdrawalId, guildId: w.guildId, userId: w.userId, robloxId: BigInt(w.robloxId ?? 0), gems: BigInt(w.gems), pets: w.pets as unknown as object[], status: 'refused', reason: w.reason, completedAt: new Date() }],
    skipDuplicates: true,
  });
}

/** Marks an escrowed withdrawal as taken by a game (it is delivering it now). */
export async function markClaimed(prisma: PrismaClient, withdrawalId: string, gameId: string): Promise<void> {
  await prisma.withdrawal.updateMany({ where: { id: withdrawalId, status: 'escrowed' }, data: { gameId } });
}

export interface PendingWithdrawalView {
  id: string;
  robloxUserId: string;
  gems: string;
  pets: { species: string; name: string; variant: PetVariant; quantity: number }[];
  claimed: boolean;
  expiresAt: string | null;
}

/** Escrowed withdrawals of these Roblox players, oldest first (what a game server should deliver). */
export async function pendingWithdrawals(prisma: PrismaClient, guildId: string, robloxIds: bigint[]): Promise<PendingWithdrawalView[]> {
  const rows = await prisma.withdrawal.findMany({ where: { guildId, status: 'escrowed', robloxId: { in: robloxIds } }, orderBy: { createdAt: 'asc' }, take: 200 });
  return describeWithdrawals(prisma, guildId, rows);
}

async function describeWithdrawals(prisma: PrismaClient, guildId: string, rows: Withdrawal[]): Promise<PendingWithdrawalView[]> {
  const ids = [...new Set(rows.flatMap((r) => (r.pets as unknown as PetLine[]).map((p) => p.speciesId)))];
  const species = new Map((await prisma.petSpecies.findMany({ where: { guildId, id: { in: ids } } })).map((s) => [s.id, s]));
  return rows.map((r) => ({
    id: r.id,
    robloxUserId: String(r.robloxId),
    gems: String(r.gems),
    pets: (r.pets as unknown as PetLine[]).map((p) => ({ species: species.get(p.speciesId)?.key ?? String(p.speciesId), name: species.get(p.speciesId)?.name ?? '?', variant: p.variant, quantity: p.quantity })),
    claimed: r.gameId !== null,
    expiresAt: r.expiresAt?.toISOString() ?? null,
  }));
}

/** Turns what a game says it delivered (species keys) into pet lines of this withdrawal; refuses more than escrowed. */
export async function deliveredLines(prisma: PrismaClient, w: Withdrawal, reported: ReportedPet[]): Promise<PetLine[]> {
  const escrowed = w.pets as unknown as PetLine[];
  const species = await prisma.petSpecies.findMany({ where: { guildId: w.guildId, key: { in: reported.map((p) => p.species) } } });
  const byKey = new Map(species.map((s) => [s.key, s.id]));
  const out = new Map<string, PetLine>();
  for (const p of reported) {
    const speciesId = byKey.get(p.species);
    if (speciesId === undefined) throw unknownPet(p.species);
    const k = `${speciesId}:${p.variant}`;
    const line = out.get(k) ?? { speciesId, variant: p.variant, quantity: 0 };
    line.quantity += p.quantity;
    out.set(k, line);
  }
  for (const l of out.values()) {
    const e = escrowed.find((x) => x.speciesId === l.speciesId && x.variant === l.variant);
    if (!e || l.quantity > e.quantity) throw tradeState(`The delivery reports more ${l.variant} pets #${l.speciesId} than this withdrawal holds.`);
  }
  return [...out.values()];
}


