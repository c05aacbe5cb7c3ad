import { z } from 'zod';

/** The one error body (api/errors.ts) every failure answers with. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.string().meta({ description: 'Stable, for programs: invalid_input, unauthorized, forbidden, not_found, …' }),
      message: z.string().meta({ description: 'For the person reading it.' }),
      details: z.unknown().optional(),
    }),
  })
  .meta({ id: 'Error' });

/** A date as JSON carries it. */
export const isoDate = z.iso.datetime({ offset: true });
/** An amount or id the API sends as a decimal string (bigint does not survive JSON). */
export const decimalString = z.string().regex(/^-?\d+$/);
/** A cursor page's next cursor: null on the last page. */
export const nextCursor = z.string().nullable();
/** Any JSON value stored as the client or a flow gave it. */
export const json = z.unknown();

/** A flow's Temporal status (lib/flows/client.ts readFlowStatus), with its own status query's answer as `state`. */
export const flowStatus = z
  .union([
    z.object({ workflowId: z.string(), runId: z.string(), status: z.string(), startTime: isoDate, closeTime: isoDate.nullable(), historyLength: z.number().int(), state: z.unknown() }),
    z.object({ workflowId: z.string(), status: z.literal('NOT_FOUND') }),
  ])
  .meta({ id: 'FlowStatus' });

/** A Prisma row as the API sends it: the fields named here, and the row's other columns. */
export const row = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);
