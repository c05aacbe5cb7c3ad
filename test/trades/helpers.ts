import { randomBytes, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { WorkflowHandle } from '@temporalio/client';
import { createApp } from '../../api/app';
import { systemAccount, userAccount } from '../../activities/ledger';
import { ESCROW_OWNER, registerGame, upsertSpecies, type PetLine, type PetRarity, type PetVariant } from '../../activities/trades';
import { createCodeKeyring, type CodeKeyring } from '../../lib/crypto/codes';
import { createLogger } from '../../lib/logger';
import type { PetSpecies } from '../../prisma/client';
import type { WithdrawInput } from '../../lib/flows/trades';
import type { withdraw } from '../../workflows/withdraw';
import { createGameServerClient, type GameServerClient } from '../fakes/game-server-client';
import { startShopEnv, type ShopEnv } from '../shop/helpers';

/**
 * Worker-level trade tests: the shop's environment (real workflows bundle, real activities, test database,
 * the run's Temporal server, fake Discord) plus the real Koa app listening on 127.0.0.1 with the game API,
 * a registered game and its secret, and the harness's game-server client that signs on its own.
 */
export interface TradeEnv extends ShopEnv {
  baseUrl: string;
  keyring: CodeKeyring;
  game: { id: string; secret: string };
  /** The API's clock for signature windows; null = the system clock. */
  serverNow: { value: Date | null };
  game2Url(): Promise<string>;
  client(opts?: { clock?: () => Date; secret?: string; gameId?: string; baseUrl?: string }): GameServerClient;
  link(userId: string, robloxId?: bigint): Promise<bigint>;
  species(key: string, value?: bigint, rarity?: PetRarity): Promise<PetSpecies>;
  gems(userId: string): Promise<{ balance: bigint; held: bigint; available: bigint }>;
  escrowGems(): Promise<bigint>;
  pets(ownerId: string, speciesId: number, variant?: PetVariant): Promise<number>;
  givePets(userId: string, speciesId: number, quantity: number, variant?: PetVariant): Promise<void>;
  giveGems(userId: string, amount: bigint): Promise<void>;
  startWithdraw(input: Partial<WithdrawInput> & Pick<WithdrawInput, 'userId'>): Promise<WorkflowHandle<typeof withdraw>>;
}

let robloxSeq = 0;
export const newRobloxId = (): bigint => BigInt(7_000_000_000) + BigInt(process.pid % 100_000) * 1000n + BigInt(++robloxSeq);
export const newId = (): string => `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;

export async function startTradeEnv(): Promise<TradeEnv> {
  const shop = await startShopEnv();
  const keyring = createCodeKeyring({ id: 'trades-test', key: randomBytes(32) });
  const log = createLogger({ level: process.env.LOG_LEVEL ?? 'silent', pretty: false });
  const serverNow: { value: Date | null } = { value: null };
  const servers: Server[] = [];
  const listen = async () => {
    const app = createApp({ prisma: shop.prisma, log, readiness: [], temporal: shop.temporal.client, taskQueue: shop.taskQueue, codes: keyring, gameClock: () => serverNow.value ?? new Date() });
    const server = await new Promise<Server>((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    servers.push(server);
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  };
  const baseUrl = await listen();
  const registered = await registerGame(shop.prisma, keyring, { guildId: shop.demo.guild.id, name: 'Pet Sim Test' }, { actorType: 'user', actorId: 'discord:test-admin' });
  const guildId = shop.demo.guild.id;
  const env: TradeEnv = {
    ...shop,
    baseUrl,
    keyring,
    game: { id: registered.id, secret: registered.secret },
    serverNow,
    game2Url: listen,
    client: (opts = {}) => createGameServerClient({ baseUrl: opts.baseUrl ?? baseUrl, gameId: opts.gameId ?? registered.id, secret: opts.secret ?? registered.secret, clock: opts.clock }),
    async link(userId, robloxId = newRobloxId()) {
      await shop.prisma.robloxLink.create({
        data: { guildId, userId, robloxId, robloxName: `player${robloxId}`, robloxDisplayName: `Player ${robloxId}`, method: 'admin', linkedBy: 'discord:test-admin', verifiedAt: new Date(), workflowId: `test-link:${userId}`, runId: randomUUID() },
      });
      return robloxId;
    },
    species: (key, value = 100n, rarity = 'rare') => upsertSpecies(shop.prisma, guildId, { key, name: key[0]!.toUpperCase() + key.slice(1), rarity, value }, { actorType: 'user', actorId: 'discord:test-admin' }),
    gems: (userId) => shop.ledger.balance(guildId, userAccount(userId), 'gems'),
    escrowGems: async () => (await shop.ledger.balance(guildId, systemAccount('escrow'), 'gems')).balance,
    async pets(ownerId, speciesId, variant = 'normal') {
      const row = await shop.prisma.petHolding.findUnique({ where: { guildId_ownerId_speciesId_variant: { guildId, ownerId, speciesId, variant } } });
      return row?.quantity ?? 0;
    },
    async givePets(userId, speciesId, quantity, variant = 'normal') {
      const { movePets } = await import('../../activities/trades/pets');
      await movePets(shop.prisma, { guildId, key: `test-give:${randomUUID()}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, moves: [{ ownerId: userId, speciesId, variant, delta: quantity }] });
    },
    async giveGems(userId, amount) {
      await shop.ledger.transfer({ guildId, key: `test-gems:${randomUUID()}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, asset: 'gems', from: systemAccount('issuance'), to: userAccount(userId), amount });
    },
    startWithdraw(input) {
      const withdrawalId = input.withdrawalId ?? newId();
      return shop.temporal.client.workflow.start<typeof withdraw>('withdraw', {
        taskQueue: shop.taskQueue,
        workflowId: `withdraw:${withdrawalId}`,
        args: [{ withdrawalId, guildId, gems: '0', pets: [] as PetLine[], timeoutSeconds: 60, ...input }],
      });
    },
    async close() {
      for (const s of servers) await new Promise((r) => s.close(r));
      await shop.close();
    },
  };
  return env;
}

/** A Discord user in the demo guild (the fake needs them to exist for DMs). */
export function member(env: TradeEnv, name: string): string {
  const user = env.discord.createUser({ username: `${name}-${randomBytes(3).toString('hex')}` });
  env.discord.addMember(env.demo.guild.id, user.id);
  return user.id;
}

export { ESCROW_OWNER };

export async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`condition not met in ${timeoutMs} ms; last value ${JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? String(x) : x))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
