/**
 * Roblox verification (issue 6): the `verify:{guild}:{user}` workflow's activities, the links and
 * settings services for the bot and the API, and the messages both show.
 */
export * from './types';
export * from './service';
export * from './messages';
export { createVerifyActivities, VERIFY_FAILURES, type VerifyActivities } from './activities';
