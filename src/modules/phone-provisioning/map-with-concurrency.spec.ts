import { describe, expect, it } from '@jest/globals';
import { mapWithConcurrency } from './map-with-concurrency.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('mapWithConcurrency', () => {
  it.each([
    [10, 3, 3],
    [2, 3, 2],
    [5, 1, 1],
  ])('should run %i items with at most %i at once (peak %i)', async (count, limit, peak) => {
    let running = 0;
    let seen = 0;
    const results = await mapWithConcurrency(
      Array.from({ length: count }, (_, i) => i),
      limit,
      async (i) => {
        running++;
        seen = Math.max(seen, running);
        await tick();
        running--;
        return i * 2;
      },
    );
    expect(seen).toBe(peak);
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : null))).toEqual(Array.from({ length: count }, (_, i) => i * 2));
  });

  it('should keep going after a failure and report it in place', async () => {
    const results = await mapWithConcurrency(['a', 'b', 'c'], 2, async (item) => {
      if (item === 'b') throw new Error('nope');
      return item.toUpperCase();
    });
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'A' });
    expect(results[1].status).toBe('rejected');
    expect((results[1] as PromiseRejectedResult).reason.message).toBe('nope');
    expect(results[2]).toEqual({ status: 'fulfilled', value: 'C' });
  });

  it('should return an empty list for no items', async () => {
    expect(await mapWithConcurrency([], 3, async () => 1)).toEqual([]);
  });
});
