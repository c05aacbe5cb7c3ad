import { createLedger, systemAccount, userAccount, type AccountRef, type Ledger, type MovementResult } from '../../activities/ledger';
import { createPrismaClient, type PrismaClient } from '../../prisma/client';

let next = 0;
/** A fresh snowflake-like id, unique in this process (guild and user ids in ledger tests). */
export function snowflake(): string {
  next += 1;
  return String(300000000000000000n + BigInt(process.pid) * 1_000_000n + BigInt(next));
}

/** A guild row (what the bot creates on joining), ready for the ledger. */
export async function createGuild(prisma: PrismaClient): Promise<string> {
  const id = snowflake();
  await prisma.guild.create({ data: { id, name: `Ledger test ${id}`, ownerId: '200000000000000001' } });
  return id;
}

/**
 * A client with a pool big enough for the concurrency tests (the test database's own has 4 connections),
 * and the ledger on it.
 */
export function ledgerOn(url: string, poolSize = 12): { prisma: PrismaClient; ledger: Ledger } {
  const prisma = createPrismaClient(url, { poolSize });
  return { prisma, ledger: createLedger(prisma) };
}

export const SYSTEM = { type: 'system', id: 'test' } as const;

/** Issues `amount` of the guild's currency to a user (a daily reward). */
export function fund(ledger: Ledger, guildId: string, user: string, amount: bigint, key = `fund:${guildId}:${user}:${snowflake()}`): Promise<MovementResult> {
  return ledger.transfer({ guildId, key, type: 'daily', actor: SYSTEM, asset: 'currency', from: systemAccount('issuance'), to: userAccount(user), amount });
}

export async function available(ledger: Ledger, guildId: string, account: AccountRef, asset = 'currency'): Promise<bigint> {
  return (await ledger.balance(guildId, account, asset)).available;
}
