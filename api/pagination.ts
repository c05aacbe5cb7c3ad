import { ValidationError } from '../lib/errors';

/**
 * Keyset pagination, newest first by (createdAt, id): the cursor names the last row of the previous page,
 * so a page is stable while rows are added. Use with `orderBy: [{ createdAt: 'desc' }, { id: 'desc' }]`
 * and `take: limit + 1`.
 */
export interface CursorRow {
  createdAt: Date;
  id: string;
}

export function encodeCursor(row: CursorRow): string {
  return Buffer.from(JSON.stringify([row.createdAt.toISOString(), row.id])).toString('base64url');
}

export function decodeCursor(cursor: string): CursorRow {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(at);
    if (typeof id !== 'string' || Number.isNaN(createdAt.getTime())) throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw new ValidationError('cursor: not a cursor this API returned (use nextCursor as it is).');
  }
}

/** The Prisma `where` part that starts after the cursor's row. */
export function afterCursor(cursor: string | undefined) {
  if (!cursor) return {};
  const after = decodeCursor(cursor);
  return { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] };
}

/** One page from `limit + 1` rows fetched in cursor order. */
export function pageOf<R extends CursorRow, T>(rows: R[], limit: number, toJson: (row: R) => T): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { items: page.map(toJson), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
}

/**
 * An opaque cursor over a single sort key (a user id, a numeric id): the key of the last row of the
 * previous page. For lists not ordered by (createdAt, id).
 */
export function encodeKeyCursor(key: string | number): string {
  return Buffer.from(JSON.stringify({ k: String(key) })).toString('base64url');
}

export function decodeKeyCursor(cursor: string): string {
  try {
    const { k } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { k?: unknown };
    if (typeof k !== 'string' || !k) throw new Error('bad cursor');
    return k;
  } catch {
    throw new ValidationError('cursor: not a cursor this API returned (use nextCursor as it is).');
  }
}
