import { describe, expect, it } from '@jest/globals';
import { textOf } from './text-of.js';

describe('textOf', () => {
  it.each([
    ['hi', 'hi'],
    [42, '42'],
    [true, 'true'],
    [null, ''],
    [undefined, ''],
    [{ a: 1 }, ''],
    [['x'], ''],
  ])('should read %p as %p', (value, text) => {
    expect(textOf(value)).toBe(text);
  });
});
