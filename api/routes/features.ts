import Router from '@koa/router';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { disabledFeatures, switchFeatures } from '../../lib/feature-switches';
import { FEATURE_LABELS, FEATURE_SWITCHES, type FeatureSwitch } from '../../lib/features';
import type { Logger } from '../../lib/logger';
import type { PrismaClient } from '../../prisma/client';
import { requireGuildToken, tokenAuditActor, type AuthState } from '../auth';
import { readJsonBody } from '../body';
import type { RouteDeps } from '../deps';

/** `{ "shop": false, "tasks": true }`: each named switch on or off; the others stay as they are. */
const featuresPatch = z.partialRecord(z.enum(FEATURE_SWITCHES), z.boolean()).refine((p) => Object.keys(p).length > 0, 'name at least one feature');

type GuildParams = { guildId: string };
type State = AuthState & { log: Logger };

/**
 * The guild's feature switches, the same ones `/setup features` shows (lib/feature-switches.ts):
 * - `GET …/features` (mod) → `{ features: [{ feature, label, enabled }] }`, in /setup's order;
 * - `PATCH …/features` (admin) `{ "<feature>": true|false, … }` → the same shape after the change, audited
 *   as `guild_settings.updated` like every other settings change. An unknown feature name is a 400.
 * Switching a feature off refuses its commands, buttons and API writes at once (api/feature-switches.ts).
 */
export function featureRoutes({ prisma }: RouteDeps): Router<State> {
  const router = new Router<State>({ prefix: '/api/guilds/:guildId/features' });

  router.get('/', requireGuildToken(prisma, 'mod'), async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    await requireGuild(prisma, guildId);
    ctx.body = featuresJson(await disabledFeatures(prisma, guildId));
  });

  router.patch('/', requireGuildToken(prisma, 'admin'), async (ctx) => {
    const { guildId } = ctx.params as GuildParams;
    const body = await readJsonBody(ctx);
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('body: an object of feature switches, e.g. {"shop": false}.');
    const patch = featuresPatch.parse(body);
    await requireGuild(prisma, guildId);
    ctx.body = featuresJson(new Set(await switchFeatures(prisma, guildId, patch, tokenAuditActor(ctx.state.auth))));
  });

  return router;
}

function featuresJson(off: ReadonlySet<FeatureSwitch>) {
  return { features: FEATURE_SWITCHES.map((feature) => ({ feature, label: FEATURE_LABELS[feature], enabled: !off.has(feature) })) };
}

async function requireGuild(prisma: PrismaClient, guildId: string): Promise<void> {
  if (!(await prisma.guild.findUnique({ where: { id: guildId }, select: { id: true } }))) throw new NotFoundError(`Guild ${guildId} is not known to Guildflow.`);
}
