import { AppError } from '../../../lib/errors';
import type { CardTradeLineInput, CardTradeTerms } from '../../../lib/flows/card-trades';

/** Reads what members type about a trade's terms: card lines and cash. */

/** `12x2, 15` → item 12 × 2, item 15 × 1. */
function parseLines(text: string | null | undefined, what: string): CardTradeLineInput[] {
  const t = text?.trim();
  if (!t) return [];
  return t.split(/[,\s]+/).filter(Boolean).map((part) => {
    const m = /^#?(\d{1,18})(?:[x×*](\d{1,4}))?$/i.exec(part);
    if (!m) throw new AppError('invalid_input', `${what}: "${part}" is not a card; write collection item ids with copies, e.g. 12x2, 15.`);
    return { collectionItemId: m[1]!, quantity: m[2] ? Number(m[2]) : 1 };
  });
}

/** The inverse: item 12 × 2, item 15 × 1 → `12x2, 15`. */
export function linesText(lines: readonly CardTradeLineInput[]): string {
  return lines.map((l) => (l.quantity === 1 ? l.collectionItemId : `${l.collectionItemId}x${l.quantity}`)).join(', ');
}

/** Dollars (`12.50`) → cents. */
function parseCash(text: string | number | null | undefined): number {
  if (text === null || text === undefined || text === '') return 0;
  const n = typeof text === 'number' ? text : Number(String(text).replace(/^\$/, '').trim());
  if (!Number.isFinite(n) || n < 0 || n > 100_000) throw new AppError('invalid_input', 'Cash is an amount in dollars from 0 to 100000, e.g. 12.50.');
  return Math.round(n * 100);
}

/** Terms as a member typed them (options of /cards propose, or a terms form). */
export interface TypedTerms {
  offer?: string | null;
  ask?: string | null;
  cash?: string | number | null;
  cashPayer?: string | null;
  message?: string | null;
}

export function termsFrom(input: TypedTerms, actor: string, other: string): CardTradeTerms {
  const cashCents = parseCash(input.cash);
  const payer = input.cashPayer?.trim().toLowerCase();
  if (payer && payer !== 'me' && payer !== 'them') throw new AppError('invalid_input', 'Who pays the cash: "me" or "them".');
  return {
    offered: parseLines(input.offer, 'Your cards'),
    asked: parseLines(input.ask, 'Their cards'),
    cashCents,
    cashPayerId: cashCents > 0 ? (payer === 'them' ? other : actor) : null,
    message: input.message?.trim() || null,
  };
}
