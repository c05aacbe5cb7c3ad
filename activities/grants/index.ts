/**
 * Grants: named permissions (lib/grants.ts) given to members or roles, and the one check that honours
 * them beside the member's level (the bot's router, the API's token guard, task reviews).
 */
export * from './access';
export * from './grants';
