import { describe, expect, it } from '@jest/globals';
import { evaluateQuota, thresholdsReached } from './quota-rules.js';

describe('evaluateQuota', () => {
  it.each([
    [0, null, { allowed: true, limit: null, remaining: null }],
    [0, 10, { allowed: true, limit: 10, remaining: 10 }],
    [9, 10, { allowed: true, remaining: 1 }],
    [10, 10, { allowed: false, remaining: 0 }],
    [12, 10, { allowed: false, remaining: 0 }],
    [0, 0, { allowed: false, remaining: 0 }],
  ])('used %p of %p', (used, limit, expected) => {
    expect(evaluateQuota('outboundCalls', used, limit)).toMatchObject({ used, ...expected });
  });
});

describe('thresholdsReached', () => {
  it.each([
    [0, 10, []],
    [7, 10, []],
    [8, 10, [80]],
    [9, 10, [80]],
    [10, 10, [80, 100]],
    [11, 10, [80, 100]],
    [5, null, []],
    [0, 0, [80, 100]],
    [4, 5, [80]],
  ])('used %p of %p', (used, limit, expected) => {
    expect(thresholdsReached(used, limit)).toEqual(expected);
  });
});
