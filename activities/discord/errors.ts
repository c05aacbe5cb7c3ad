import { ApplicationFailure } from '@temporalio/common';
import { DiscordAPIError, HTTPError, RateLimitError } from '@discordjs/rest';
import { RESTJSONErrorCodes } from 'discord-api-types/v10';
import { DISCORD_FAILURES } from '../../lib/flows/discord';

/**
 * Discord's answers as Temporal sees them. Refusals that a retry cannot fix (missing permission, role
 * above the bot's, unknown role/member/channel, closed DMs) become non-retryable ApplicationFailures
 * whose `type` says what happened and whose message is written for the member or the admin who reads
 * it; outages (5xx, 429, timeouts, network) stay retryable.
 */
export function discordNotConfigured(what: string): ApplicationFailure {
  return ApplicationFailure.nonRetryable(
    `Guildflow cannot ${what}: DISCORD_TOKEN is not set on the worker (see .env.example).`,
    DISCORD_FAILURES.notConfigured,
  );
}

/** The JSON error code of a Discord refusal, if `err` is one. */
export function discordCode(err: unknown): number | undefined {
  return err instanceof DiscordAPIError && typeof err.code === 'number' ? err.code : undefined;
}

/**
 * Turns an error of a REST call into what the activity throws. `what` completes "Guildflow could not …"
 * ("give <@1> the role <@&2>"); `explain` may replace the message of a refusal with a better diagnosis.
 */
export function toDiscordFailure(err: unknown, what: string, explain?: Partial<Record<string, string>>): unknown {
  if (err instanceof RateLimitError) {
    return ApplicationFailure.create({
      message: `Discord rate-limited Guildflow while trying to ${what}; retrying in ${err.retryAfter} ms.`,
      type: DISCORD_FAILURES.rateLimited,
      nextRetryDelay: Math.max(err.retryAfter, 100),
    });
  }
  if (err instanceof HTTPError) {
    return ApplicationFailure.retryable(`Discord answered ${err.status} while Guildflow tried to ${what}.`, DISCORD_FAILURES.unavailable);
  }
  if (!(err instanceof DiscordAPIError)) return err; // network, timeout: Temporal retries
  if (err.status >= 500 || err.status === 429) {
    return ApplicationFailure.retryable(`Discord answered ${err.status} while Guildflow tried to ${what}.`, DISCORD_FAILURES.unavailable);
  }
  const type = failureTypeOf(err);
  const message = explain?.[type] ?? `Guildflow could not ${what}: ${describe(err)}`;
  return ApplicationFailure.nonRetryable(message, type, { status: err.status, code: err.code });
}

function failureTypeOf(err: DiscordAPIError): string {
  switch (err.code) {
    case RESTJSONErrorCodes.MissingPermissions:
    case RESTJSONErrorCodes.MissingAccess:
      return DISCORD_FAILURES.missingPermissions;
    case RESTJSONErrorCodes.UnknownRole:
      return DISCORD_FAILURES.unknownRole;
    case RESTJSONErrorCodes.UnknownMember:
    case RESTJSONErrorCodes.UnknownUser:
      return DISCORD_FAILURES.unknownMember;
    case RESTJSONErrorCodes.UnknownChannel:
      return DISCORD_FAILURES.unknownChannel;
    case RESTJSONErrorCodes.CannotSendMessagesToThisUser:
    case RESTJSONErrorCodes.CannotSendMessagesToThisUserDueToHavingNoMutualGuilds:
      return DISCORD_FAILURES.cannotDm;
    case RESTJSONErrorCodes.UnknownWebhook:
    case RESTJSONErrorCodes.InvalidWebhookToken:
    case RESTJSONErrorCodes.UnknownInteraction:
    case RESTJSONErrorCodes.UnknownMessage:
      return DISCORD_FAILURES.interactionExpired;
    default:
      return err.status === 401 && String(err.url).includes('/webhooks/') ? DISCORD_FAILURES.interactionExpired : DISCORD_FAILURES.rejected;
  }
}

function describe(err: DiscordAPIError): string {
  switch (err.code) {
    case RESTJSONErrorCodes.MissingPermissions:
      return 'it is missing a permission (Discord error 50013).';
    case RESTJSONErrorCodes.MissingAccess:
      return 'it cannot see that channel (Discord error 50001).';
    case RESTJSONErrorCodes.UnknownRole:
      return 'the role no longer exists.';
    case RESTJSONErrorCodes.UnknownMember:
      return 'the member is no longer in the server.';
    case RESTJSONErrorCodes.UnknownChannel:
      return 'the channel no longer exists.';
    case RESTJSONErrorCodes.CannotSendMessagesToThisUser:
      return 'the member does not accept direct messages.';
    default:
      return `Discord refused (${err.status}, code ${String(err.code)}: ${err.message}).`;
  }
}
