import { randomUUID } from 'node:crypto';
import { createLedger, systemAccount, userAccount } from '../../activities/ledger';
import { movePets, sendTip, upsertSpecies } from '../../activities/trades';
import { startE2E, type E2E } from '../e2e/harness';

/**
 * /tip is one transaction: when the pets cannot move, the gems do not move either — no transfer and no
 * "undo" entry are left in the ledger — and the same tip again moves once.
 */
let e2e: E2E;
let guildId: string;
let seq = 0;
const ledger = () => createLedger(e2e.prisma);
beforeAll(async () => {
  e2e = await startE2E();
  guildId = e2e.demo.guild.id;
});
afterAll(() => e2e?.close());

async function linked(name: string, gems = 0n): Promise<string> {
  const u = e2e.discord.createUser({ username: `${name}${++seq}` });
  e2e.discord.addMember(guildId, u.id);
  await e2e.prisma.robloxLink.create({
    data: { guildId, userId: u.id, robloxId: BigInt(7_000_000_000 + Math.floor(Math.random() * 1e9)), robloxName: name, robloxDisplayName: name, method: 'admin', linkedBy: 'discord:test', verifiedAt: new Date(), workflowId: `link:${u.id}`, runId: randomUUID() },
  });
  if (gems > 0n) await ledger().transfer({ guildId, key: `fund:${u.id}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, asset: 'gems', from: systemAccount('issuance'), to: userAccount(u.id), amount: gems });
  return u.id;
}
const gemsOf = async (user: string) => (await ledger().balance(guildId, userAccount(user), 'gems')).balance;
const petsOf = async (owner: string, speciesId: number) => (await e2e.prisma.petHolding.findUnique({ where: { guildId_ownerId_speciesId_variant: { guildId, ownerId: owner, speciesId, variant: 'normal' } } }))?.quantity ?? 0;
const species = (key: string) => upsertSpecies(e2e.prisma, guildId, { key: `${key}${++seq}`, name: key, rarity: 'common', value: 5n }, { actorType: 'user', actorId: 'test' });

it('/tip with gems and a pet the sender lacks is refused and leaves the ledger untouched (no transfer, no undo entry)', async () => {
  const sp = await species('Hare');
  const from = await linked('tipper', 50n);
  const to = await linked('tippee');
  const tip = e2e.discord.slash(guildId, from, 'tip', { user: to, gems: 10, pet: sp.key });
  const response = await tip.waitForResponse();
  expect(JSON.stringify(response.data)).toContain('You have 0 × Hare, not 1');
  expect(response.ephemeral).toBe(true);
  expect(await gemsOf(from)).toBe(50n);
  expect(await gemsOf(to)).toBe(0n);
  expect(await ledger().entry(`tip:${tip.id}:gems`)).toBeNull();
  expect(await ledger().entry(`tip:${tip.id}:gems:undo`)).toBeNull();
  expect(await e2e.prisma.petMovement.count({ where: { idempotencyKey: { startsWith: `tip:${tip.id}` } } })).toBe(0);
});

it('a tip refused for its pets and tried again under the same key once the pet is there moves gems and pet exactly once', async () => {
  const sp = await species('Lynx');
  const from = await linked('giver', 40n);
  const to = await linked('taker');
  const tip = { guildId, key: `tip:${randomUUID()}`, fromUserId: from, toUserId: to, gems: 15n, pets: { speciesId: sp.id, variant: 'normal' as const, quantity: 1 } };
  await expect(sendTip(e2e.prisma, tip)).rejects.toThrow('You have 0 × Lynx, not 1');
  expect([await gemsOf(from), await gemsOf(to)]).toEqual([40n, 0n]);

  await movePets(e2e.prisma, { guildId, key: `give:${from}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, moves: [{ ownerId: from, speciesId: sp.id, variant: 'normal', delta: 1 }] });
  await expect(sendTip(e2e.prisma, tip)).resolves.toEqual({ replayed: false });
  await expect(sendTip(e2e.prisma, tip)).resolves.toEqual({ replayed: true });
  expect([await gemsOf(from), await gemsOf(to)]).toEqual([25n, 15n]);
  expect([await petsOf(from, sp.id), await petsOf(to, sp.id)]).toEqual([0, 1]);
});
