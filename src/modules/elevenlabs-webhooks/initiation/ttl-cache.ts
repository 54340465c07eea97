/**
 * A small time-bounded cache for lookups on the call-setup path (called number -> tenant). It saves
 * a database round trip per initiation; the price is that a change to a number or tenant (suspension,
 * new overrides) reaches this instance up to `ttlMs` later. Misses are cached too (unknown numbers).
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.now()) return hit.value;
    const value = await load();
    // Crude but bounded: a full cache starts over rather than tracking recency.
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    return value;
  }
}
