import { describe, expect, it } from '@jest/globals';
import { backoffMs } from './webhook-inbox.worker.js';

describe('backoffMs', () => {
  it.each([
    [1, 10_000],
    [2, 20_000],
    [4, 80_000],
    [20, 30 * 60_000],
  ])('should wait about %i -> %i ms', (attempt, expected) => {
    expect(backoffMs(attempt, () => 0.5)).toBe(expected);
    expect(backoffMs(attempt, () => 0)).toBe(Math.round(expected * 0.9));
    expect(backoffMs(attempt, () => 1)).toBe(Math.round(expected * 1.1));
  });
});
