import { ValidationError } from '../../lib/errors';
import { InsufficientFundsError, userAccount, type Asset, type Ledger, type LedgerEntry } from '../ledger';
import { currencyOf } from './currency';
import { notEnoughToGive } from './errors';

export interface GiveInput {
  guildId: string;
  fromUserId: string;
  /** Who receives it, as Discord resolved the option: a bot, or a user who is not in the server, is refused. */
  to: { id: string; bot: boolean; member: boolean };
  amount: bigint;
  note?: string | null;
  /** The interaction (or request) this is: the idempotency key, so a retry never gives twice. */
  interactionId: string;
}

export interface GiveResult {
  entry: LedgerEntry;
  /** true when this interaction had already been applied: nothing changed now. */
  replayed: boolean;
  /** Balances right after the movement. */
  fromBalance: bigint;
  toBalance: bigint;
  currency: Asset;
}

export const MAX_NOTE_LENGTH = 200;

/**
 * One member gives another some of the guild's currency: one ledger movement under `give:{interactionId}`
 * (the ledger locks both accounts and refuses to take the giver below zero, so of many concurrent gives
 * of the same money only those that fit succeed). Every refusal changes nothing and says why.
 */
export async function give(ledger: Pick<Ledger, 'transfer' | 'assets' | 'ensureGuildAssets'>, input: GiveInput): Promise<GiveResult> {
  const { guildId, fromUserId, to, amount } = input;
  const currency = await currencyOf(ledger, guildId);
  if (amount <= 0n) throw new ValidationError(`The amount must be a positive number of ${currency.name}.`);
  if (to.id === fromUserId) throw new ValidationError(`You cannot give ${currency.name} to yourself.`);
  if (to.bot) throw new ValidationError(`Bots cannot hold ${currency.name}; choose a member.`);
  if (!to.member) throw new ValidationError(`<@${to.id}> is not a member of this server.`);
  const note = input.note?.trim() || null;
  if (note && note.length > MAX_NOTE_LENGTH) throw new ValidationError(`The note can be at most ${MAX_NOTE_LENGTH} characters.`);

  try {
    const { entry, replayed } = await ledger.transfer({
      guildId,
      key: `give:${input.interactionId}`,
      type: 'give',
      actor: { type: 'user', id: fromUserId },
      reason: note,
      refs: { interactionId: input.interactionId },
      asset: 'currency',
      from: userAccount(fromUserId),
      to: userAccount(to.id),
      amount,
    });
    const after = (id: string) => entry.postings.find((p) => p.account.ownerType === 'user' && p.account.ownerId === id)?.balanceAfter ?? 0n;
    return { entry, replayed, fromBalance: after(fromUserId), toBalance: after(to.id), currency };
  } catch (err) {
    if (err instanceof InsufficientFundsError) {
      throw notEnoughToGive(currency, err, amount);
    }
    throw err;
  }
}
