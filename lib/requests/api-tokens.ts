import { z } from 'zod';
import { PERMISSION_LEVELS } from '../permissions';

/** A new API token, as the API mints it and the dashboard's token form checks it. */
export const apiTokenCreate = z
  .object({
    name: z.string().trim().min(1).max(64),
    level: z.enum(PERMISSION_LEVELS),
    expiresInDays: z.number().int().min(1).max(3650).optional(),
  })
  .strict();
