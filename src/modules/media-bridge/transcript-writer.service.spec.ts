import { describe, expect, it } from '@jest/globals';
import type { DataSource } from 'typeorm';
import type { LeadsRepository, NewTimelineEntry } from '../leads/leads.repository.js';
import type { EventBus, RealtimeEvent } from '../realtime/event-bus.port.js';
import { liveExternalId, TranscriptWriter } from './transcript-writer.service.js';

// The writer's batching against a fake timeline owner: what reaches LeadsRepository, in how many calls.
function writer() {
  const manager = {};
  const inserts: Array<{ manager: unknown; entries: readonly NewTimelineEntry[] }> = [];
  const corrections: unknown[][] = [];
  const events: RealtimeEvent[] = [];
  const leads = {
    insertTimelineEntries: (m: unknown, entries: readonly NewTimelineEntry[]) => {
      inserts.push({ manager: m, entries });
      return Promise.resolve(entries.length);
    },
    correctTimelineEntry: (...args: unknown[]) => {
      corrections.push(args);
      return Promise.resolve();
    },
  };
  const bus: EventBus = {
    publish: (e) => {
      events.push(e);
      return Promise.resolve();
    },
    subscribe: () => () => undefined,
  };
  const w = new TranscriptWriter({ manager } as unknown as DataSource, leads as unknown as LeadsRepository, bus);
  return { w, manager, inserts, corrections, events };
}

const at = new Date('2026-12-04T10:00:00Z');
const base = { tenantId: 't1', callId: 'c1', leadId: 'l1', offsetSecs: 1.5, occurredAt: at } as const;

describe(TranscriptWriter.name, () => {
  it('should write a batch as one call to the timeline owner, live-marked and idempotent, skipping calls without a lead', async () => {
    const { w, manager, inserts, corrections } = writer();
    w.enqueue({ ...base, kind: 'user', eventId: 1, text: 'Hello' });
    w.enqueue({ ...base, kind: 'tool', eventId: 2, text: 'lookup', metadata: { tool: 'lookup' } });
    w.enqueue({ ...base, kind: 'agent', eventId: 3, text: 'Hi', leadId: null });
    await w.flush();
    expect(inserts).toHaveLength(1);
    expect(inserts[0].manager).toBe(manager);
    expect(inserts[0].entries).toEqual([
      {
        tenantId: 't1',
        leadId: 'l1',
        callId: 'c1',
        channel: 'voice',
        direction: 'inbound',
        role: 'user',
        body: 'Hello',
        offsetSecs: 1.5,
        externalId: liveExternalId('c1', 1, 'user'),
        metadata: { source: 'live' },
        occurredAt: at,
      },
      expect.objectContaining({ direction: 'outbound', role: 'system', externalId: 'live:c1:2:tool', metadata: { tool: 'lookup', source: 'live' } }),
    ]);
    expect(corrections).toEqual([]);
  });

  it('should correct an agent turn still in the batch before writing it, and one already written through the owner', async () => {
    const { w, inserts, corrections, events } = writer();
    w.enqueue({ ...base, kind: 'agent', eventId: 1, text: 'A boiler service is ninety' });
    w.enqueue({ ...base, kind: 'correction', eventId: 2, targetExternalId: liveExternalId('c1', 1, 'agent'), text: 'A boiler service is', original: 'x' });
    w.enqueue({ ...base, kind: 'correction', eventId: 3, targetExternalId: 'live:c1:0:agent', text: 'Earlier', original: 'Earlier, cut' });
    await w.flush();
    expect(inserts[0].entries).toEqual([
      expect.objectContaining({ body: 'A boiler service is', metadata: { corrected: true, originalText: 'A boiler service is ninety', source: 'live' } }),
    ]);
    expect(corrections).toEqual([['t1', 'live:c1:0:agent', { body: 'Earlier', originalBody: 'Earlier, cut' }]]);
    expect(events.map((e) => [e.type, e.data.text])).toEqual([
      ['call.transcript', 'A boiler service is'],
      ['call.transcript', 'A boiler service is'],
      ['call.transcript', 'Earlier'],
    ]);
  });
});
