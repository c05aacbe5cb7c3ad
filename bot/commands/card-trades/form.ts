import { TextInputStyle, type ModalSubmitInteraction } from 'discord.js';
import { textInputRow } from '../../interaction';
import type { TypedTerms } from './terms';

/**
 * The form members type a trade's terms in (a counter, a proposal from a match): cards as collection
 * item ids with copies (`12x2, 15`), cash in dollars, who pays it, a note.
 */

/** What the form shows already filled in. */
export interface TermsFormValues {
  offer?: string;
  ask?: string;
  cash?: string;
  payer?: string;
  message?: string;
}

/** The form's five inputs (Discord's most per modal). */
export function termsFormFields(values: TermsFormValues = {}) {
  return [
    textInputRow('offer', 'Your cards (item ids with copies)', TextInputStyle.Short, false, 1000, values.offer, '12x2, 15'),
    textInputRow('ask', 'Their cards (item ids with copies)', TextInputStyle.Short, false, 1000, values.ask, '31'),
    textInputRow('cash', 'Cash in USD (optional)', TextInputStyle.Short, false, 12, values.cash, '0'),
    textInputRow('payer', 'Who pays the cash: me or them', TextInputStyle.Short, false, 4, values.payer, 'me'),
    textInputRow('message', 'A note', TextInputStyle.Paragraph, false, 1000, values.message),
  ];
}

/** What was typed in the form, for termsFrom. */
export function typedTermsOf(modal: ModalSubmitInteraction): TypedTerms {
  const get = (id: string) => modal.fields.getTextInputValue(id);
  return { offer: get('offer'), ask: get('ask'), cash: get('cash'), cashPayer: get('payer'), message: get('message') };
}
