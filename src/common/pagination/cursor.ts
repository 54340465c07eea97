import { BadRequestException } from '@nestjs/common';
import { type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { textField } from '../json/json-object.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface CursorPosition {
  t: string; // ISO timestamp of the sort column
  id: string;
}

export function encodeCursor(at: Date, id: string): string {
  return Buffer.from(JSON.stringify({ t: at.toISOString(), id } satisfies CursorPosition)).toString('base64url');
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const t = textField(value, 't');
    const id = textField(value, 'id');
    if (t === undefined || id === undefined || Number.isNaN(Date.parse(t))) throw new Error();
    return { t, id };
  } catch {
    throw new BadRequestException('cursor is not a cursor this API returned');
  }
}

/**
 * Keyset pagination, newest first, on (timeColumn, id): stable under concurrent inserts, unlike
 * OFFSET. `alias.timeColumn` and `alias.id` must be covered by an index that starts with tenant_id.
 */
export async function paginate<T extends ObjectLiteral & { id: string }>(
  qb: SelectQueryBuilder<T>,
  opts: { alias: string; timeColumn: string; timeProperty: keyof T; limit?: number; cursor?: string },
): Promise<Page<T>> {
  const limit = opts.limit ?? 50;
  if (opts.cursor) {
    const { t, id } = decodeCursor(opts.cursor);
    qb.andWhere(`(${opts.alias}.${opts.timeColumn}, ${opts.alias}.id) < (:cursorT, :cursorId)`, { cursorT: t, cursorId: id });
  }
  const rows = await qb
    .orderBy(`${opts.alias}.${opts.timeColumn}`, 'DESC')
    .addOrderBy(`${opts.alias}.id`, 'DESC')
    .take(limit + 1)
    .getMany();
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(last[opts.timeProperty], last.id) : null;
  return { items, nextCursor };
}
