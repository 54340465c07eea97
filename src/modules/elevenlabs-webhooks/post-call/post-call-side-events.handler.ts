import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { CallConversationsRepository } from '../../calls/call-conversations.repository.js';
import type { CallStatus } from '../../calls/call.entity.js';
import { EVENT_BUS, type EventBus } from '../../realtime/event-bus.port.js';
import type { WebhookInboxEvent } from '../inbox/webhook-inbox.entity.js';
import { InboxOutcome, PermanentInboxError, WebhookInboxWorker } from '../inbox/webhook-inbox.worker.js';
import { CallCorrelator } from './call-correlator.js';
import { callStatusForFailure, correlationKeysOf, parseEnvelope, parseInitiationFailure, PostCallPayloadError } from './post-call-payload.js';
import { RecordingStore, StoredRecording } from './recording-store.js';

const FINAL_STATUSES: ReadonlySet<CallStatus> = new Set(['completed', 'busy', 'failed', 'no-answer', 'canceled', 'rejected']);

function parsed<T>(read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof PostCallPayloadError) throw new PermanentInboxError(err.message);
    throw err;
  }
}

/**
 * The other two post-call webhooks. post_call_audio: the MP3 the webhook stored under _pending/
 * moves to the call's tenant and is linked from calls.metadata.aiRecording. call_initiation_failure:
 * a call ElevenLabs could not place is marked busy / no-answer / failed with the reason.
 */
@Injectable()
export class PostCallSideEventsHandler implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly worker: WebhookInboxWorker,
    private readonly correlator: CallCorrelator,
    private readonly calls: CallConversationsRepository,
    private readonly recordings: RecordingStore,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    this.worker.register('post_call_audio', (event) => this.handleAudio(event));
    this.worker.register('call_initiation_failure', (event) => this.handleFailure(event));
  }

  async handleAudio(event: WebhookInboxEvent): Promise<InboxOutcome> {
    const envelope = parsed(() => parseEnvelope(event.payload));
    const keys = parsed(() => correlationKeysOf(envelope.data));
    const pending = envelope.data.audio as StoredRecording | undefined;
    if (!pending?.file) throw new PermanentInboxError('The stored event has no audio file reference');
    const match = await this.correlator.find(this.dataSource.manager, keys, false);
    if (!match) return { status: 'unmatched', note: 'No call has this conversation id yet (it is retried when its transcript links it)' };
    const stored = await this.recordings.promote(pending, match.call.tenantId, keys.conversationId);
    await this.calls.attachAiRecording(match.call.id, { file: stored.file, bytes: stored.bytes, conversationId: keys.conversationId, format: 'mp3' });
    return { status: 'done', tenantId: match.call.tenantId, callId: match.call.id };
  }

  async handleFailure(event: WebhookInboxEvent): Promise<InboxOutcome> {
    const failure = parsed(() => parseInitiationFailure(parseEnvelope(event.payload)));
    const result = await this.dataSource.transaction(async (manager) => {
      const match = await this.correlator.find(manager, failure.keys, true);
      if (!match) return null;
      const { call } = match;
      await this.correlator.claimConversation(manager, call, failure.conversationId);
      // A final status from Twilio's own callbacks is the better witness: keep it.
      if (FINAL_STATUSES.has(call.status)) return { call, changed: false };
      const status = callStatusForFailure(failure.failureReason);
      const failureReason = `elevenlabs: ${failure.failureReason}${failure.sipCode ? ` (SIP ${failure.sipCode})` : ''}`;
      await this.calls.recordInitiationFailure(manager, call, { status, failureReason, endedAt: new Date(), sipResponseCode: failure.sipCode });
      return { call, changed: true };
    });
    if (!result) return { status: 'unmatched', note: 'No call has this conversation id or CallSid' };
    if (result.changed) {
      await this.events.publish({
        tenantId: result.call.tenantId,
        type: 'call.status',
        callId: result.call.id,
        leadId: result.call.leadId,
        data: { status: result.call.status, reason: result.call.failureReason, source: 'elevenlabs' },
      });
    }
    return { status: 'done', tenantId: result.call.tenantId, callId: result.call.id };
  }
}
