import { RefusalError } from '../../lib/errors';
import { VERIFY_FAILURES } from '../../lib/flows/verify';

/**
 * Verification's refusals: a stable `code` (bot replies, API bodies), an HTTP status and the failure type
 * from VERIFY_FAILURES that activities raise (non-retryable).
 */
class VerifyError extends RefusalError {}

export const accountTaken = (robloxName: string) =>
  new VerifyError(
    'roblox_account_taken',
    VERIFY_FAILURES.accountTaken,
    `The Roblox account ${robloxName} is already linked to another member of this server. If it is yours, ask an admin (they can link it with /verify-admin force).`,
  );
export const robloxNotConfigured = () =>
  new VerifyError('roblox_not_configured', VERIFY_FAILURES.robloxNotConfigured, 'Guildflow cannot reach Roblox: no Roblox client is configured on the worker.', 503);
export const robloxUserGone = (robloxId: number) => new VerifyError('roblox_user_gone', VERIFY_FAILURES.robloxUserGone, `The Roblox account ${robloxId} no longer exists.`, 404);
export const robloxRefused = (message: string) => new VerifyError('roblox_refused', VERIFY_FAILURES.robloxRefused, message, 502);
