/**
 * `npm run playground -- scripts/playground-examples/shop-purchase.ts`: a member buys a shop item that gives
 * a role. The admin puts a limited "VIP Pass" (role @VIP) in the shop and gives the member the coins it
 * costs, through the API; the member runs /buy and confirms: coins charged, stock down, role and inventory.
 */
import { purchaseFlow } from '../../lib/flows/shop';
import { waitFor } from '../../lib/wait';
import type { Playground } from '../playground-stack';
import { buttonId, transcript } from './transcript';

const ITEM = 'VIP Pass';
const PRICE = 250n;
const STOCK = 5;

interface Item {
  id: number;
  name: string;
  price: string;
  stock: number | null;
}

export default async function shopPurchase(playground: Playground): Promise<{ workflowIds: string[]; itemId: number; price: bigint; balanceBefore: bigint; balanceAfter: bigint; stockBefore: number; stockAfter: number }> {
  const { discord, demo, prisma } = playground;
  const { guild, roles, channels, member } = demo;
  const { say, show, slash, press, flow, api, balance, nameOf } = transcript(playground);
  const items = async () => (await api<{ items: Item[] }>('GET', '/shop/items?limit=100')).items;

  say('> Admin (API): PATCH /settings — admin role @Admin, admin log #admin-log');
  await api('PATCH', '/settings', { adminRoleIds: [roles.admin.id], adminLogChannelId: channels.adminLog.id });
  // The role the item gives, made in Server Settings → Roles (below Guildflow's role, so it can give it).
  const vip = discord.roles(guild.id).find((r) => r.name === 'VIP') ?? discord.createRole(guild.id, { name: 'VIP' });

  let item = (await items()).find((i) => i.name === ITEM);
  if (!item) {
    say(`> Admin (API): POST /shop/items — "${ITEM}", ${PRICE} coins, ${STOCK} in stock, gives ${nameOf(vip.id)}`);
    item = await api<Item>('POST', '/shop/items', { name: ITEM, emoji: '⭐', description: 'The VIP lounge, for good.', price: String(PRICE), stock: STOCK, roleId: vip.id });
  }
  const price = BigInt(item.price);

  const short = price - (await balance(member.id));
  if (short > 0n) {
    say(`> Admin (API): POST /economy/adjustments — ${short} coins to the member, so they can pay`);
    await api('POST', '/economy/adjustments', { userId: member.id, amount: String(short), reason: `Playground: enough for a ${ITEM}` });
  }
  const balanceBefore = await balance(member.id);
  const stockBefore = item.stock!;
  say(`(The member has ${balanceBefore} coins; the shop has ${stockBefore} left.)`);

  const buy = await slash(member.id, 'buy', undefined, { item: ITEM });
  await press(buy.original()!, buttonId(buy.original(), 'Confirm'), member.id, 'Confirm');
  // Confirm is acknowledged at once; the purchase flow edits the confirm message with its outcome (its
  // buttons gone), usually before the answer above was printed.
  const seen = JSON.stringify(buy.original()?.embeds);
  const outcome = await discord.waitFor(() => (buy.original()?.components.length === 0 ? buy.original() : undefined), 30_000, 'the purchase outcome');
  if (JSON.stringify(outcome.embeds) !== seen) {
    say('Then the confirm message says:');
    show(outcome);
  }
  const workflowId = purchaseFlow.id(buy.id);
  flow(workflowId);

  await waitFor(async () => (await prisma.purchase.findUnique({ where: { id: buy.id } }))?.status !== 'pending', { timeoutMs: 30_000, what: 'the purchase to end' });
  const balanceAfter = await balance(member.id);
  const stockAfter = (await items()).find((i) => i.id === item.id)!.stock!;
  say(`Balance ${balanceBefore} → ${balanceAfter} coins; stock ${stockBefore} → ${stockAfter}; member's roles: ${discord.member(guild.id, member.id)?.roles.map(nameOf).join(', ')}`);
  await slash(member.id, 'inventory');
  return { workflowIds: [workflowId], itemId: item.id, price, balanceBefore, balanceAfter, stockBefore, stockAfter };
}
