import { RefusalError } from '../../lib/errors';
import { PAD_FAILURES } from '../../lib/flows/pads';

/** Pad refusals; `failureType` is from PAD_FAILURES (lib/flows/pads.ts). */
class PadError extends RefusalError {}

/** The pad is in a state that does not allow the request (nothing runs on it, it does not exist here): 409 `pad_state`. */
export class PadStateError extends PadError {
  constructor(message: string) {
    super('pad_state', PAD_FAILURES.state, message, 409);
  }
}
