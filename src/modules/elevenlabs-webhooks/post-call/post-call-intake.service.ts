import { Injectable, Logger } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { AppException } from '../../../common/errors/app.exception.js';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import { WebhookInboxRepository } from '../inbox/webhook-inbox.repository.js';
import { WebhookInboxWorker } from '../inbox/webhook-inbox.worker.js';
import { conversationIdOf, Envelope, parseEnvelope, POST_CALL_TYPES, PostCallPayloadError, PostCallType } from './post-call-payload.js';
import { RecordingStore } from './recording-store.js';

export interface IntakeResult {
  received: true;
  duplicate?: boolean;
  ignored?: boolean;
}

/**
 * The fast half of the post-call webhook: store the verified event in the inbox (idempotent on
 * conversation id + type) and return, so ElevenLabs gets its 200 quickly; the worker does the rest.
 */
@Injectable()
export class PostCallIntakeService {
  private readonly logger = new Logger(PostCallIntakeService.name);
  private readonly received: Counter<'event_type' | 'result'>;

  constructor(
    private readonly inbox: WebhookInboxRepository,
    private readonly worker: WebhookInboxWorker,
    private readonly recordings: RecordingStore,
    metrics: MetricsService,
  ) {
    this.received = metrics.counter('elevenlabs_webhooks_received_total', 'Verified ElevenLabs post-call webhooks, by type and result', [
      'event_type',
      'result',
    ]);
  }

  async receive(body: unknown): Promise<IntakeResult> {
    let envelope: Envelope;
    let conversationId: string;
    try {
      envelope = parseEnvelope(body);
      conversationId = conversationIdOf(envelope.data);
    } catch (err) {
      if (err instanceof PostCallPayloadError) throw new AppException('INVALID_WEBHOOK_PAYLOAD', 'invalid', err.message);
      throw err;
    }
    const type = envelope.type as PostCallType;
    if (!POST_CALL_TYPES.includes(type)) {
      // A type ElevenLabs added after this code: acknowledged, so the webhook is not disabled.
      this.logger.warn({ type: envelope.type.slice(0, 60), conversationId }, 'Ignoring an unknown ElevenLabs webhook type');
      this.received.inc({ event_type: 'unknown', result: 'ignored' });
      return { received: true, ignored: true };
    }
    const payload = type === 'post_call_audio' ? await this.audioPayload(envelope, conversationId) : (body as Record<string, unknown>);
    if (!payload) {
      this.received.inc({ event_type: type, result: 'duplicate' });
      return { received: true, duplicate: true };
    }
    const { inserted } = await this.inbox.insert({ provider: 'elevenlabs', eventType: type, externalId: conversationId, payload, source: 'webhook' });
    this.received.inc({ event_type: type, result: inserted ? 'stored' : 'duplicate' });
    if (inserted) this.worker.kick();
    this.logger.log({ type, conversationId, duplicate: !inserted }, 'ElevenLabs webhook stored');
    return inserted ? { received: true } : { received: true, duplicate: true };
  }

  /** The MP3 goes to disk and the inbox keeps a reference; undefined when this delivery is a duplicate. */
  private async audioPayload(envelope: Envelope, conversationId: string): Promise<Record<string, unknown> | undefined> {
    if (await this.inbox.exists('elevenlabs', 'post_call_audio', conversationId)) return undefined;
    const audio = envelope.data.full_audio;
    if (typeof audio !== 'string' || audio.length === 0) throw new AppException('INVALID_WEBHOOK_PAYLOAD', 'invalid', 'data.full_audio is missing');
    const stored = await this.recordings.savePending(conversationId, audio);
    return {
      type: envelope.type,
      event_timestamp: envelope.eventTimestamp,
      data: { agent_id: envelope.data.agent_id ?? null, conversation_id: conversationId, audio: stored },
    };
  }
}
