import { liveExternalId, type LiveTranscriptEntry } from '../transcript-writer.service.js';
import { textOf } from '../../../common/json/text-of.js';

type Event = Record<string, unknown>;

/**
 * The live timeline of one call, from the agent's events: transcript turns, corrections after a
 * barge-in, tool calls. Entries made before the Twilio stream is attached (a pre-opened
 * conversation's greeting) are held back, and dropped if the stream never comes here.
 */
export class SessionTimeline {
  private early: LiveTranscriptEntry[] | undefined = [];
  private readonly recentAgent: Array<{ text: string; eventId: number }> = [];

  constructor(
    private readonly ids: { callId: string; tenantId: string; leadId: string | null },
    private readonly sink: (entry: LiveTranscriptEntry) => void,
    private readonly offsetSecs: () => number,
  ) {}

  /** The stream is attached: what was held back goes out, and everything after it directly. */
  release(): void {
    for (const entry of this.early ?? []) this.sink(entry);
    this.early = undefined;
  }

  userTranscript(e: Event): void {
    this.add('user', textOf(e.user_transcript), Number(e.event_id) || 0);
  }

  agentResponse(e: Event): void {
    const text = textOf(e.agent_response);
    const eventId = Number(e.event_id) || 0;
    this.recentAgent.push({ text, eventId });
    if (this.recentAgent.length > 8) this.recentAgent.shift();
    this.add('agent', text, eventId);
  }

  /** `agent_response_correction`: rewrites the agent row it corrects (matched by its original text). */
  correction(e: Event): void {
    const original = textOf(e.original_agent_response);
    const target = [...this.recentAgent].reverse().find((r) => r.text === original) ?? this.recentAgent[this.recentAgent.length - 1];
    if (!target) return;
    target.text = textOf(e.corrected_agent_response);
    const { callId, tenantId, leadId } = this.ids;
    this.emit({
      kind: 'correction',
      callId,
      tenantId,
      leadId,
      eventId: Number(e.event_id) || 0,
      targetExternalId: liveExternalId(callId, target.eventId, 'agent'),
      text: target.text,
      original,
      offsetSecs: this.offsetSecs(),
    });
  }

  tool(name: string, eventId: number, metadata: Record<string, unknown>): void {
    this.add('tool', `Tool ${name}`, eventId, { tool: name, ...metadata });
  }

  private add(kind: 'user' | 'agent' | 'tool', text: string, eventId: number, metadata?: Record<string, unknown>): void {
    const { callId, tenantId, leadId } = this.ids;
    this.emit({ kind, callId, tenantId, leadId, eventId, text, offsetSecs: this.offsetSecs(), occurredAt: new Date(), metadata });
  }

  private emit(entry: LiveTranscriptEntry): void {
    if (this.early === undefined) this.sink(entry);
    else if (this.early.length < 50) this.early.push(entry);
  }
}
