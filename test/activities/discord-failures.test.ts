import { NON_RETRYABLE_DISCORD_FAILURES } from '../../activities/discord';
import { DISCORD_REFUSALS } from '../../workflows/activity-options';

describe('activity options', () => {
  it('the flows treat exactly the Discord failures the activities raise as refusals as non-retryable', () => {
    // Workflows cannot import the activities' module (it loads discord.js), so the list lives twice.
    expect([...DISCORD_REFUSALS].sort()).toEqual([...NON_RETRYABLE_DISCORD_FAILURES].sort());
  });
});
