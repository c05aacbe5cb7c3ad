import { randomBytes } from 'node:crypto';
import { registerGame, upsertSpecies } from '../../activities/trades';
import { createApiToken } from '../../lib/api-tokens';
import { createCodeKeyring } from '../../lib/crypto/codes';
import { waitFor } from '../../lib/wait';
import type { FakeUser } from '../fakes/discord';
import { CHAOS_CODE_KEY, type Topology } from './topology';

/**
 * The community the workload runs in, set up the way its admins would: an admin API token, a fast daily
 * reward and a generous adjustment budget, one shop item with a small stock and one that grants a role for
 * a few seconds, a few codes on sale, tasks to claim, a registered game with a pet species and withdrawals
 * that expire within seconds, members whose Roblox accounts are linked (so the game can credit them), and
 * newcomers to verify.
 */
export interface ChaosGuild {
  guildId: string;
  adminToken: string;
  /** The token's id: adjustments are recorded under `admin_adjust:{guild}:token:{id}:{key}`. */
  adminTokenId: string;
  members: { user: FakeUser; robloxId: number }[];
  item: { id: number; name: string; price: bigint; stock: number };
  /** An item without stock limit whose role is taken back `seconds` after the purchase. */
  timedRoleItem: { id: number; name: string; roleId: string; seconds: number };
  /** Codes imported for the 1-code package, and its price (above a member's usual balance: orders wait for top-ups). */
  codes: { stock: number; price: bigint };
  game: { id: string; secret: string; withdrawTimeoutSeconds: number };
  /** The game's one pet species (deposits bring some, withdrawals take stacks back). */
  pet: { id: number; key: string };
  /** Members not linked yet, each with the Roblox account they will verify. */
  newcomers: { user: FakeUser; robloxId: number; robloxName: string }[];
  /** Tasks posted in #tasks, each claimable once by every member. */
  tasks: { id: number; messageId: string; reward: bigint }[];
}

