import { ValidationError } from '../errors';

/**
 * The kinds of live event the database triggers write (prisma/migrations/*_sync_announcements_events and
 * *_more_live_events),
 * which a stream may be limited to with `?types=`.
 */
export const EVENT_KINDS = ['balance', 'shop_item', 'purchase', 'sync', 'task', 'task_claim', 'order', 'topup', 'inventory', 'verification'] as const;

/**
 * The kinds a `types` query asks for (comma-separated; the parameter may also repeat), or null when it is
 * absent: every kind. A name that is not a kind, or a `types=` naming none, is a ValidationError listing
 * the valid ones (a stream that can never carry anything is a mistake worth saying).
 */
export function parseEventKinds(types: string | string[] | undefined): ReadonlySet<string> | null {
  if (types === undefined) return null;
  const names = [types].flat().flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(EVENT_KINDS as readonly string[]).includes(n));
  const valid = EVENT_KINDS.join(', ');
  if (unknown.length) throw new ValidationError(`Unknown event type${unknown.length === 1 ? '' : 's'} ${unknown.map((n) => `"${n}"`).join(', ')}; the types are ${valid}.`, { validTypes: EVENT_KINDS });
  if (!names.length) throw new ValidationError(`The types parameter is empty; the types are ${valid} (leave it out for all of them).`, { validTypes: EVENT_KINDS });
  return new Set(names);
}
