import { NotFoundError, ValidationError } from '../lib/errors';

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
  // The `lte` bound is what an index on (…, createdAt DESC, id DESC) can start from; the OR alone is a filter.
  return { AND: [{ createdAt: { lte: after.createdAt } }, { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] }] };
}

/** One page from `limit + 1` rows fetched in cursor order. */
export function pageOf<R extends CursorRow, T>(rows: R[], limit: number, toJson: (row: R) => T): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { items: page.map(toJson), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]!) : null };
}

/**
 * An opaque cursor over any other sort key (an id, a balance and an id…): its parts, in order. Lists
 * not ordered by (createdAt, id) use these, so every cursor a client sees looks the same.
 */
export function encodeKeyCursor(parts: readonly (string | number | bigint)[]): string {
  return Buffer.from(JSON.stringify(parts.map(String))).toString('base64url');
}

/** The parts of a cursor from encodeKeyCursor; ValidationError when it is not one of `size` parts. */
export function decodeKeyCursor(cursor: string, size: number): string[] {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parts = null;
  }
  if (!Array.isArray(parts) || parts.length !== size || !parts.every((p) => typeof p === 'string')) {
    throw new ValidationError('cursor: not a cursor this API returned (use nextCursor as it is).');
  }
  return parts as string[];
}

/**
 * Lists that used to page with `before` (the id of the previous page's last row, answered as `next`)
 * still accept it for one release: that row becomes the cursor. Deprecated in favour of `cursor`.
 */
export async function cursorOrBefore(q: { cursor?: string; before?: string }, what: string, findRow: (id: string) => Promise<CursorRow | null>): Promise<string | undefined> {
  if (q.cursor && q.before) throw new ValidationError('Give cursor or before (deprecated), not both.');
  if (!q.before) return q.cursor;
  const row = await findRow(q.before);
  if (!row) throw new NotFoundError(`before: there is no ${what} ${q.before} in this guild.`);
  return encodeCursor(row);
}

/** pageOf, plus the deprecated `next` (the last row's id) beside `nextCursor`. */
export function pageWithNext<R extends CursorRow, T>(rows: R[], limit: number, toJson: (row: R) => T): { items: T[]; nextCursor: string | null; next: string | null } {
  const page = pageOf(rows, limit, toJson);
  return { ...page, next: page.nextCursor ? rows[limit - 1]!.id : null };
}

/**
 * One page from `limit + 1` rows fetched by ascending id after the cursor (`id > cursor`): the cursor is
 * the last row's id as a decimal string, for lists whose rows only ever get larger ids.
 */
export function pageById<R extends { id: bigint }, T>(rows: R[], limit: number, toJson: (row: R) => T): { items: T[]; nextCursor: string | null } {
  const page = rows.slice(0, limit);
  return { items: page.map(toJson), nextCursor: rows.length > limit ? String(page[page.length - 1]!.id) : null };
}