export async function setUpGuild(topology: Topology, opts: { members: number; newcomers: number; stock: number; codeStock: number; tasks: number }): Promise<ChaosGuild> {
  const { discord, demo, db, roblox, apiUrls } = topology;
  const { members: memberCount, newcomers: newcomerCount, stock, codeStock, tasks: taskCount } = opts;
  const guildId = demo.guild.id;
  await waitFor(() => db.prisma.guild.findUnique({ where: { id: guildId } }), { timeoutMs: 60_000, what: 'the bot to record the guild' });
  const token = await createApiToken(db.prisma, { guildId, name: 'chaos admin', level: 'admin', createdBy: demo.owner.id, creatorLevel: 'owner' });
  // An admin's script: a server error (the shared PostgreSQL out of connections, say) is tried again.
  const api = async <T>(method: string, path: string, body: unknown): Promise<T> => {
    const answer = await waitFor(
      async () => {
        const res = await fetch(`${apiUrls[0]}/api/guilds/${guildId}${path}`, {
          method,
          headers: { authorization: `Bearer ${token.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        if (res.status >= 500) throw new Error(`${res.status}: ${text}`);
        return { ok: res.ok, status: res.status, text };
      },
      { timeoutMs: 60_000, intervalMs: 1_000, what: `${method} ${path} to answer` },
    );
    if (!answer.ok) throw new Error(`setting up the guild: ${method} ${path} answered ${answer.status}: ${answer.text}`);
    return JSON.parse(answer.text) as T;
  };
  await api('PATCH', '/settings', {
    adminRoleIds: [demo.roles.admin.id],
    adminLogChannelId: demo.channels.adminLog.id,
    verifiedRoleId: demo.roles.verified.id,
    unverifiedRoleId: demo.roles.unverified.id,
    disabledFeatures: [],
  });
  await api('PATCH', '/economy/settings', { dailyAmount: '100', dailyCooldownSeconds: 1, adminAdjustLimitPerMinute: 60 });
  await api('PATCH', '/codes/settings', { topupsPerMemberPerHour: 1000, ordersPerMemberPerHour: 1000 });
  const codePrice = 12_000n;
  await api('PUT', '/codes/packages/1', { price: Number(codePrice), active: true });
  const codes = Array.from({ length: codeStock }, () => `CHAOS-${randomBytes(6).toString('hex').toUpperCase()}`);
  await api('POST', '/codes/import', { codes: codes.join('\n') });
  const price = 500n;
  const item = await api<{ id: number }>('POST', '/shop/items', { name: 'Chaos Pass', description: 'Few of them, many buyers.', price: String(price), stock });
  const boostRole = discord.createRole(guildId, { name: 'Chaos Booster' });
  const timedRole = { name: 'Chaos Boost', roleId: boostRole.id, seconds: 5 };
  const timedItem = await api<{ id: number }>('POST', '/shop/items', { name: timedRole.name, description: 'A role for a few seconds.', price: '50', roleId: timedRole.roleId, roleDurationSeconds: timedRole.seconds });

  // Tasks post in #tasks and are reviewed in #admin-log; no revoke window, so an accepted claim's flow ends.
  await api('PATCH', '/tasks/settings', { taskChannelId: demo.channels.tasks.id, reviewChannelId: demo.channels.adminLog.id, revokeWindowSeconds: 0 });
  const tasks: ChaosGuild['tasks'] = [];
  for (let i = 0; i < taskCount; i++) {
    const task = await api<{ id: number }>('POST', '/tasks', { name: `Chaos task ${i + 1}`, description: 'Prove it under faults.', reward: '300', maxClaims: memberCount, claimDurationSeconds: 600 });
    const messageId = await waitFor(async () => (await db.prisma.task.findUniqueOrThrow({ where: { id: task.id } })).messageId, { timeoutMs: 60_000, what: `task ${task.id}'s post` });
    tasks.push({ id: task.id, messageId, reward: 300n });
  }

  const keyring = createCodeKeyring({ id: 'chaos', key: Buffer.from(CHAOS_CODE_KEY, 'base64') });
  const owner = { actorType: 'user', actorId: `discord:${demo.owner.id}` };
  const game = await registerGame(db.prisma, keyring, { guildId, name: 'Chaos Game' }, owner);
  const pet = await upsertSpecies(db.prisma, guildId, { key: 'chaos-dragon', name: 'Chaos Dragon', rarity: 'rare', value: 100n }, owner);
  // Seconds (the admin command counts minutes), so some withdrawals expire during the run.
  const withdrawTimeoutSeconds = 8;
  await db.prisma.tradeSettings.upsert({ where: { guildId }, create: { guildId, withdrawTimeoutSeconds }, update: { withdrawTimeoutSeconds } });

  const members: ChaosGuild['members'] = [];
  for (let i = 0; i < memberCount; i++) {
    const user = discord.createUser({ username: `chaos-member-${i}` });
    discord.addMember(guildId, user.id);
    const account = roblox.addUser({ name: `ChaosPlayer${i}`, displayName: `Player ${i}` });
    // An admin links the account with `/verify-admin force`, and runs it again if no link came of it.
    const linked = () => db.prisma.robloxLink.findUnique({ where: { guildId_userId: { guildId, userId: user.id } } });
    for (let attempt = 1; !(await linked()); attempt++) {
      const h = discord.slash(guildId, demo.admin.id, 'verify-admin', { user: user.id, username: account.name }, { subcommand: 'force' });
      await waitFor(linked, { timeoutMs: 20_000, what: `the Roblox link of ${user.username}` }).catch((err: Error) => {
        if (attempt === 3) throw new Error(`${err.message} (last answer: ${JSON.stringify(h.responses().at(-1)?.data ?? null)})`);
      });
    }
    members.push({ user, robloxId: account.id });
  }
  // Newcomers who verify themselves during the run (/verify, the phrase in their profile, Check).
  const newcomers = Array.from({ length: newcomerCount }, (_, i) => {
    const user = discord.createUser({ username: `chaos-newcomer-${i}` });
    discord.addMember(guildId, user.id, { roles: [demo.roles.unverified.id] });
    const account = roblox.addUser({ name: `ChaosNewcomer${i}`, displayName: `Newcomer ${i}`, description: 'Just arrived.' });
    return { user, robloxId: account.id, robloxName: account.name };
  });
  return {
    guildId,
    adminToken: token.token,
    adminTokenId: token.id,
    members,
    item: { id: item.id, name: 'Chaos Pass', price, stock },
    timedRoleItem: { id: timedItem.id, ...timedRole },
    codes: { stock: codeStock, price: codePrice },
    game: { id: game.id, secret: game.secret, withdrawTimeoutSeconds },
    pet: { id: pet.id, key: pet.key },
    tasks,
    newcomers,
  };
}
