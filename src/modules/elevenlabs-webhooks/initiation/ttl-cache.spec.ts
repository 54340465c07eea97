import { describe, expect, it } from '@jest/globals';
import { TtlCache } from './ttl-cache.js';

describe('TtlCache', () => {
  it('should load once per key within the ttl, again after it, and stay bounded', async () => {
    let now = 0;
    let loads = 0;
    const cache = new TtlCache<string | null>(1000, 2, () => now);
    const load = async () => `v${++loads}`;
    expect(await cache.get('a', load)).toBe('v1');
    expect(await cache.get('a', load)).toBe('v1');
    now = 1001;
    expect(await cache.get('a', load)).toBe('v2');
    await cache.get('b', load);
    await cache.get('c', load); // full: starts over
    expect(await cache.get('c', load)).toBe('v4');
    expect(await cache.get('a', load)).toBe('v5');
  });
});
