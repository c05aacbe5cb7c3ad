import type { Middleware } from 'koa';
import { requireSwitchedOn } from '../lib/feature-switches';
import type { FeatureSwitch } from '../lib/features';
import type { PrismaClient } from '../prisma/client';

/** Which switch guards the writes under each guild route prefix (`/api/guilds/:guildId/{prefix}`). */
const PREFIX_SWITCHES: Readonly<Record<string, FeatureSwitch>> = {
  economy: 'economy',
  shop: 'shop',
  tasks: 'tasks',
  verify: 'verification',
  orders: 'codeShop',
  codes: 'codeShop',
  payments: 'codeShop',
  announcements: 'announcements',
  embeds: 'announcements',
  cards: 'cards',
  'card-trades': 'cards',
};
const GUILD_ROUTE = /^\/api\/guilds\/([^/]+)\/([^/]+)/;
const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses a write to a switched-off feature (409 `feature_disabled`, naming it) before any route runs, so
 * no route needs its own check; reads stay allowed, so a dashboard still shows the feature's data.
 * Webhooks and the game API are not under these prefixes: a payment or a game's call already under way
 * still completes. It runs before the routes' token check: whether a feature is on is no secret (every
 * member's /help shows it), and refusing first means no write half-starts.
 */
export function featureSwitches(prisma: PrismaClient): Middleware {
  return async (ctx, next) => {
    const match = WRITES.has(ctx.method) ? GUILD_ROUTE.exec(ctx.path) : null;
    const feature = match && Object.hasOwn(PREFIX_SWITCHES, match[2]!) ? PREFIX_SWITCHES[match[2]!] : undefined;
    if (feature) await requireSwitchedOn(prisma, decodeURIComponent(match![1]!), feature);
    await next();
  };
}
