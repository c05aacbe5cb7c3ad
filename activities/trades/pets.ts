import { type Prisma, type PrismaClient } from '../../prisma/client';
import type { Queryable } from '../../prisma/transactions';
import { ValidationError } from '../../lib/errors';
import { PET_VARIANTS, type PetLine, type PetVariant } from '../../lib/flows/trades';
import { insufficientPets, petKeyConflict } from './errors';

/**
 * Pets: a guild's species catalogue (rarity, admin-set value) and who holds how many of each
 * (species, variant).
 *
 * Why fungible stacks per (species, variant) and not one row per pet: in the pet games this serves, two
 * shiny Dragons are interchangeable — same look, same value, no per-pet stats that the game keeps for us
 * — and the game reports deposits and accepts withdrawals as counts. Unique instances would need an id
 * from the game that survives a withdraw/deposit round trip, which Roblox games do not give; stacks keep
 * "never negative" a single conditional UPDATE, make escrow a move to the owner 'escrow', and keep the
 * table one row per kind of pet a member owns. A per-pet attribute that ever matters becomes a variant.
 *
 * Every change is a PetMovement applied once per idempotency key in the same transaction as the quantity
 * change, never below zero (refused, nothing changes; the table's CHECK is the last line of defence) —
 * the same rules as activities/shop/inventory.ts.
 */
export { type PetLine, type PetVariant };
export const PET_RARITIES = ['common', 'uncommon', 'rare', 'epic', 'legendary', 'mythic'] as const;
export type PetRarity = (typeof PET_RARITIES)[number];

/** A variant's value as a multiple of the species' (normal) value. */
export const VARIANT_MULTIPLIER: Record<PetVariant, bigint> = { normal: 1n, shiny: 2n, rainbow: 5n, shiny_rainbow: 10n };
const VARIANT_LABEL: Record<PetVariant, string> = { normal: '', shiny: 'Shiny ', rainbow: 'Rainbow ', shiny_rainbow: 'Shiny Rainbow ' };

/** The owner of pets waiting in a pending withdrawal. */
export const ESCROW_OWNER = 'escrow';

export function isVariant(v: unknown): v is PetVariant {
  return typeof v === 'string' && (PET_VARIANTS as readonly string[]).includes(v);
}


export interface PetMove {
  ownerId: string;
  speciesId: number;
  variant: PetVariant;
  /** Non-zero: positive adds, negative removes. */
  delta: number;
}

export interface PetMovementBatch {
  guildId: string;
  /** Base key (1–150 characters); each move's key is `{key}:{ownerId}:{speciesId}:{variant}`. */
  key: string;
  /** 'deposit' | 'withdraw_escrow' | 'withdraw_delivered' | 'withdraw_release' | 'tip' | 'admin_adjust' | … */
  type: string;
  actor: { type: 'user' | 'api_token' | 'system'; id: string };
  reason?: string | null;
  refs?: Record<string, string | number | boolean | null>;
  moves: PetMove[];
}

type Tx = Prisma.TransactionClient;

/** One SQL statement with positional parameters → its rows; on a Prisma transaction or a pg connection. */
type RunSql = (text: string, values: unknown[]) => Promise<Record<string, unknown>[]>;
const onPrismaTransaction = (tx: Tx): RunSql => (text, values) => tx.$queryRawUnsafe<Record<string, unknown>[]>(text, ...values);
const onConnection = (client: Queryable): RunSql => async (text, values) => (await client.query<Record<string, unknown>>(text, values)).rows;

const moveKey = (key: string, m: PetMove) => `${key}:${m.ownerId}:${m.speciesId}:${m.variant}`;

