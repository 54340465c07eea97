import { describe, expect, it } from '@jest/globals';
import {
  RowShapeError,
  bool,
  date,
  dateOrNull,
  firstRow,
  int,
  intOrNull,
  jsonObjectOrNull,
  mapRows,
  num,
  oneOf,
  oneOfOrNull,
  oneRow,
  text,
  textOrNull,
} from './sql-row.js';

describe('SQL row readers', () => {
  it('should read each column type as both drivers send it', () => {
    const at = new Date('2026-12-04T10:00:00Z');
    const row = { id: 'a', n: '42', m: 7, cost: '0.125', ok: true, at, iso: '2026-12-04T10:00:00.000Z', s: 'busy', j: { a: 1 }, nothing: null };
    expect([text(row, 'id'), int(row, 'n'), int(row, 'm'), num(row, 'cost'), bool(row, 'ok')]).toEqual(['a', 42, 7, 0.125, true]);
    expect([date(row, 'at'), date(row, 'iso')]).toEqual([at, at]);
    expect(oneOf(row, 's', ['busy', 'failed'] as const)).toBe('busy');
    expect(jsonObjectOrNull(row, 'j')).toEqual({ a: 1 });
    expect([
      textOrNull(row, 'nothing'),
      intOrNull(row, 'nothing'),
      dateOrNull(row, 'nothing'),
      oneOfOrNull(row, 'nothing', ['x']),
      jsonObjectOrNull(row, 'nothing'),
    ]).toEqual([null, null, null, null, null]);
  });

  it('should fail at the column when a row has another shape, naming it', () => {
    expect(() => text({ id: 1 }, 'id')).toThrow(new RowShapeError('id', 'text', 1));
    expect(() => text({}, 'id')).toThrow('Column "id" is undefined, expected text');
    expect(() => int({ n: '1.5' }, 'n')).toThrow(RowShapeError);
    expect(() => int({ n: '9007199254740993' }, 'n')).toThrow(RowShapeError);
    expect(() => num({ n: 'NaN' }, 'n')).toThrow(RowShapeError);
    expect(() => bool({ ok: 't' }, 'ok')).toThrow(RowShapeError);
    expect(() => date({ at: 'yesterday' }, 'at')).toThrow(RowShapeError);
    expect(() => oneOf({ s: 'ringing' }, 's', ['busy'])).toThrow('Column "s" is string, expected one of busy');
    expect(() => jsonObjectOrNull({ j: [1] }, 'j')).toThrow(RowShapeError);
  });

  it('should take the rows of SELECT and of UPDATE … RETURNING alike', () => {
    const toId = (r: Readonly<Record<string, unknown>>) => text(r, 'id');
    expect(mapRows([{ id: 'a' }, { id: 'b' }], toId)).toEqual(['a', 'b']);
    expect(mapRows([[{ id: 'a' }], 1], toId)).toEqual(['a']);
    expect(firstRow([], toId)).toBeNull();
    expect(firstRow([{ id: 'a' }], toId)).toBe('a');
    expect(oneRow([{ id: 'a' }], toId)).toBe('a');
    expect(() => oneRow([], toId)).toThrow(RowShapeError);
    expect(() => mapRows('nope', toId)).toThrow(RowShapeError);
    expect(() => mapRows([1], toId)).toThrow(RowShapeError);
  });
});
