/**
 * Component ids are `gf:{action}:{key}` (DESIGN §5): the action picks the handler, the key names the
 * state (a workflow id, a page). Buttons keep working after restarts because nothing lives in memory.
 */
const MAX_LENGTH = 100; // Discord's limit for custom_id
const ACTION = /^[a-z][a-z0-9-]{0,31}$/;

export function customId(action: string, key = ''): string {
  if (!ACTION.test(action)) throw new Error(`custom id action ${JSON.stringify(action)} must match ${ACTION}`);
  const id = `gf:${action}:${key}`;
  if (id.length > MAX_LENGTH) throw new Error(`custom id ${JSON.stringify(id)} is longer than ${MAX_LENGTH} characters`);
  return id;
}

export function parseCustomId(id: string): { action: string; key: string } | null {
  const match = /^gf:([a-z][a-z0-9-]{0,31}):(.*)$/s.exec(id);
  return match ? { action: match[1]!, key: match[2]! } : null;
}
