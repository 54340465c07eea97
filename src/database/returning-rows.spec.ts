import { describe, expect, it } from '@jest/globals';
import { returningRows } from './returning-rows.js';

describe('returningRows', () => {
  it.each([
    [[[{ id: 'a' }], 1], [{ id: 'a' }]],
    [[[], 0], []],
    [
      [{ id: 'a' }, { id: 'b' }],
      [{ id: 'a' }, { id: 'b' }],
    ],
    [[], []],
  ])('should read %j as %j', (result, rows) => {
    expect(returningRows(result)).toEqual(rows);
  });
});
