import { randomBytes, randomUUID } from 'node:crypto';
import { registerGame, upsertSpecies } from '../activities/trades';
import { signGameRequest } from '../lib/roblox/game-signature';
import type { FlowBench } from './flow-bench';

/**
 * Signed Roblox game requests as the deposit benchmarks send them: a registered game, a pet species and
 * `players` linked members; each deposit a new trade (5 gems and a pet, a ledger credit through the
 * deposit workflow) for one of them.
 */
export interface DepositDriver {
  /** A new deposit's body. */
  depositBody(): string;
  /** The headers that sign `body` for POST `path` (a fresh nonce each time). */
  signedHeaders(path: string, body: string): Record<string, string>;
}

export async function prepareDeposits(bench: FlowBench, { players: count }: { players: number }): Promise<DepositDriver> {
  const { prisma, discord, guildId, keyring } = bench;
  const actor = { actorType: 'system' as const, actorId: 'bench' };
  const game = await registerGame(prisma, keyring, { guildId, name: 'Bench game' }, actor);
  const species = await upsertSpecies(prisma, guildId, { key: 'dragon', name: 'Dragon', rarity: 'rare', value: 10n }, actor);
  const players = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const u = discord.createUser({ username: `bench-player-${i}` });
      discord.addMember(guildId, u.id);
      const robloxId = BigInt(9_000_000 + i);
      await prisma.robloxLink.create({ data: { guildId, userId: u.id, robloxId, robloxName: `p${i}`, robloxDisplayName: `P${i}`, method: 'admin', linkedBy: 'bench', verifiedAt: new Date(), workflowId: 'bench', runId: randomUUID() } });
      return robloxId;
    }),
  );
  let n = 0;
  return {
    depositBody() {
      n += 1;
      return JSON.stringify({ tradeId: `b${n}-${randomUUID().slice(0, 8)}`, robloxUserId: String(players[n % players.length]), gems: 5, pets: [{ species: species.key, variant: 'shiny', quantity: 1 }] });
    },
    signedHeaders(path, body) {
      const timestamp = Math.floor(Date.now() / 1000);
      const nonce = randomBytes(16).toString('base64url');
      const signature = signGameRequest({ secret: game.secret, timestamp, nonce, method: 'POST', path, body });
      return { 'content-type': 'application/json', 'X-Guildflow-Game': game.id, 'X-Guildflow-Timestamp': String(timestamp), 'X-Guildflow-Nonce': nonce, 'X-Guildflow-Signature': signature };
    },
  };
}
