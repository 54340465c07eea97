import { Inject, Injectable, Logger } from '@nestjs/common';
import { EVENT_BUS, type EventBus, type RealtimeEvent } from '../realtime/event-bus.port.js';
import { CallsRepository, type RecordingInput, type StatusCallbackInput, type StatusCallbackResult, type StreamStatusInput } from './calls.repository.js';

/**
 * Applies Twilio's call-progress, stream and recording callbacks to calls. Exactly-once effects
 * (usage seconds) ride on the one callback that moves a call into its ended state, in the same
 * statement; events are published after it.
 */
@Injectable()
export class CallStatusService {
  private readonly logger = new Logger(CallStatusService.name);

  constructor(
    private readonly calls: CallsRepository,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  /** Null when the call is unknown (for this account). */
  async applyStatusCallback(input: StatusCallbackInput): Promise<StatusCallbackResult | null> {
    // One statement does it all, usage included (see CallsRepository): no transaction round trips.
    const result = await this.calls.applyStatusCallback(this.calls.manager, input);
    if (result) this.publishStatus(result);
    return result;
  }

  applyStreamStatus(input: StreamStatusInput): Promise<{ callId: string; tenantId: string; streamStatus: string } | null> {
    return this.calls.applyStreamStatus(input);
  }

  applyRecording(input: RecordingInput): Promise<{ callId: string; tenantId: string } | null> {
    return this.calls.applyRecording(input);
  }

  private publishStatus(r: StatusCallbackResult): void {
    const base = { tenantId: r.tenantId, callId: r.callId, leadId: r.leadId };
    // The end of a call is one event carrying its final status (a status change and an end would
    // be two rows in the replay log for one fact).
    if (r.justEnded) {
      this.publish({
        ...base,
        type: 'call.ended',
        data: { callId: r.callId, status: r.status, previousStatus: r.previousStatus, durationSecs: r.durationSecs },
      });
    } else if (r.status !== r.previousStatus) {
      this.publish({ ...base, type: 'call.status', data: { callId: r.callId, status: r.status, previousStatus: r.previousStatus } });
    }
  }

  // Fire and forget: the change is committed; a slow or failing bus must not fail Twilio's request.
  private publish(event: RealtimeEvent): void {
    this.events.publish(event).catch((err: unknown) => this.logger.warn({ err, type: event.type, callId: event.callId }, 'Could not publish call event'));
  }
}
