import { z } from 'zod';
import { GRANT_NAMES, type GrantName } from '../grants';
import { snowflake } from '../discord/snowflake';

/** A grant as the API, /grant and the dashboard's grant form take it: which permission, to whom. */

const GRANT_SUBJECT_TYPES = ['user', 'role'] as const;

export const grantInputSchema = z.strictObject({
  permission: z.enum(GRANT_NAMES as [GrantName, ...GrantName[]]),
  subjectType: z.enum(GRANT_SUBJECT_TYPES),
  subjectId: snowflake,
});
export type GrantInput = z.infer<typeof grantInputSchema>;

/** @everyone (the role whose id is the guild's) would make the grant a level for all: refused. */
export function grantSubjectProblem(guildId: string, input: Pick<GrantInput, 'subjectType' | 'subjectId'>): string | null {
  return input.subjectType === 'role' && input.subjectId === guildId ? 'A grant cannot go to @everyone: give it to a member or a role.' : null;
}
