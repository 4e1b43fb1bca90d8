import { isUuid } from '../../lib/ids.js';
import { invalidField } from '../errors.js';

/** One page of a newest-first list: `nextCursor` is null on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  perPage?: number;
  cursor?: string | null;
}

export const DEFAULT_PER_PAGE = 20;
export const MAX_PER_PAGE = 50;

/**
 * Cursor paging over uuidv7 ids, which sort by creation time: the cursor is the last id seen,
 * the next page is everything older. Out-of-range per_page is clamped (clients append their own
 * per_page to every call); a cursor that is not one of ours is a 422.
 */
export function pageWindow(req: PageRequest): { limit: number; before: string | null } {
  const n = req.perPage === undefined || !Number.isFinite(req.perPage) ? DEFAULT_PER_PAGE : Math.trunc(req.perPage);
  const limit = Math.min(MAX_PER_PAGE, Math.max(1, n));
  const cursor = req.cursor ? req.cursor.trim() : null;
  if (cursor && !isUuid(cursor)) throw invalidField('cursor', 'The cursor is invalid.', 'cursor');
  return { limit, before: cursor || null };
}

/** Rows were fetched with limit + 1: the extra row only says another page exists. */
export function toPage<R extends { id: string }, T>(rows: R[], limit: number, map: (r: R) => T): Page<T> {
  const more = rows.length > limit;
  const kept = more ? rows.slice(0, limit) : rows;
  return { items: kept.map(map), nextCursor: more ? kept[kept.length - 1]!.id : null };
}
