import { describe, expect, it } from '@jest/globals';
import { EventEmitter } from 'node:events';
import type { RealtimeEvent } from './event-bus.port.js';
import { type CloseReason, SseConnection, type SseSink } from './sse-connection.js';
import { formatEventFrame } from './sse-format.js';

/** A response that accepts `capacity` bytes, then reports back-pressure until drained. */
class FakeSink extends EventEmitter implements SseSink {
  chunks: string[] = [];
  writableLength = 0;
  writableFinished = false;
  ended = false;
  destroyed = false;

  constructor(private readonly capacity = Infinity) {
    super();
  }

  write(chunk: string): boolean {
    this.chunks.push(chunk);
    this.writableLength += chunk.length;
    return this.writableLength <= this.capacity;
  }

  drain(): void {
    this.writableLength = 0;
    this.emit('drain');
  }

  end(): void {
    this.ended = true;
    this.writableFinished = true;
  }

  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }

  ids(): string[] {
    return this.chunks.flatMap((c) => (/^id: (\d+)/.exec(c) ? [/^id: (\d+)/.exec(c)![1]] : []));
  }
}

const event = (id: number, tenantId = 't1', leadId: string | null = null): RealtimeEvent => ({ id: String(id), tenantId, leadId, type: 'alert', data: { id } });

function connect(sink: FakeSink, options: { leadId?: string | null; maxQueueBytes?: number; maxHeldEvents?: number } = {}) {
  const closes: CloseReason[] = [];
  const limits = { maxQueueBytes: options.maxQueueBytes ?? 1_000_000, maxHeldEvents: options.maxHeldEvents ?? 100 };
  const credential = { apiKeyId: null, requiresActiveTenant: true };
  const connection = new SseConnection('t1', options.leadId ?? null, sink, limits, (_c, reason) => closes.push(reason), credential);
  return { connection, closes };
}

describe(SseConnection.name, () => {
  describe('matches', () => {
    it.each([
      ['its tenant', null, event(1), true],
      ['another tenant', null, event(1, 't2'), false],
      ['its lead', 'l1', event(1, 't1', 'l1'), true],
      ['another lead', 'l1', event(1, 't1', 'l2'), false],
      ['a tenant event without lead on a lead stream', 'l1', event(1), false],
      ['another tenant with the same lead id', 'l1', event(1, 't2', 'l1'), false],
    ])('should decide for %s', (_case, leadId, e, expected) => {
      expect(connect(new FakeSink(), { leadId: leadId }).connection.matches(e)).toBe(expected);
    });
  });

  describe('goLive', () => {
    it('should hold live events during the replay and write only those the replay did not contain', async () => {
      const sink = new FakeSink();
      const { connection } = connect(sink);
      // Live events 5 and 6 arrive while the replay (4, 5) is written; 3 is a late commit.
      connection.push(event(5), formatEventFrame(event(5)));
      connection.push(event(6), formatEventFrame(event(6)));
      connection.push(event(3), formatEventFrame(event(3)));
      expect(sink.chunks).toEqual([]);
      await connection.writeAndWait(formatEventFrame(event(4)));
      await connection.writeAndWait(formatEventFrame(event(5)));
      connection.goLive(new Set(['4', '5']));
      connection.push(event(7), formatEventFrame(event(7)));
      expect(sink.ids()).toEqual(['4', '5', '6', '3', '7']);
    });

    it('should drop the live copy of a replayed event that the bus delivers only after goLive', async () => {
      // The replay reads a row as soon as it is committed; its notification may still be in flight
      // (or held by a LISTEN reconnect's catch-up) when the connection goes live.
      const sink = new FakeSink();
      const { connection } = connect(sink);
      connection.push(event(13), formatEventFrame(event(13)));
      for (const id of [13, 14, 15]) await connection.writeAndWait(formatEventFrame(event(id)));
      connection.goLive(new Set(['13', '14', '15']));
      for (const id of [14, 16, 15, 17]) connection.push(event(id), formatEventFrame(event(id)));
      // Once matched, an id is forgotten: only the replay's copy is ever suppressed.
      connection.push(event(14), formatEventFrame(event(14)));
      expect(sink.ids()).toEqual(['13', '14', '15', '16', '17', '14']);
    });

    it('should drop a client whose held events overflow during a long replay', () => {
      const sink = new FakeSink();
      const { connection, closes } = connect(sink, { maxHeldEvents: 2 });
      for (let id = 1; id <= 3; id++) connection.push(event(id), formatEventFrame(event(id)));
      expect(closes).toEqual(['slow']);
      expect(sink.destroyed).toBe(true);
    });
  });

  describe('write', () => {
    it('should drop a client that stops reading once its queue passes the limit', () => {
      const sink = new FakeSink(100);
      const { connection, closes } = connect(sink, { maxQueueBytes: 500 });
      connection.goLive(new Set());
      let pushed = 0;
      while (!connection.closed) connection.push(event(++pushed), formatEventFrame(event(pushed)));
      expect(closes).toEqual(['slow']);
      expect(sink.destroyed).toBe(true);
      expect(sink.writableLength).toBeLessThan(500 + formatEventFrame(event(pushed)).length + 1);
      connection.push(event(999), 'never written');
      expect(sink.chunks).not.toContain('never written');
    });
  });

  describe('writeAndWait', () => {
    it('should wait for drain under back-pressure and report a client gone meanwhile', async () => {
      const sink = new FakeSink(10);
      const { connection } = connect(sink);
      let resolved: boolean | undefined;
      void connection.writeAndWait('x'.repeat(20)).then((ok) => (resolved = ok));
      await Promise.resolve();
      expect(resolved).toBeUndefined();
      sink.drain();
      await new Promise((r) => setImmediate(r));
      expect(resolved).toBe(true);

      void connection.writeAndWait('x'.repeat(20)).then((ok) => (resolved = ok));
      connection.close('client');
      sink.emit('close');
      await new Promise((r) => setImmediate(r));
      expect(resolved).toBe(false);
    });
  });

  describe('close', () => {
    it.each([
      ['shutdown', true, false],
      ['draining', true, false],
      ['resync', true, false],
      ['slow', false, true],
      ['error', false, true],
      ['client', false, false],
    ] as const)('should end politely or cut the connection when closed for %s', (reason, ended, destroyed) => {
      const sink = new FakeSink();
      const { connection, closes } = connect(sink);
      connection.close(reason);
      connection.close('client');
      expect({ ended: sink.ended, destroyed: sink.destroyed, closes }).toEqual({ ended, destroyed, closes: [reason] });
    });
  });
});
