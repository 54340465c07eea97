import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import type { TwilioAccountContext } from '../twilio-webhooks/guards/twilio-request.js';
import type { SmsStatusParams } from './dto/sms-webhook.dto.js';
import { returningRows } from '../../database/returning-rows.js';
import { isRetryable, retryDelayMs, SMS_STATUS_RANK, statusRank } from './sms-rules.js';
import { SmsSenderService } from './sms-sender.service.js';

const RANK_SQL = `(CASE status ${Object.entries(SMS_STATUS_RANK)
  .map(([s, r]) => `WHEN '${s}' THEN ${r}`)
  .join(' ')} ELSE -1 END)`;

interface UpdatedRow {
  id: string;
  tenant_id: string;
  lead_id: string;
  channel: 'sms' | 'whatsapp';
  body: string;
  attempts: number;
  from: string | null;
  phone_e164: string;
  opted_out: boolean;
}

/**
 * Delivery status callbacks: one conditional UPDATE moves a message forward only (callbacks
 * arrive out of order and repeated). Transient carrier failures are resent with backoff, the
 * attempt count kept in the row's metadata; permanent ones flag the message and alert.
 */
@Injectable()
export class SmsStatusService implements OnApplicationShutdown {
  private readonly logger = new Logger(SmsStatusService.name);
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly sender: SmsSenderService,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  async update(params: SmsStatusParams, account: TwilioAccountContext): Promise<void> {
    const rank = statusRank(params.MessageStatus);
    if (rank === undefined) return;
    const errorCode = params.ErrorCode ? Number(params.ErrorCode) : null;
    const rows = returningRows<UpdatedRow>(await this.db.query(
      `UPDATE lead_messages m SET status = $2, error_code = COALESCE($3, m.error_code)
       FROM leads l
       WHERE m.external_id = $1 AND ($5::uuid IS NULL OR m.tenant_id = $5) AND l.id = m.lead_id AND l.tenant_id = m.tenant_id
         AND ${RANK_SQL.replace(/status/, 'm.status')} < $4
       RETURNING m.id, m.tenant_id, m.lead_id, m.channel, m.body, COALESCE((m.metadata->>'attempts')::int, 1) AS attempts, m.metadata->>'from' AS "from",
         l.phone_e164, (l.opted_out_at IS NOT NULL) AS opted_out`,
      [params.MessageSid, params.MessageStatus, errorCode, rank, account.tenantId],
    ));
    const row = rows[0];
    if (!row) return; // unknown, or older than what we have: nothing to do
    await this.events.publish({ tenantId: row.tenant_id, type: 'sms.status', leadId: row.lead_id, data: { messageId: row.id, sid: params.MessageSid, status: params.MessageStatus, errorCode } });
    if (params.MessageStatus !== 'failed' && params.MessageStatus !== 'undelivered') return;
    if (isRetryable(errorCode) && row.attempts <= this.config.sms.maxRetries && !row.opted_out && row.from) {
      this.scheduleResend(row, params.MessageSid);
    } else {
      await this.db.query(`UPDATE lead_messages SET metadata = metadata || jsonb_build_object('flag', 'delivery_failed') WHERE id = $1`, [row.id]);
      await this.events.publish({ tenantId: row.tenant_id, type: 'alert', leadId: row.lead_id, data: { kind: 'sms.delivery_failed', messageId: row.id, errorCode } });
    }
  }

  /**
   * In-process timer (lost if this instance stops; the row stays `failed` and flagged then).
   * The resend replaces the row's external id, so callbacks of the failed attempt no longer match.
   */
  private scheduleResend(row: UpdatedRow, failedSid: string): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void this.resend(row, failedSid).catch((err) => this.logger.error({ err, messageId: row.id }, 'SMS resend failed'));
    }, retryDelayMs(row.attempts, this.config.sms.retryBaseMs));
    timer.unref();
    this.timers.add(timer);
  }

  private async resend(row: UpdatedRow, failedSid: string): Promise<void> {
    const { sid, status } = await this.sender.create(row.tenant_id, row.channel, row.from as string, row.phone_e164, row.body);
    await this.db.query(
      `UPDATE lead_messages SET external_id = $3, status = $4, error_code = NULL,
         metadata = metadata || jsonb_build_object('attempts', $5::int, 'previousSids', COALESCE(metadata->'previousSids', '[]'::jsonb) || to_jsonb($6::text))
       WHERE tenant_id = $1 AND id = $2 AND external_id = $6`,
      [row.tenant_id, row.id, sid, status, row.attempts + 1, failedSid],
    );
    await this.events.publish({ tenantId: row.tenant_id, type: 'sms.status', leadId: row.lead_id, data: { messageId: row.id, sid, status, attempt: row.attempts + 1 } });
  }

  onApplicationShutdown(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
