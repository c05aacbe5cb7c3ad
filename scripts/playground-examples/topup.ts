/**
 * `npm run playground -- scripts/playground-examples/topup.ts`: a member tops up with `/topup` and sees the
 * QRIS code privately; the script pays it at the fake Midtrans, whose signed notification reaches our
 * webhook, and the member gets the receipt by DM with their new balance.
 */
import type { Playground } from '../playground-stack';
import { transcript } from './transcript';

const AMOUNT = 50_000n;

export default async function topup(playground: Playground): Promise<{ workflowIds: string[]; paymentId: string; amount: bigint; balanceBefore: bigint; balanceAfter: bigint }> {
  const { discord, midtrans, demo } = playground;
  const { member } = demo;
  const { say, show, slash, flow, balance } = transcript(playground);

  const balanceBefore = await balance(member.id);
  console.log(`${member.username} has ${balanceBefore} coins.`);

  const h = await slash(member.id, 'topup', undefined, { amount: Number(AMOUNT) });
  // The QR image comes with the charge: the first answer may still say it is being created.
  const shownWithQr = Boolean(h.original()?.attachments.length);
  const qr = await discord.waitFor(() => (h.original()?.attachments.length ? h.original() : undefined), 15_000, 'the QR code');
  if (!shownWithQr) show(qr);
  console.log(`    (only ${member.username} sees this answer; it carries ${qr.attachments.map((a) => a.filename).join(', ')})`);
  const footer = qr.embeds[0]?.footer?.text ?? '';
  const workflowId = /topup:\S+/.exec(footer)?.[0];
  if (!workflowId) throw new Error(`the QR answer names no top-up flow (footer ${JSON.stringify(footer)})`);
  const paymentId = workflowId.slice('topup:'.length);
  flow(workflowId);

  say(`(The member scans the QR with an e-wallet: the fake Midtrans settles ${paymentId} and notifies ${playground.api}/webhooks/midtrans.)`);
  await midtrans.pay(paymentId);
  const delivered = midtrans.notifications().filter((n) => n.orderId === paymentId && n.body.transaction_status === 'settlement');
  console.log(`    webhook answered ${delivered.flatMap((n) => n.attempts.map((a) => a.status ?? a.error)).join(', ')}`);

  const receipt = await discord.waitFor(() => discord.dms(member.id).find((m) => m.embeds[0]?.title === 'Top-up received' && m.embeds[0]?.footer?.text?.includes(workflowId)), 30_000, 'the receipt DM');
  say(`${member.username} gets a DM:`);
  show(receipt);

  const balanceAfter = await balance(member.id);
  console.log(`\n${member.username} now has ${balanceAfter} coins (+${balanceAfter - balanceBefore}).`);
  return { workflowIds: [workflowId], paymentId, amount: AMOUNT, balanceBefore, balanceAfter };
}
