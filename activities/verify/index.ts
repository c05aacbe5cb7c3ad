/**
 * Roblox verification: the `verify:{guild}:{user}` workflow's activities, the links and settings services
 * for the bot and the API, and the messages both show. Its public face is lib/flows/verify.ts.
 */
export * from './errors';
export * from './service';
export * from './messages';
export * from './binds';
