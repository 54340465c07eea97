import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LeadsRepository, type NewTimelineEntry } from '../leads/leads.repository.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import { TRANSCRIPT_BATCH_ROWS, TRANSCRIPT_FLUSH_MS, TRANSCRIPT_QUEUE_LIMIT } from './media-bridge.constants.js';

/** One live transcript turn or tool event of a call, as the agent socket reported it. */
export interface LiveTimelineItem {
  kind: 'user' | 'agent' | 'tool';
  tenantId: string;
  callId: string;
  leadId: string | null;
  eventId: number;
  text: string;
  offsetSecs: number | null;
  occurredAt: Date;
  metadata?: Record<string, unknown>;
}

/** `agent_response_correction`: the agent was cut off, so what it "said" is rewritten. */
export interface LiveCorrectionItem {
  kind: 'correction';
  tenantId: string;
  callId: string;
  leadId: string | null;
  eventId: number;
  /** external_id of the agent row being corrected. */
  targetExternalId: string;
  text: string;
  original: string;
  offsetSecs: number | null;
}

export type LiveTranscriptEntry = LiveTimelineItem | LiveCorrectionItem;

/** Only an item of a call with a lead goes to a timeline. */
function hasLead(item: LiveTimelineItem): item is LiveTimelineItem & { leadId: string } {
  return !!item.leadId;
}

/** Live rows are idempotent on (tenant_id, external_id); the post-call webhook later replaces them. */
export function liveExternalId(callId: string, eventId: number, kind: string): string {
  return `live:${callId}:${eventId}:${kind}`;
}

const ROLE = { user: 'user', agent: 'agent', tool: 'system' } as const;

function toTimelineEntry(r: LiveTimelineItem & { leadId: string }): NewTimelineEntry {
  return {
    tenantId: r.tenantId,
    leadId: r.leadId,
    callId: r.callId,
    channel: 'voice',
    direction: r.kind === 'user' ? 'inbound' : 'outbound',
    role: ROLE[r.kind],
    body: r.text,
    offsetSecs: r.offsetSecs,
    externalId: liveExternalId(r.callId, r.eventId, r.kind),
    metadata: { ...r.metadata, source: 'live' },
    occurredAt: r.occurredAt,
  };
}

/**
 * Writes live transcripts to the lead timeline (lead_messages) and the event stream, in batches and
 * off the audio path (STYLE §7.14): the sessions only push to an in-memory queue; a timer flushes
 * it every 250 ms (or sooner when it fills) as one multi-row INSERT.
 */
@Injectable()
export class TranscriptWriter implements BeforeApplicationShutdown {
  private readonly logger = new Logger(TranscriptWriter.name);
  private queue: LiveTranscriptEntry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  dropped = 0;
  failedBatches = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly leads: LeadsRepository,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  enqueue(entry: LiveTranscriptEntry): void {
    if (this.queue.length >= TRANSCRIPT_QUEUE_LIMIT) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(entry);
    if (this.queue.length >= TRANSCRIPT_BATCH_ROWS) this.schedule(0);
    else this.schedule(TRANSCRIPT_FLUSH_MS);
  }

  /** Writes everything queued so far (tests and shutdown). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.queue.length > 0) {
      this.flushing = this.writeBatch(this.queue.splice(0, TRANSCRIPT_BATCH_ROWS));
      await this.flushing;
      this.flushing = undefined;
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }

  private schedule(delayMs: number): void {
    if (this.timer && delayMs > 0) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delayMs);
  }

  private async writeBatch(batch: LiveTranscriptEntry[]): Promise<void> {
    const rows: Array<LiveTimelineItem & { leadId: string }> = [];
    const corrections: LiveCorrectionItem[] = [];
    for (const entry of batch) {
      if (entry.kind !== 'correction') {
        if (hasLead(entry)) rows.push(entry);
        continue;
      }
      // The corrected row may still be in this batch: fix it before it is written.
      const pending = rows.find((r) => r.kind === 'agent' && liveExternalId(r.callId, r.eventId, 'agent') === entry.targetExternalId);
      if (pending) {
        pending.metadata = { ...pending.metadata, corrected: true, originalText: pending.text };
        pending.text = entry.text;
      } else if (entry.leadId) corrections.push(entry);
    }
    try {
      // One multi-row INSERT: a batch (TRANSCRIPT_BATCH_ROWS) is smaller than the repository's rows per statement.
      if (rows.length > 0) await this.leads.insertTimelineEntries(this.dataSource.manager, rows.map(toTimelineEntry));
      for (const c of corrections) {
        await this.leads.correctTimelineEntry(c.tenantId, c.targetExternalId, { body: c.text, originalBody: c.original });
      }
    } catch (err) {
      this.failedBatches++;
      // Ids only: transcript text never reaches the logs.
      this.logger.error({ err, rows: rows.length, calls: [...new Set(batch.map((b) => b.callId))] }, 'Could not write live transcript batch');
    }
    for (const entry of batch) void this.publish(entry);
  }

  private publish(entry: LiveTranscriptEntry): Promise<void> {
    const base = { tenantId: entry.tenantId, leadId: entry.leadId, callId: entry.callId };
    if (entry.kind === 'tool') {
      return this.events.publish({ ...base, type: 'call.tool', data: { eventId: entry.eventId, ...entry.metadata } }).catch(() => undefined);
    }
    const data =
      entry.kind === 'correction'
        ? { role: 'agent', text: entry.text, eventId: entry.eventId, corrects: entry.targetExternalId, offsetSecs: entry.offsetSecs }
        : { role: ROLE[entry.kind], text: entry.text, eventId: entry.eventId, offsetSecs: entry.offsetSecs };
    return this.events.publish({ ...base, type: 'call.transcript', data }).catch(() => undefined);
  }
}
