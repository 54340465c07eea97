import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { LeadsRepository } from '../leads/leads.repository.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import type { TwilioAccountContext } from '../twilio-kit/twilio-request.js';
import type { SmsStatusParams } from './dto/sms-webhook.dto.js';
import { isRetryable, retryDelayMs } from './sms-rules.js';

/**
 * Delivery status callbacks: one conditional UPDATE moves a message forward only (callbacks
 * arrive out of order and repeated). A transient carrier failure schedules a resend in the row
 * (`resend_at`, sent by SmsResendWorker on any instance); a permanent one flags the message and
 * alerts.
 */
@Injectable()
export class SmsStatusService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly leads: LeadsRepository,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  async update(params: SmsStatusParams, account: TwilioAccountContext): Promise<void> {
    const errorCode = params.ErrorCode ? Number(params.ErrorCode) : null;
    const row = await this.leads.markDelivery({ externalId: params.MessageSid, status: params.MessageStatus, errorCode, tenantId: account.tenantId });
    if (!row) return; // an unknown status or message, or older than what we have: nothing to do
    await this.events.publish({
      tenantId: row.tenantId,
      type: 'sms.status',
      leadId: row.leadId,
      data: { messageId: row.id, sid: params.MessageSid, status: params.MessageStatus, errorCode },
    });
    if (params.MessageStatus !== 'failed' && params.MessageStatus !== 'undelivered') return;
    if (isRetryable(errorCode) && row.attempts <= this.config.sms.maxRetries && !row.optedOut && row.from) {
      // Only while the row still carries this attempt: a resend already under way has replaced it.
      await this.leads.scheduleResend(row.tenantId, row.id, params.MessageSid, retryDelayMs(row.attempts, this.config.sms.retryBaseMs));
    } else {
      await this.giveUp({ tenantId: row.tenantId, leadId: row.leadId, messageId: row.id, errorCode });
    }
  }

  /** The message will not be sent again: flagged in the timeline, and an alert for the dashboards. */
  async giveUp(m: { tenantId: string; leadId: string; messageId: string; errorCode: number | null; reason?: string }): Promise<void> {
    await this.leads.flagMessage(m.tenantId, m.messageId, 'delivery_failed');
    await this.events.publish({
      tenantId: m.tenantId,
      type: 'alert',
      leadId: m.leadId,
      data: { kind: 'sms.delivery_failed', messageId: m.messageId, errorCode: m.errorCode, ...(m.reason ? { reason: m.reason } : {}) },
    });
  }
}
