/**
 * `npm run playground -- scripts/playground-examples/code-order.ts`: the code shop. The admin prices the
 * 1-code package and imports a few codes through the API, then credits the member the price; the member
 * orders with `/order`, confirms, and receives one code by DM while the price is charged once.
 */
import { randomBytes } from 'node:crypto';
import type { Playground } from '../playground-stack';
import { buttonId, transcript } from './transcript';

const PRICE = 15_000n;

export default async function codeOrder(playground: Playground): Promise<{ workflowIds: string[]; orderId: string; price: bigint; imported: string[]; deliveredCode: string; balanceFunded: bigint; balanceAfter: bigint }> {
  const { discord, demo } = playground;
  const { member } = demo;
  const { say, show, slash, press, flow, api, balance } = transcript(playground);

  // Codes are unique in a guild's stock: a fresh batch on every run.
  const batch = randomBytes(3).toString('hex').toUpperCase();
  const imported = [1, 2, 3].map((n) => `GIFT-${batch}-000${n}`);
  say('> Admin (API): PUT /codes/packages/1 {"price":15000,"active":true}');
  const pkg = await api<{ quantity: number; price: string; active: boolean }>('PUT', '/codes/packages/1', { price: Number(PRICE), active: true });
  console.log(`    package of ${pkg.quantity} code: ${pkg.price} coins, ${pkg.active ? 'on sale' : 'hidden'}`);
  say(`> Admin (API): POST /codes/import (${imported.length} codes)`);
  const report = await api<{ added: number; duplicates: number; invalid: unknown[]; available: number }>('POST', '/codes/import', { codes: imported.join('\n') });
  console.log(`    added ${report.added}, duplicates ${report.duplicates}, invalid ${report.invalid.length}; ${report.available} available`);

  say(`> Admin (API): POST /economy/adjustments +${PRICE} coins for ${member.username}`);
  const adjusted = await api<{ balance: string }>('POST', '/economy/adjustments', { userId: member.id, amount: String(PRICE), reason: 'Playground: funds for a code order' });
  const balanceFunded = BigInt(adjusted.balance);
  console.log(`    ${member.username}'s balance is now ${balanceFunded}`);

  const order = await slash(member.id, 'order', undefined, { package: 1 });
  const orderId = order.id;
  await press(order.original()!, buttonId(order.original(), 'Confirm'), member.id, 'Confirm');
  const completeAtOnce = order.original()?.embeds[0]?.title === 'Order complete';
  const workflowId = `order:${orderId}`;
  flow(workflowId);

  const dm = await discord.waitFor(() => discord.dms(member.id).find((m) => m.embeds[0]?.footer?.text?.includes(workflowId)), 30_000, 'the codes by DM');
  say(`${member.username} gets a DM:`);
  show(dm);
  const deliveredCode = imported.find((code) => dm.embeds[0]?.description?.includes(code));
  if (!deliveredCode) throw new Error('the DM carries none of the imported codes');
  const receipt = await discord.waitFor(() => (order.original()?.embeds[0]?.title === 'Order complete' ? order.original() : undefined), 30_000, 'the receipt');
  if (!completeAtOnce) {
    say(`The order message ${member.username} confirmed now shows:`);
    show(receipt);
  }

  const balanceAfter = await balance(member.id);
  console.log(`\n${member.username} now has ${balanceAfter} coins (${balanceAfter - balanceFunded}); the admin finds the order at GET /orders/${orderId}.`);
  return { workflowIds: [workflowId], orderId, price: PRICE, imported, deliveredCode, balanceFunded, balanceAfter };
}
