/**
 * `npm run playground -- scripts/playground-examples/game-trades.ts`: gems and pets in and out of a Roblox
 * game. The admin registers the game and a pet and links the member's Roblox account; the game server
 * reports a signed deposit (receipt by DM); the member withdraws part of it with `/withdraw`, and the game
 * claims and confirms the delivery.
 */
import { randomBytes } from 'node:crypto';
import { depositId, depositWorkflowId } from '../../lib/flows/trades';
import { waitFor } from '../../lib/wait';
import { createGameServerClient } from '../../test/fakes/game-server-client';
import type { Playground } from '../playground-stack';
import { transcript } from './transcript';

const DEPOSIT_GEMS = 1_000n;
const WITHDRAW_GEMS = 400n;
const PET = { key: 'dragon', name: 'Dragon', rarity: 'legendary', value: 500 };
/** What the game reports as traded in: two shiny dragons and a normal one; the shiny stack goes back out. */
const DEPOSIT_PETS = [
  { species: PET.key, variant: 'shiny', quantity: 2 },
  { species: PET.key, variant: 'normal', quantity: 1 },
];
const WITHDRAW_VARIANT = 'shiny';

interface Game {
  id: string;
  secret: string;
}

export default async function gameTrades(playground: Playground): Promise<{
  workflowIds: string[];
  depositId: string;
  withdrawalId: string;
  /** The member's /withdraw answer, which the flow edits with the outcome. */
  withdrawMessageId: string;
  petKey: string;
  gems: { before: bigint; afterDeposit: bigint; afterWithdrawal: bigint };
  deposited: { gems: bigint; pets: typeof DEPOSIT_PETS };
  withdrawn: { gems: bigint; variant: string };
}> {
  const { discord, roblox, demo } = playground;
  const { admin, member, roles } = demo;
  const { say, show, slash, flow, api, balance } = transcript(playground);

  // Staff roles for the admin's slash commands, the roles a Roblox link gives, and trades switched on.
  const { settings } = await api<{ settings: { adminRoleIds: string[]; disabledFeatures: string[] } | null }>('GET', '');
  say(`> Admin (API): PATCH /settings: @Admin is the admin role, @Verified / @Unverified the verification roles, trades on`);
  await api('PATCH', '/settings', {
    adminRoleIds: [...new Set([...(settings?.adminRoleIds ?? []), roles.admin.id])],
    verifiedRoleId: roles.verified.id,
    unverifiedRoleId: roles.unverified.id,
    disabledFeatures: (settings?.disabledFeatures ?? []).filter((f) => f !== 'trades'),
  });

  const registered = await slash(admin.id, 'trades', 'register-game', { name: 'Pet Sim Demo' });
  const game = gameOf(registered.original()?.embeds[0]?.description ?? '');
  await slash(admin.id, 'trades', 'pet', PET);

  const player = roblox.addUser({ name: `MiaPlays${randomBytes(2).toString('hex')}`, displayName: 'Mia' });
  say(`(${member.username} plays as ${player.name}, Roblox user ${player.id}.)`);
  await slash(admin.id, 'verify-admin', 'force', { user: member.id, username: player.name });

  const before = await balance(member.id, 'gems');
  const server = createGameServerClient({ baseUrl: playground.api, gameId: game.id, secret: game.secret });
  const tradeId = `trade-${randomBytes(4).toString('hex')}`;
  const report = { tradeId, robloxUserId: String(player.id), serverId: 'demo-server-1', gems: Number(DEPOSIT_GEMS), pets: DEPOSIT_PETS };
  say(`> Game server: POST /roblox/v1/deposits ${JSON.stringify(report)} (signed with the game's secret)`);
  const deposited = await server.request('POST', '/roblox/v1/deposits', report);
  console.log(`    ${deposited.status} ${deposited.text}`);
  if (deposited.status !== 200) throw new Error('the deposit was not credited');
  const deposit = depositId(game.id, tradeId);
  flow(depositWorkflowId(deposit));
  const receipt = await discord.waitFor(() => discord.dms(member.id).find((m) => m.embeds[0]?.footer?.text?.includes(depositWorkflowId(deposit))), 30_000, 'the deposit receipt DM');
  say(`${member.username} gets a DM:`);
  show(receipt);
  const afterDeposit = await balance(member.id, 'gems');

  const asked = await slash(member.id, 'withdraw', undefined, { gems: Number(WITHDRAW_GEMS) });
  const menu = asked.original()!;
  const stack = petMenu(menu).options.find((o) => o.value.endsWith(`:${WITHDRAW_VARIANT}`));
  if (!stack) throw new Error(`the pet menu offers no ${WITHDRAW_VARIANT} stack`);
  say(`> Member picks "${stack.label}" in the pet menu`);
  const picked = discord.selectMenu(menu, petMenu(menu).custom_id, member.id, [stack.value]);
  await picked.waitForResponse(15_000);
  const waiting = await discord.waitFor(() => (discord.message(menu.id)?.embeds[0]?.title === 'Withdrawal started' ? discord.message(menu.id) : undefined), 15_000, 'the withdrawal to start');
  show(waiting);
  const withdrawalFlow = /withdraw:\S+/.exec(waiting.embeds[0]?.footer?.text ?? '')?.[0];
  if (!withdrawalFlow) throw new Error('the withdrawal names no flow');
  const withdrawalId = withdrawalFlow.slice('withdraw:'.length);
  flow(withdrawalFlow);

  say(`> Game server (polling while ${player.name} is in it): GET /roblox/v1/withdrawals?players=${player.id}`);
  // The flow escrows the items before the game can see the withdrawal: the game polls until it does.
  const pending = await waitFor(
    async () => {
      const r = await server.request('GET', `/roblox/v1/withdrawals?players=${player.id}`);
      return (r.json as { withdrawals?: { id: string }[] }).withdrawals?.some((w) => w.id === withdrawalId) && r;
    },
    { timeoutMs: 30_000, intervalMs: 250, what: 'the withdrawal to reach the game' },
  );
  console.log(`    ${pending.status} ${pending.text}`);
  say(`> Game server: POST /roblox/v1/withdrawals/${withdrawalId}/claim`);
  const claim = await server.request('POST', `/roblox/v1/withdrawals/${withdrawalId}/claim`);
  console.log(`    ${claim.status} ${claim.text}`);
  const delivered = { gems: Number(WITHDRAW_GEMS), pets: DEPOSIT_PETS.filter((p) => p.variant === WITHDRAW_VARIANT) };
  say(`> Game server gives the items, then: POST /roblox/v1/withdrawals/${withdrawalId}/confirm ${JSON.stringify({ delivered })}`);
  const confirm = await server.request('POST', `/roblox/v1/withdrawals/${withdrawalId}/confirm`, { delivered });
  console.log(`    ${confirm.status} ${confirm.text}`);
  if (confirm.status !== 200) throw new Error('the delivery was not confirmed');
  const outcome = await discord.waitFor(() => (discord.message(menu.id)?.embeds[0]?.title === 'Withdrawal delivered' ? discord.message(menu.id) : undefined), 30_000, 'the withdrawal outcome');
  say(`${member.username}'s /withdraw message now shows:`);
  show(outcome);

  const afterWithdrawal = await balance(member.id, 'gems');
  console.log(`\n${member.username}'s gems: ${before} → ${afterDeposit} after the deposit → ${afterWithdrawal} after the withdrawal.`);
  return {
    workflowIds: [depositWorkflowId(deposit), withdrawalFlow],
    depositId: deposit,
    withdrawalId,
    withdrawMessageId: menu.id,
    petKey: PET.key,
    gems: { before, afterDeposit, afterWithdrawal },
    deposited: { gems: DEPOSIT_GEMS, pets: DEPOSIT_PETS },
    withdrawn: { gems: WITHDRAW_GEMS, variant: WITHDRAW_VARIANT },
  };
}

/** The game id and secret from `/trades register-game`'s answer (the secret is shown once, as a spoiler). */
function gameOf(answer: string): Game {
  const id = /Game id: `([^`]+)`/.exec(answer)?.[1];
  const secret = /\|\|`([^`]+)`\|\|/.exec(answer)?.[1];
  if (!id || !secret) throw new Error(`the game was not registered: ${answer}`);
  return { id, secret };
}

function petMenu(message: { components: unknown[] }): { custom_id: string; options: { label: string; value: string }[] } {
  const menu = (message.components as { components?: { custom_id: string; options?: { label: string; value: string }[] }[] }[]).flatMap((row) => row.components ?? []).find((c) => c.options);
  if (!menu) throw new Error('/withdraw showed no pet menu');
  return { custom_id: menu.custom_id, options: menu.options ?? [] };
}