function checkBatch(batch: PetMovementBatch): void {
  if (batch.key.length < 1 || batch.key.length > 150) throw new ValidationError('A pet movement key has 1–150 characters.');
  const seen = new Set<string>();
  for (const m of batch.moves) {
    if (!Number.isSafeInteger(m.delta) || m.delta === 0 || Math.abs(m.delta) > 1_000_000) throw new ValidationError('A pet movement needs a non-zero whole delta.');
    if (!isVariant(m.variant)) throw new ValidationError(`Unknown pet variant ${JSON.stringify(m.variant)}.`);
    const k = moveKey(batch.key, m);
    if (seen.has(k)) throw new ValidationError('A pet movement batch moves each (owner, species, variant) once.');
    seen.add(k);
  }
}

/** Applies the moves all or nothing, once per key (a replay changes nothing and returns replayed). */
export async function movePets(prisma: PrismaClient, batch: PetMovementBatch): Promise<{ replayed: boolean }> {
  checkBatch(batch);
  if (batch.moves.length === 0) return { replayed: false };
  return prisma.$transaction((tx) => movePetsIn(tx, batch));
}

/** The moves inside the caller's Prisma transaction. */
export async function movePetsIn(tx: Tx, batch: PetMovementBatch): Promise<{ replayed: boolean }> {
  return applyMoves(onPrismaTransaction(tx), batch);
}

/** The moves inside the caller's transaction on a pg connection (with ledger movements on the same one). */
export async function movePetsOn(client: Queryable, batch: PetMovementBatch): Promise<{ replayed: boolean }> {
  checkBatch(batch);
  return applyMoves(onConnection(client), batch);
}

