import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { sha256Hex } from '../../../common/crypto/tokens.js';
import { AppException } from '../../../common/errors/app.exception.js';
import { errorMessage } from '../../../common/errors/error-message.js';
import { isJsonObject } from '../../../common/json/json-object.js';
import { rowsOf } from '../../../database/sql-row.js';
import { EVENT_BUS, type EventBus } from '../../realtime/event-bus.port.js';
import type { WebhookInboxEvent } from '../inbox/webhook-inbox.entity.js';
import { WebhookInboxRepository } from '../inbox/webhook-inbox.repository.js';
import { InboxOutcome, PermanentInboxError, WebhookInboxWorker } from '../inbox/webhook-inbox.worker.js';
import { CallCorrelator } from '../post-call/call-correlator.js';
import { ConversationEvent, ConversationEventError, parseConversationEvent, toRealtimeEvent } from './conversation-event.js';

const INBOX_TYPE = 'conversation_event';

/**
 * Live conversation events: appended to the call's timeline (call_events, idempotent on the
 * delivery's hash) and published to the realtime stream. Handled inline (they are small and live);
 * one that matches no call yet is kept in the inbox as `unmatched`, visible and re-drivable.
 */
@Injectable()
export class ConversationEventsService implements OnModuleInit {
  private readonly logger = new Logger(ConversationEventsService.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly correlator: CallCorrelator,
    private readonly inbox: WebhookInboxRepository,
    private readonly worker: WebhookInboxWorker,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  onModuleInit(): void {
    this.worker.register(INBOX_TYPE, (event) => this.redrive(event));
  }

  async receive(body: unknown, rawBody: Buffer | undefined): Promise<{ received: true; duplicate?: boolean; unmatched?: boolean }> {
    let event: ConversationEvent;
    try {
      event = parseConversationEvent(body, new Date());
    } catch (err) {
      if (err instanceof ConversationEventError) throw new AppException('INVALID_WEBHOOK_PAYLOAD', 'invalid', err.message);
      throw err;
    }
    const dedupKey = sha256Hex(rawBody ?? JSON.stringify(body));
    const result = await this.store(event, dedupKey);
    if (result === 'unmatched') {
      await this.inbox.insert({
        provider: 'elevenlabs',
        eventType: INBOX_TYPE,
        externalId: dedupKey,
        source: 'webhook',
        status: 'unmatched',
        // parseConversationEvent accepted the body, so it is a JSON object.
        payload: { ...(isJsonObject(body) ? body : {}), dedupKey },
        lastError: 'No call has this conversation id or call id yet',
      });
      this.logger.log({ type: event.type, conversationId: event.keys.conversationId }, 'Conversation event matched no call; kept in the inbox');
      return { received: true, unmatched: true };
    }
    return result === 'duplicate' ? { received: true, duplicate: true } : { received: true };
  }

  private async redrive(inboxEvent: WebhookInboxEvent): Promise<InboxOutcome> {
    let event: ConversationEvent;
    try {
      event = parseConversationEvent(inboxEvent.payload, inboxEvent.receivedAt ?? new Date());
    } catch (err) {
      throw new PermanentInboxError(errorMessage(err));
    }
    const dedupKey = inboxEvent.payload.dedupKey;
    const result = await this.store(event, typeof dedupKey === 'string' ? dedupKey : inboxEvent.externalId);
    if (result === 'unmatched') return { status: 'unmatched', note: 'Still no call for this conversation' };
    return result === 'duplicate' ? { status: 'done' } : { status: 'done', ...result.call };
  }

  private async store(event: ConversationEvent, dedupKey: string): Promise<'unmatched' | 'duplicate' | { call: { tenantId: string; callId: string } }> {
    const match = await this.correlator.find(this.dataSource.manager, event.keys, false);
    if (!match) return 'unmatched';
    const { call } = match;
    if (event.type === 'conversation_started') await this.correlator.claimConversation(this.dataSource.manager, call, event.keys.conversationId);
    const { conversation_id: _id, ...data } = event.data;
    const rows = rowsOf(
      await this.dataSource.query(
        `INSERT INTO call_events (tenant_id, call_id, conversation_id, type, dedup_key, data, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7)
       ON CONFLICT (tenant_id, dedup_key) DO NOTHING RETURNING id`,
        [call.tenantId, call.id, event.keys.conversationId, event.type, dedupKey, JSON.stringify(data), event.occurredAt],
      ),
    );
    if (rows.length === 0) return 'duplicate';
    const mapped = toRealtimeEvent(event);
    await this.events.publish({
      tenantId: call.tenantId,
      type: mapped.type,
      callId: call.id,
      leadId: call.leadId,
      data: mapped.data,
      occurredAt: event.occurredAt.toISOString(),
    });
    return { call: { tenantId: call.tenantId, callId: call.id } };
  }
}
