import { describe, expect, it } from '@jest/globals';
import type { RealtimeEvent } from './event-bus.port.js';
import { RecentIds, type ReceiverStore, RemoteEventReceiver } from './remote-event-receiver.js';
import type { StoredEvent } from './realtime-events.repository.js';

const stored = (id: number): StoredEvent => ({
  id: String(id),
  tenantId: 't',
  type: 'alert',
  leadId: null,
  callId: null,
  data: { id },
  occurredAt: '2026-01-01T00:00:00.000Z',
});
const note = (id: number, inline = true) =>
  JSON.stringify({
    id: String(id),
    tenantId: 't',
    type: 'alert',
    leadId: null,
    callId: null,
    occurredAt: '2026-01-01T00:00:00.000Z',
    data: inline ? { id } : null,
  });

/** The table as a sorted list of ids. */
class FakeStore implements ReceiverStore {
  constructor(public rows: number[] = []) {}
  reads = 0;
  async findById(id: string) {
    this.reads++;
    return this.rows.includes(Number(id)) ? stored(Number(id)) : undefined;
  }
  async after(afterId: number, limit: number) {
    return this.rows
      .filter((id) => id > afterId)
      .slice(0, limit)
      .map(stored);
  }
  async maxId() {
    return this.rows.length ? Math.max(...this.rows) : 0;
  }
}

function receiver(store: FakeStore, options: Partial<{ catchUpLimit: number; lookback: number }> = {}) {
  const delivered: RealtimeEvent[] = [];
  const gaps: string[] = [];
  const warnings: string[] = [];
  const r = new RemoteEventReceiver(
    store,
    { deliver: (e) => delivered.push(e), gap: (reason) => gaps.push(reason), warn: (m) => warnings.push(m) },
    { catchUpLimit: options.catchUpLimit ?? 100, lookback: options.lookback ?? 10, dedupeCapacity: 1_000, retryDelayMs: 1 },
  );
  return { r, delivered, gaps, warnings, ids: () => delivered.map((e) => Number(e.id)) };
}

describe(RemoteEventReceiver.name, () => {
  it('should deliver inline data as is, read large events by id, in arrival order', async () => {
    const store = new FakeStore([1, 2, 3]);
    const { r, delivered, ids } = receiver(store);
    r.accept(note(2, false));
    r.accept(note(3));
    await r.idle();
    expect(ids()).toEqual([2, 3]);
    expect(store.reads).toBe(1);
    expect(delivered[0].data).toEqual({ id: 2 });
  });

  it('should drop duplicates and malformed notifications, and events whose row is gone', async () => {
    const { r, ids, warnings } = receiver(new FakeStore([1]));
    r.accept(note(1));
    r.accept(note(1));
    r.accept('{"nope":1}');
    r.accept(note(5, false));
    await r.idle();
    expect(ids()).toEqual([1]);
    expect(warnings).toHaveLength(1);
  });

  it('should hold delivery while resubscribing, catch up from the table, then deliver what queued meanwhile', async () => {
    const store = new FakeStore([1, 2]);
    const { r, ids } = receiver(store);
    await r.start(); // watermark 2: nothing older is delivered
    r.accept(note(3));
    await r.idle();
    const release = r.hold();
    store.rows.push(4, 5, 6); // stored while nobody listened
    r.accept(note(6)); // heard as soon as the new LISTEN is up
    r.accept(note(7));
    await new Promise((resolve) => setImmediate(resolve));
    expect(ids()).toEqual([3]);
    release();
    await r.idle();
    expect(ids()).toEqual([3, 4, 5, 6, 7]);
  });

  it('should catch up late commits below the watermark but never replay what it had at start', async () => {
    const store = new FakeStore([1, 2, 3]);
    const { r, ids } = receiver(store, { lookback: 10 });
    await r.start();
    r.accept(note(5));
    await r.idle();
    const release = r.hold();
    store.rows.push(4); // id 4 committed after 5
    release();
    await r.idle();
    expect(ids()).toEqual([5, 4]);
  });

  it('should signal a gap instead of pushing more than the catch-up limit through live streams', async () => {
    const store = new FakeStore();
    const { r, ids, gaps } = receiver(store, { catchUpLimit: 3 });
    await r.start();
    const release = r.hold();
    store.rows.push(1, 2, 3, 4);
    release();
    await r.idle();
    expect(ids()).toEqual([]);
    expect(gaps).toEqual(['too many events missed']);
    expect(r.lastSeenId).toBe(4);
  });

  it('should signal a gap when catching up keeps failing', async () => {
    const store = new FakeStore();
    store.after = async () => {
      throw new Error('database down');
    };
    const { r, gaps } = receiver(store);
    r.hold()();
    await r.idle();
    expect(gaps).toEqual(['catch-up failed']);
  });
});

describe(RecentIds.name, () => {
  it('should forget the oldest ids beyond its capacity', () => {
    const recent = new RecentIds(3);
    [1, 2, 3, 2, 4].forEach((id) => recent.add(id));
    expect([1, 2, 3, 4].map((id) => recent.has(id))).toEqual([false, true, true, true]);
  });
});
