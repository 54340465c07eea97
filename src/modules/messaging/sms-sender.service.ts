import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { MessageRole } from '../leads/lead-message.entity.js';
import type { Lead } from '../leads/lead.entity.js';
import { TwilioClientFactory } from '../provider-clients/twilio-client.factory.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import { QuotaService } from '../usage/quota.service.js';
import { UsageService } from '../usage/usage.service.js';
import { MessagingException, MessagingExceptionCode } from './messaging.exception.js';
import { countSegments, withChannel } from './sms-rules.js';

export const SMS_STATUS_PATH = '/api/webhooks/twilio/sms/status';

export interface OutgoingSms {
  tenantId: string;
  lead: Pick<Lead, 'id' | 'phoneE164' | 'optedOutAt'>;
  channel: 'sms' | 'whatsapp';
  body: string;
  role: MessageRole;
  /** Our number to send from; default: the tenant's first SMS-capable number. */
  from?: string;
  metadata?: Record<string, unknown>;
}

/** An outgoing message whose last attempt failed transiently, claimed to be sent again. */
export interface DueResend {
  id: string;
  tenantId: string;
  leadId: string;
  channel: 'sms' | 'whatsapp';
  body: string;
  from: string;
  to: string;
  /** The attempt that failed: the row is only updated while it still carries this sid. */
  failedSid: string;
  attempts: number;
}

export interface SentSms {
  id: string;
  sid: string;
  status: string;
  segments: number;
  from: string;
}

/** Sends one SMS/WhatsApp message through the tenant's Twilio account, then stores, counts and announces it. */
@Injectable()
export class SmsSenderService {
  private readonly logger = new Logger(SmsSenderService.name);

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly twilio: TwilioClientFactory,
    private readonly usage: UsageService,
    private readonly quota: QuotaService,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  get statusCallbackUrl(): string {
    return `${this.config.publicBaseUrl.replace(/\/+$/, '')}${SMS_STATUS_PATH}`;
  }

  async senderNumber(tenantId: string, channel: 'sms' | 'whatsapp'): Promise<string> {
    const rows: Array<{ e164: string }> = await this.db.query(
      `SELECT e164 FROM phone_numbers WHERE tenant_id = $1 ORDER BY (CASE WHEN ${channel === 'whatsapp' ? 'whatsapp_enabled' : 'sms_enabled'} THEN 0 ELSE 1 END), created_at LIMIT 1`,
      [tenantId],
    );
    if (!rows[0]) throw new MessagingException(MessagingExceptionCode.NO_SENDER_NUMBER, 'The tenant has no phone number to send from');
    return rows[0].e164;
  }

  /** Twilio's create call only (used for first sends and resends). */
  async create(tenantId: string, channel: 'sms' | 'whatsapp', from: string, to: string, body: string): Promise<{ sid: string; status: string }> {
    const { client } = await this.twilio.forTenant(tenantId);
    try {
      const msg = await client.messages.create({
        to: withChannel(channel, to),
        from: withChannel(channel, from),
        body,
        statusCallback: this.statusCallbackUrl,
      });
      return { sid: msg.sid, status: msg.status ?? 'queued' };
    } catch (err) {
      const code = (err as { code?: number }).code;
      this.logger.warn({ tenantId, code }, 'Twilio refused an outgoing message');
      throw new MessagingException(MessagingExceptionCode.SEND_FAILED, `Twilio refused the message${code ? ` (error ${code})` : ''}`);
    }
  }

  /**
   * Sends a message again, as a new Twilio message: counted and bounded by the quota like any send
   * (Twilio bills each attempt). The row takes the new sid, so the failed attempt's late callbacks
   * no longer match it.
   */
  async resend(m: DueResend): Promise<{ sid: string; status: string }> {
    const segments = countSegments(m.body);
    await this.assertQuota(m.tenantId, m.channel, segments);
    const { sid, status } = await this.create(m.tenantId, m.channel, m.from, m.to, m.body);
    const now = new Date();
    const attempt = m.attempts + 1;
    await this.db.transaction(async (manager) => {
      await manager.query(
        `UPDATE lead_messages SET external_id = $3, status = $4, error_code = NULL,
           metadata = metadata || jsonb_build_object('attempts', $5::int, 'previousSids', COALESCE(metadata->'previousSids', '[]'::jsonb) || to_jsonb($6::text))
         WHERE tenant_id = $1 AND id = $2 AND external_id = $6`,
        [m.tenantId, m.id, sid, status, attempt, m.failedSid],
      );
      await this.countSent(manager, m.tenantId, m.channel, segments, now);
      await this.events.publish({ tenantId: m.tenantId, type: 'sms.status', leadId: m.leadId, data: { messageId: m.id, sid, status, attempt } }, { manager });
    });
    return { sid, status };
  }

  async send(out: OutgoingSms): Promise<SentSms> {
    if (out.lead.optedOutAt) throw new MessagingException(MessagingExceptionCode.OPTED_OUT, 'The recipient has opted out (STOP); send START to opt back in');
    const segments = countSegments(out.body);
    await this.assertQuota(out.tenantId, out.channel, segments);
    const from = out.from ?? (await this.senderNumber(out.tenantId, out.channel));
    const { sid, status } = await this.create(out.tenantId, out.channel, from, out.lead.phoneE164, out.body);
    const now = new Date();
    const id = await this.db.transaction(async (manager) => {
      const rows: Array<{ id: string }> = await manager.query(
        `INSERT INTO lead_messages (tenant_id, lead_id, channel, direction, role, body, external_id, status, segments, metadata, occurred_at)
         VALUES ($1, $2, $3, 'outbound', $4, $5, $6, $7, $8, $9, $10)
         ON CONFLICT (tenant_id, external_id) WHERE external_id IS NOT NULL DO UPDATE SET body = EXCLUDED.body RETURNING id`,
        [out.tenantId, out.lead.id, out.channel, out.role, out.body, sid, status, segments, JSON.stringify({ ...out.metadata, from, attempts: 1 }), now],
      );
      await manager.query(`UPDATE leads SET last_contact_at = $3 WHERE tenant_id = $1 AND id = $2`, [out.tenantId, out.lead.id, now]);
      await this.countSent(manager, out.tenantId, out.channel, segments, now);
      await this.events.publish(
        {
          tenantId: out.tenantId,
          type: 'sms.sent',
          leadId: out.lead.id,
          data: { messageId: rows[0].id, sid, channel: out.channel, role: out.role, status, segments, body: out.body },
        },
        { manager },
      );
      return rows[0].id;
    });
    return { id, sid, status, segments, from };
  }

  /** Room for all of a message's SMS segments this month (`pending` counts those beyond the first). */
  private async assertQuota(tenantId: string, channel: 'sms' | 'whatsapp', segments: number): Promise<void> {
    if (channel !== 'sms') return;
    const quota = await this.quota.check(tenantId, 'smsSegments', { pending: segments - 1 });
    if (!quota.allowed)
      throw new MessagingException(MessagingExceptionCode.QUOTA_EXCEEDED, `The monthly SMS quota is used up (${quota.used} of ${quota.limit} segments)`);
  }

  /** Usage of one message sent (a first send or a resend), and the quota alerts it earns, in the sender's transaction. */
  private async countSent(manager: EntityManager, tenantId: string, channel: 'sms' | 'whatsapp', segments: number, now: Date): Promise<void> {
    await this.usage.increment(tenantId, now, channel === 'whatsapp' ? { whatsappOut: 1 } : { smsOutSegments: segments }, manager);
    if (channel === 'sms') await this.quota.alertIfNeeded(tenantId, 'smsSegments', { manager, now });
  }
}
