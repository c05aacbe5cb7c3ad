/**
 * How invalid input is worded, one sentence per problem: `path: message; …`. The API answers a 400 with it
 * and the dashboard's forms show it before sending, so an admin reads the same words either way.
 */
export function describeIssues(issues: readonly { path: readonly PropertyKey[]; message: string }[], whole = 'body'): string {
  return issues.map((i) => `${i.path.map(String).join('.') || whole}: ${i.message}`).join('; ');
}
