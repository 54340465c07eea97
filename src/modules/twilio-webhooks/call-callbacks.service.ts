import { Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { DeadlineExceededError, withDeadline } from '../../common/async/deadline.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { CallStatusService } from '../calls/call-status.service.js';
import type { StreamState } from '../calls/call-status.js';
import { QuotaService } from '../usage/quota.service.js';
import type { CallStatusParams, RecordingStatusParams, StreamStatusParams } from '../twilio-kit/twilio-webhook.dto.js';
import type { TwilioAccountContext } from '../twilio-kit/twilio-request.js';

// Twilio's Timestamp is when the event happened; a value far from our clock is not trusted.
const MAX_CLOCK_SKEW_MS = 24 * 60 * 60_000;

export function eventTime(timestamp: string | undefined, now = new Date()): Date {
  const parsed = timestamp ? Date.parse(timestamp) : NaN;
  return Number.isFinite(parsed) && Math.abs(parsed - now.getTime()) <= MAX_CLOCK_SKEW_MS ? new Date(parsed) : now;
}

const intOrNull = (value: string | undefined): number | null => (value === undefined ? null : Number(value));
const STREAM_STATES: Record<StreamStatusParams['StreamEvent'], StreamState> = {
  'stream-started': 'started',
  'stream-stopped': 'stopped',
  'stream-error': 'error',
};

/**
 * Call progress, stream and recording callbacks. They are applied idempotently; when the database
 * cannot take them the answer is 503, so the loss shows in Twilio's debugger (and a connection
 * override with rp=5xx can retry it) instead of being swallowed.
 */
@Injectable()
export class CallCallbacksService {
  private readonly logger = new Logger(CallCallbacksService.name);
  private readonly callbacks;

  constructor(
    private readonly status: CallStatusService,
    private readonly quotas: QuotaService,
    metrics: MetricsService,
  ) {
    this.callbacks = metrics.counter('twilio_call_callbacks_total', 'Twilio call callbacks by kind and result', ['kind', 'result']);
  }

  async callStatus(p: CallStatusParams, account: TwilioAccountContext, budgetMs = Infinity): Promise<void> {
    const result = await this.guarded('status', p.CallSid, budgetMs, () =>
      this.status.applyStatusCallback({
        callSid: p.CallSid,
        accountSid: account.accountSid,
        status: p.CallStatus,
        at: eventTime(p.Timestamp),
        durationSecs: intOrNull(p.CallDuration),
        sipResponseCode: intOrNull(p.SipResponseCode),
        sequenceNumber: intOrNull(p.SequenceNumber),
        details: compact({
          callDuration: intOrNull(p.CallDuration),
          sipResponseCode: intOrNull(p.SipResponseCode),
          timestamp: p.Timestamp,
          answeredBy: p.AnsweredBy,
        }),
      }),
    );
    this.count('status', result ? (result.historyAdded ? 'applied' : 'duplicate') : 'unknown_call', p.CallSid);
    // The seconds were just counted: the voice-minutes quota may have passed 80% / 100% (alerts are once per month).
    if (result?.justEnded && result.durationSecs && result.voiceQuota) void this.quotas.alertIfNeeded(result.tenantId, 'voiceMinutes');
  }

  async streamStatus(p: StreamStatusParams, account: TwilioAccountContext, budgetMs = Infinity): Promise<void> {
    const result = await this.guarded('stream', p.CallSid, budgetMs, () =>
      this.status.applyStreamStatus({
        callSid: p.CallSid,
        accountSid: account.accountSid,
        streamSid: p.StreamSid,
        state: STREAM_STATES[p.StreamEvent],
        error: p.StreamEvent === 'stream-error' ? (p.StreamError ?? 'unknown').slice(0, 200) : null,
      }),
    );
    this.count('stream', result ? 'applied' : 'unknown_call', p.CallSid);
  }

  async recording(p: RecordingStatusParams, account: TwilioAccountContext, budgetMs = Infinity): Promise<void> {
    const result = await this.guarded('recording', p.CallSid, budgetMs, () =>
      this.status.applyRecording({
        callSid: p.CallSid,
        accountSid: account.accountSid,
        sid: p.RecordingSid,
        url: p.RecordingUrl ?? null,
        durationSecs: intOrNull(p.RecordingDuration),
        status: p.RecordingStatus ?? null,
      }),
    );
    this.count('recording', result ? 'applied' : 'unknown_call', p.CallSid);
  }

  // Past the deadline the update may still land (it is idempotent): a retry finds it applied.
  private async guarded<T>(kind: string, callSid: string, budgetMs: number, work: () => Promise<T>): Promise<T> {
    try {
      return await withDeadline(work(), budgetMs);
    } catch (err) {
      const timedOut = err instanceof DeadlineExceededError;
      this.logger.error(
        { err: timedOut ? err.message : err, kind, callSid },
        timedOut ? 'Twilio callback not stored within the webhook deadline: answering 503' : 'Twilio callback could not be stored: answering 503',
      );
      this.callbacks.inc({ kind, result: 'unavailable' });
      throw new ServiceUnavailableException();
    }
  }

  private count(kind: string, result: string, callSid: string): void {
    this.callbacks.inc({ kind, result });
    if (result === 'unknown_call') this.logger.warn({ kind, callSid }, 'Twilio callback for a call we do not know: ignored');
  }
}

function compact(values: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).filter(([, v]) => v !== undefined && v !== null));
}
