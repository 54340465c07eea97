import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import type { TwilioAccountContext } from '../twilio-kit/twilio-request.js';
import type { SmsStatusParams } from './dto/sms-webhook.dto.js';
import { returningRows } from '../../database/returning-rows.js';
import { isRetryable, retryDelayMs, SMS_STATUS_RANK, statusRank } from './sms-rules.js';

const RANK_SQL = `(CASE status ${Object.entries(SMS_STATUS_RANK)
  .map(([s, r]) => `WHEN '${s}' THEN ${r}`)
  .join(' ')} ELSE -1 END)`;

interface UpdatedRow {
  id: string;
  tenant_id: string;
  lead_id: string;
  attempts: number;
  from: string | null;
  opted_out: boolean;
}

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
    @InjectDataSource() private readonly db: DataSource,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  async update(params: SmsStatusParams, account: TwilioAccountContext): Promise<void> {
    const rank = statusRank(params.MessageStatus);
    if (rank === undefined) return;
    const errorCode = params.ErrorCode ? Number(params.ErrorCode) : null;
    const rows = returningRows<UpdatedRow>(
      await this.db.query(
        `UPDATE lead_messages m SET status = $2, error_code = COALESCE($3, m.error_code)
       FROM leads l
       WHERE m.external_id = $1 AND ($5::uuid IS NULL OR m.tenant_id = $5) AND l.id = m.lead_id AND l.tenant_id = m.tenant_id
         AND ${RANK_SQL.replace(/status/, 'm.status')} < $4
       RETURNING m.id, m.tenant_id, m.lead_id, COALESCE((m.metadata->>'attempts')::int, 1) AS attempts, m.metadata->>'from' AS "from",
         (l.opted_out_at IS NOT NULL) AS opted_out`,
        [params.MessageSid, params.MessageStatus, errorCode, rank, account.tenantId],
      ),
    );
    const row = rows[0];
    if (!row) return; // unknown, or older than what we have: nothing to do
    await this.events.publish({
      tenantId: row.tenant_id,
      type: 'sms.status',
      leadId: row.lead_id,
      data: { messageId: row.id, sid: params.MessageSid, status: params.MessageStatus, errorCode },
    });
    if (params.MessageStatus !== 'failed' && params.MessageStatus !== 'undelivered') return;
    if (isRetryable(errorCode) && row.attempts <= this.config.sms.maxRetries && !row.opted_out && row.from) {
      // Only while the row still carries this attempt: a resend already under way has replaced it.
      await this.db.query(
        `UPDATE lead_messages SET resend_at = now() + make_interval(secs => $4::double precision / 1000)
         WHERE tenant_id = $1 AND id = $2 AND external_id = $3`,
        [row.tenant_id, row.id, params.MessageSid, retryDelayMs(row.attempts, this.config.sms.retryBaseMs)],
      );
    } else {
      await this.giveUp({ tenantId: row.tenant_id, leadId: row.lead_id, messageId: row.id, errorCode });
    }
  }

  /** The message will not be sent again: flagged in the timeline, and an alert for the dashboards. */
  async giveUp(m: { tenantId: string; leadId: string; messageId: string; errorCode: number | null; reason?: string }): Promise<void> {
    await this.db.query(`UPDATE lead_messages SET metadata = metadata || jsonb_build_object('flag', 'delivery_failed') WHERE tenant_id = $1 AND id = $2`, [
      m.tenantId,
      m.messageId,
    ]);
    await this.events.publish({
      tenantId: m.tenantId,
      type: 'alert',
      leadId: m.leadId,
      data: { kind: 'sms.delivery_failed', messageId: m.messageId, errorCode: m.errorCode, ...(m.reason ? { reason: m.reason } : {}) },
    });
  }
}
