import type { APIActionRowComponent, APIComponentInMessageActionRow } from 'discord-api-types/v10';
import type { MessageRecord } from '../../test/fakes/discord';
import type { transcript } from './transcript';

/** The custom id of the button labelled `label` on a message, as a member finds it by its label. */
export function buttonId(message: MessageRecord | undefined, label: string): string {
  const rows = (message?.components ?? []) as APIActionRowComponent<APIComponentInMessageActionRow>[];
  const button = rows.flatMap((r) => r.components ?? []).find((c) => 'label' in c && c.label === label && 'custom_id' in c);
  if (!button || !('custom_id' in button)) throw new Error(`no [${label}] button on "${message?.embeds[0]?.title ?? message?.content ?? '(no message)'}"`);
  return button.custom_id;
}

/** A member's coins (the guild's `currency`), read through the API as an admin's dashboard reads them. */
export async function coinsOf(api: ReturnType<typeof transcript>['api'], userId: string): Promise<bigint> {
  const { balances } = await api<{ balances: { asset: string; balance: string }[] }>('GET', `/ledger/members/${userId}/balances`);
  return BigInt(balances.find((b) => b.asset === 'currency')?.balance ?? '0');
}
