import type { LeadSort } from './dto/list-leads-query.dto.js';

// Keyset cursors for the lead list. Each sort orders by (value DESC NULLS LAST, id DESC); the
// cursor holds the last row's value and id, so pages stay stable while leads are added.

export interface LeadCursor {
  sort: LeadSort;
  /** score (number), last_contact_at / created_at (ISO string), or null for never contacted */
  value: number | string | null;
  id: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeLeadCursor(cursor: LeadCursor): string {
  return Buffer.from(JSON.stringify([cursor.sort, cursor.value, cursor.id])).toString('base64url');
}

/** undefined when the text is not a cursor of this sort (a cursor from another sort is refused too). */
export function decodeLeadCursor(text: string, sort: LeadSort): LeadCursor | undefined {
  try {
    const [s, value, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as [unknown, unknown, unknown];
    if (s !== sort || typeof id !== 'string' || !UUID.test(id)) return undefined;
    if (sort === 'score' && (typeof value !== 'number' || !Number.isInteger(value))) return undefined;
    if (sort === 'created' && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) return undefined;
    if (sort === 'lastContact' && value !== null && (typeof value !== 'string' || Number.isNaN(Date.parse(value)))) return undefined;
    return { sort, value: value as LeadCursor['value'], id };
  } catch {
    return undefined;
  }
}

export const SORT_COLUMN: Record<LeadSort, string> = { score: 'l.score', lastContact: 'l.last_contact_at', created: 'l.created_at' };

/** The WHERE fragment that continues after `cursor` in (column DESC NULLS LAST, id DESC) order. */
export function afterCursorCondition(cursor: LeadCursor): { sql: string; params: Record<string, unknown> } {
  const column = SORT_COLUMN[cursor.sort];
  if (cursor.value === null) return { sql: `(${column} IS NULL AND l.id < :cursorId)`, params: { cursorId: cursor.id } };
  return {
    sql: `(${column} < :cursorValue OR (${column} = :cursorValue AND l.id < :cursorId) OR ${column} IS NULL)`,
    params: { cursorValue: cursor.value, cursorId: cursor.id },
  };
}

/** LIKE pattern for user input, with the wildcards it may contain escaped. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
