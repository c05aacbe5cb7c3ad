import { z } from 'zod';

/** A Discord id (snowflake) as the API and the services accept it. */
export const snowflake = z.string().regex(/^\d{15,21}$/, 'must be a Discord id (digits)');