async function applyMoves(sql: RunSql, batch: PetMovementBatch): Promise<{ replayed: boolean }> {
  // A fixed lock order (owner, species, variant) so concurrent batches cannot deadlock.
  const moves = [...batch.moves].sort((a, b) =>
    a.ownerId !== b.ownerId ? (a.ownerId < b.ownerId ? -1 : 1) : a.speciesId !== b.speciesId ? a.speciesId - b.speciesId : a.variant < b.variant ? -1 : a.variant > b.variant ? 1 : 0,
  );
  let replayed = 0;
  for (const m of moves) {
    const key = moveKey(batch.key, m);
    const inserted = await sql(
      `INSERT INTO pet_movements (guild_id, owner_id, species_id, variant, delta, idempotency_key, type, actor_type, actor_id, reason, refs)
       VALUES ($1, $2, $3::int, $4, $5::int, $6, $7, $8, $9, $10, $11::jsonb)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING id`,
      [batch.guildId, m.ownerId, m.speciesId, m.variant, m.delta, key, batch.type, batch.actor.type, batch.actor.id, batch.reason ?? null, JSON.stringify(batch.refs ?? {})],
    );
    if (!inserted[0]) {
      const [first] = await sql('SELECT guild_id, delta FROM pet_movements WHERE idempotency_key = $1', [key]);
      if (!first || first.guild_id !== batch.guildId || Number(first.delta) !== m.delta) throw petKeyConflict(key);
      replayed += 1;
      continue;
    }
    if (m.delta > 0) {
      await sql(
        `INSERT INTO pet_holdings (guild_id, owner_id, species_id, variant, quantity, updated_at)
         VALUES ($1, $2, $3::int, $4, $5::int, now())
         ON CONFLICT (guild_id, owner_id, species_id, variant) DO UPDATE SET quantity = pet_holdings.quantity + EXCLUDED.quantity, updated_at = now()`,
        [batch.guildId, m.ownerId, m.speciesId, m.variant, m.delta],
      );
    } else {
      const rows = await sql(
        `UPDATE pet_holdings SET quantity = quantity + $5::int, updated_at = now()
         WHERE guild_id = $1 AND owner_id = $2 AND species_id = $3::int AND variant = $4 AND quantity + $5::int >= 0
         RETURNING quantity`,
        [batch.guildId, m.ownerId, m.speciesId, m.variant, m.delta],
      );
      if (!rows[0]) {
        const [held] = await sql('SELECT quantity FROM pet_holdings WHERE guild_id = $1 AND owner_id = $2 AND species_id = $3::int AND variant = $4', [batch.guildId, m.ownerId, m.speciesId, m.variant]);
        const [species] = await sql('SELECT name FROM pet_species WHERE id = $1::int', [m.speciesId]);
        throw insufficientPets(`${VARIANT_LABEL[m.variant]}${typeof species?.name === 'string' ? species.name : `pet #${m.speciesId}`}`, Number(held?.quantity ?? 0), -m.delta);
      }
    }
  }
  if (replayed > 0 && replayed !== moves.length) throw petKeyConflict(batch.key);
  return { replayed: replayed > 0 };
}

export interface PetHoldingView {
  speciesId: number;
  key: string;
  name: string;
  emoji: string | null;
  rarity: string;
  variant: PetVariant;
  quantity: number;
  /** Gems per pet of this variant. */
  unitValue: bigint;
}

/** What an owner holds (quantities above zero), most valuable first. */
export async function listPets(prisma: PrismaClient, guildId: string, ownerId: string): Promise<PetHoldingView[]> {
  const rows = await prisma.petHolding.findMany({ where: { guildId, ownerId, quantity: { gt: 0 } }, include: { species: true } });
  return rows
    .map((r) => {
      const variant = r.variant as PetVariant;
      return { speciesId: r.speciesId, key: r.species.key, name: r.species.name, emoji: r.species.emoji, rarity: r.species.rarity, variant, quantity: r.quantity, unitValue: r.species.value * VARIANT_MULTIPLIER[variant] };
    })
    .sort((a, b) => (b.unitValue !== a.unitValue ? (b.unitValue > a.unitValue ? 1 : -1) : a.name.localeCompare(b.name) || a.variant.localeCompare(b.variant)));
}

export const petLabel = (p: { name: string; variant: PetVariant; emoji?: string | null }) => `${p.emoji ? `${p.emoji} ` : ''}${VARIANT_LABEL[p.variant]}${p.name}`;

// ─── Species catalogue (admins) ───────────────────────────────────────────────────────────────────────

export interface SpeciesInput {
  key: string;
  name: string;
  rarity: PetRarity;
  value: bigint;
  emoji?: string | null;
}

function checkSpecies(s: SpeciesInput): void {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(s.key)) throw new ValidationError('A pet key is 1–64 characters of letters, digits, _ and - (the id the game uses).');
  if (s.name.trim() === '' || s.name.length > 64) throw new ValidationError('A pet name is 1–64 characters.');
  if (!(PET_RARITIES as readonly string[]).includes(s.rarity)) throw new ValidationError(`Rarity is one of ${PET_RARITIES.join(', ')}.`);
  if (s.value < 0n || s.value > 1_000_000_000_000n) throw new ValidationError('A pet value is 0–1,000,000,000,000 gems.');
}

/** Adds a species or updates it (name, rarity, value, emoji) by its key; audited by the caller. */
export async function upsertSpecies(prisma: PrismaClient, guildId: string, s: SpeciesInput, actor: { actorType: string; actorId: string }) {
  checkSpecies(s);
  return prisma.$transaction(async (tx) => {
    const before = await tx.petSpecies.findUnique({ where: { guildId_key: { guildId, key: s.key } } });
    const row = await tx.petSpecies.upsert({
      where: { guildId_key: { guildId, key: s.key } },
      create: { guildId, key: s.key, name: s.name.trim(), rarity: s.rarity, value: s.value, emoji: s.emoji ?? null },
      update: { name: s.name.trim(), rarity: s.rarity, value: s.value, emoji: s.emoji ?? null, deletedAt: null },
    });
    await tx.auditEvent.create({
      data: {
        guildId,
        actorType: actor.actorType,
        actorId: actor.actorId,
        action: before ? 'pet_species.update' : 'pet_species.create',
        targetType: 'pet_species',
        targetId: String(row.id),
        data: { key: s.key, name: row.name, rarity: s.rarity, value: String(s.value), valueBefore: before ? String(before.value) : null },
      },
    });
    return row;
  });
}
