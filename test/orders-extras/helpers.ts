import type { APIActionRowComponent, APIButtonComponentWithCustomId } from 'discord.js';
import { createLedger, systemAccount, userAccount } from '../../activities/ledger';
import type { OrderState } from '../../lib/flows/orders';
import type { E2E } from '../e2e/harness';
import type { MessageRecord } from '../fakes/discord';

/** A new member of the demo guild with `funds` in the guild currency. */
export async function fundedMember(e2e: E2E, name: string, funds: bigint): Promise<string> {
  const guildId = e2e.demo.guild.id;
  const u = e2e.discord.createUser({ username: name });
  e2e.discord.addMember(guildId, u.id);
  if (funds > 0n) {
    await createLedger(e2e.prisma).transfer({ guildId, key: `fund:${u.id}`, type: 'admin_adjust', actor: { type: 'system', id: 'test' }, asset: 'currency', from: systemAccount('issuance'), to: userAccount(u.id), amount: funds });
  }
  return u.id;
}

export const buttons = (m: MessageRecord | undefined) =>
  (m?.components ?? []).flatMap((row) => (row as APIActionRowComponent<APIButtonComponentWithCustomId>).components ?? []);

/** /order package → Confirm, as the member does it; waits for the order's flow to end. */
export async function orderAndConfirm(e2e: E2E, userId: string, size: number) {
  const slash = e2e.discord.slash(e2e.demo.guild.id, userId, 'order', { package: size });
  await slash.waitForResponse();
  const confirm = buttons(slash.original()).find((b) => b.label === 'Confirm')!;
  const click = e2e.discord.clickButton(slash.original()!, confirm.custom_id, userId);
  await click.waitForResponse();
  await e2e.waitForWorkflow(`order:${slash.id}`, 'COMPLETED');
  return { slash, orderId: slash.id, result: await e2e.workflowResult<OrderState>(`order:${slash.id}`) };
}


/** What a deferred command finally said: its edited reply's embed, or the follow-up its error became. */
export function finalAnswer(e2e: E2E, h: { original(): MessageRecord | undefined; followUps(): MessageRecord[] }, what: string): Promise<{ ok: boolean; text: string }> {
  return e2e.discord.waitFor(() => {
    // An error after the deferral replaces the "thinking" message with its text (or comes as a follow-up).
    const err = h.original()?.content || h.followUps()[0]?.content;
    if (err) return { ok: false, text: err };
    const done = h.original()?.embeds[0];
    return done ? { ok: true, text: `${done.title ?? ''}: ${done.description ?? ''}` } : undefined;
  }, 15_000, what);
}
