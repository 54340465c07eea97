import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { MessageRole } from '../leads/lead-message.entity.js';
import type { Lead } from '../leads/lead.entity.js';
import { LeadsRepository } from '../leads/leads.repository.js';
import { TwilioClientFactory } from '../provider-clients/twilio-client.factory.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import { PhoneNumbersService } from '../tenants/phone-numbers.service.js';
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
    private readonly leads: LeadsRepository,
    private readonly numbers: PhoneNumbersService,
    private readonly twilio: TwilioClientFactory,
    private readonly usage: UsageService,
    private readonly quota: QuotaService,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  get statusCallbackUrl(): string {
    return `${this.config.publicBaseUrl.replace(/\/+$/, '')}${SMS_STATUS_PATH}`;
  }

  async senderNumber(tenantId: string, channel: 'sms' | 'whatsapp'): Promise<string> {
    const e164 = await this.numbers.senderNumber(tenantId, channel);
    if (!e164) throw new MessagingException(MessagingExceptionCode.NO_SENDER_NUMBER, 'The tenant has no phone number to send from');
    return e164;
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
      await this.leads.markResent(manager, { tenantId: m.tenantId, messageId: m.id, failedSid: m.failedSid, sid, status, attempt });
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
      const messageId = await this.leads.appendOutboundText(manager, {
        tenantId: out.tenantId,
        leadId: out.lead.id,
        channel: out.channel,
        role: out.role,
        body: out.body,
        externalId: sid,
        status,
        segments,
        metadata: { ...out.metadata, from, attempts: 1 },
        occurredAt: now,
      });
      await this.leads.touchLastContact(manager, out.tenantId, out.lead.id, now);
      await this.countSent(manager, out.tenantId, out.channel, segments, now);
      await this.events.publish(
        {
          tenantId: out.tenantId,
          type: 'sms.sent',
          leadId: out.lead.id,
          data: { messageId, sid, channel: out.channel, role: out.role, status, segments, body: out.body },
        },
        { manager },
      );
      return messageId;
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
