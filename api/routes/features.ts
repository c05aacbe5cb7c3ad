import type Router from '@koa/router';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { disabledFeatures, switchFeatures } from '../../lib/feature-switches';
import { type FeatureSwitch } from '../../lib/features';
import { FEATURE_LABELS, FEATURE_SWITCHES } from '../../lib/requests/guild-settings';
import type { PrismaClient } from '../../prisma/client';
import { tokenAuditActor } from '../auth';
import type { RouteDeps } from '../deps';
import { route, routerOf, type RouteState } from '../openapi/route';
import { errorBody } from '../openapi/schemas';

const featureName = z.enum(FEATURE_SWITCHES).meta({ id: 'FeatureSwitch' });
/** `{ "shop": false, "tasks": true }`: each named switch on or off; the others stay as they are. */
const featuresPatch = z.partialRecord(featureName, z.boolean()).refine((p) => Object.keys(p).length > 0, 'name at least one feature');
const featuresJsonSchema = z.object({ features: z.array(z.object({ feature: featureName, label: z.string(), enabled: z.boolean() })) }).meta({ id: 'Features' });

const TAG = 'features';
const unknownGuild = { description: 'The guild is not known to Guildflow.', schema: errorBody };

/**
 * The guild's feature switches, the same ones `/setup features` shows (lib/feature-switches.ts), in
 * /setup's order; a change is audited as `guild_settings.updated` like every other settings change, and
 * an unknown feature name is a 400. Switching a feature off refuses its commands, buttons and API writes
 * at once (api/feature-switches.ts).
 */
export function featureRoutes(deps: RouteDeps): Router<RouteState> {
  const { prisma } = deps;
  return routerOf('/api/guilds/:guildId/features', deps, [
    route({
      method: 'get',
      path: '/',
      summary: "The guild's feature switches",
      tag: TAG,
      access: { kind: 'guild', level: 'mod' },
      responses: { 200: { description: 'Every switch, on or off.', schema: featuresJsonSchema }, 404: unknownGuild },
      handler: async (ctx) => {
        const guildId = ctx.params.guildId!;
        await requireGuild(prisma, guildId);
        ctx.body = featuresJson(await disabledFeatures(prisma, guildId));
      },
    }),
    route({
      method: 'patch',
      path: '/',
      summary: 'Switch features on or off',
      description: 'Each named switch on or off; the others stay as they are.',
      tag: TAG,
      access: { kind: 'guild', level: 'admin' },
      // Read as JSON here and checked in the handler: a body that is not an object gets its own message.
      jsonBody: featuresPatch,
      responses: { 200: { description: 'Every switch after the change.', schema: featuresJsonSchema }, 404: unknownGuild },
      handler: async (ctx, { json: body }) => {
        const guildId = ctx.params.guildId!;
        if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ValidationError('body: an object of feature switches, e.g. {"shop": false}.');
        const patch = featuresPatch.parse(body);
        await requireGuild(prisma, guildId);
        ctx.body = featuresJson(new Set(await switchFeatures(prisma, guildId, patch, tokenAuditActor(ctx.state.auth))));
      },
    }),
  ]);
}

function featuresJson(off: ReadonlySet<FeatureSwitch>) {
  return { features: FEATURE_SWITCHES.map((feature) => ({ feature, label: FEATURE_LABELS[feature], enabled: !off.has(feature) })) };
}

async function requireGuild(prisma: PrismaClient, guildId: string): Promise<void> {
  if (!(await prisma.guild.findUnique({ where: { id: guildId }, select: { id: true } }))) throw new NotFoundError(`Guild ${guildId} is not known to Guildflow.`);
}
