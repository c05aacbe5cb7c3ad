import { ApplicationFailure } from '@temporalio/common';
import { DiscordAPIError, RESTJSONErrorCodes } from 'discord.js';
import { toDiscordFailure } from '../../activities/discord';
import { DISCORD_REFUSALS } from '../../lib/flows/discord';

function apiError(status: number, code: number): DiscordAPIError {
  return new DiscordAPIError({ code, message: 'refused' }, code, status, 'PUT', '/guilds/1/members/2/roles/3', {});
}

describe('Discord failures', () => {
  it.each([
    [403, RESTJSONErrorCodes.MissingPermissions],
    [404, RESTJSONErrorCodes.UnknownRole],
    [404, RESTJSONErrorCodes.UnknownMember],
    [404, RESTJSONErrorCodes.UnknownChannel],
    [403, RESTJSONErrorCodes.CannotSendMessagesToThisUser],
    [404, RESTJSONErrorCodes.UnknownInteraction],
    [400, 50035],
  ])('a %i (code %i) from Discord is a refusal every flow lists as non-retryable', (status, code) => {
    const failure = toDiscordFailure(apiError(status, code), 'give the role');
    expect(failure).toBeInstanceOf(ApplicationFailure);
    expect((failure as ApplicationFailure).nonRetryable).toBe(true);
    expect(DISCORD_REFUSALS).toContain((failure as ApplicationFailure).type);
  });

  it('an outage (5xx) stays retryable and is not in the refusals', () => {
    const failure = toDiscordFailure(apiError(503, 0), 'give the role') as ApplicationFailure;
    expect(failure.nonRetryable).toBe(false);
    expect(DISCORD_REFUSALS).not.toContain(failure.type);
  });
});
