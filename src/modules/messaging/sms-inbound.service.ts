import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { maskPhone } from '../../common/logging/redaction.js';
import { toE164 } from '../../common/phone/phone-number.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { LeadsRepository } from '../leads/leads.repository.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import { PhoneNumbersService } from '../tenants/phone-numbers.service.js';
import type { Tenant } from '../tenants/tenant.entity.js';
import { TenantsService } from '../tenants/tenants.service.js';
import type { TwilioAccountContext } from '../twilio-kit/twilio-request.js';
import { QuotaService } from '../usage/quota.service.js';
import { UsageService } from '../usage/usage.service.js';
import { AgentTextClient } from './agent-text.client.js';
import type { IncomingSmsParams } from './dto/sms-webhook.dto.js';
import { classifyKeyword, countSegments, splitChannelAddress, type SmsKeyword } from './sms-rules.js';
import { SmsSenderService } from './sms-sender.service.js';

const DEFAULT_HELP = 'Reply STOP to stop receiving messages. Reply START to opt back in.';
const DEFAULT_FALLBACK = 'Thanks for your message. We will get back to you shortly.';

interface Stored {
  tenantId: string;
  leadId: string;
  messageId: string;
  channel: 'sms' | 'whatsapp';
  ourNumber: string;
  body: string;
  keyword: SmsKeyword;
}

/**
 * Incoming SMS/WhatsApp: stored (idempotent on MessageSid), counted and announced inside the
 * webhook; the automatic reply runs after Twilio has its empty `<Response/>` (the agent may take
 * longer than Twilio waits).
 */
@Injectable()
export class SmsInboundService implements OnApplicationShutdown {
  private readonly logger = new Logger(SmsInboundService.name);
  private readonly pending = new Set<Promise<void>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @InjectDataSource() private readonly db: DataSource,
    private readonly numbers: PhoneNumbersService,
    private readonly tenants: TenantsService,
    private readonly leads: LeadsRepository,
    private readonly usage: UsageService,
    private readonly quota: QuotaService,
    private readonly sender: SmsSenderService,
    private readonly agent: AgentTextClient,
    @Inject(EVENT_BUS) private readonly events: EventBus,
  ) {}

  async receive(params: IncomingSmsParams, account: TwilioAccountContext): Promise<void> {
    const to = splitChannelAddress(params.To);
    const from = splitChannelAddress(params.From);
    const channel = from.channel === 'whatsapp' || to.channel === 'whatsapp' ? 'whatsapp' : 'sms';
    const number = await this.numbers.findByE164(to.number);
    if (!number || (account.tenantId && account.tenantId !== number.tenantId)) {
      this.logger.warn({ to: maskPhone(to.number), messageSid: params.MessageSid }, 'SMS to a number no tenant owns: ignored');
      return;
    }
    const sender = toE164(from.number);
    if (!sender) {
      this.logger.warn({ messageSid: params.MessageSid }, 'SMS from an address that is not a phone number: ignored');
      return;
    }
    const stored = await this.store(number.tenantId, channel, to.number, sender, params);
    if (stored) this.track(this.respond(stored));
  }

  /** Writes the message, applies opt-out keywords, counts and announces; null for a retried webhook. */
  private store(tenantId: string, channel: 'sms' | 'whatsapp', ourNumber: string, sender: string, params: IncomingSmsParams): Promise<Stored | null> {
    const body = params.Body ?? '';
    const keyword = classifyKeyword(body);
    const now = new Date();
    return this.db.transaction(async (manager) => {
      const lead = await this.leads.findOrCreateByPhone(tenantId, sender, manager);
      const segments = Number(params.NumSegments) || countSegments(body);
      const messageId = await this.leads.appendInboundText(manager, {
        tenantId,
        leadId: lead.id,
        channel,
        body,
        externalId: params.MessageSid,
        segments,
        metadata: { to: ourNumber, ...(keyword ? { keyword } : {}) },
        occurredAt: now,
      });
      if (messageId === null) return null;
      await this.leads.recordInboundContact(manager, tenantId, lead.id, now, keyword === 'help' ? null : keyword);
      await this.usage.increment(tenantId, now, channel === 'whatsapp' ? { whatsappIn: 1 } : { smsInSegments: segments }, manager);
      await this.events.publish(
        { tenantId, type: 'sms.received', leadId: lead.id, data: { messageId, sid: params.MessageSid, channel, body, keyword } },
        { manager },
      );
      if (keyword === 'opt_out' || keyword === 'opt_in') {
        await this.events.publish({ tenantId, type: 'lead.updated', leadId: lead.id, data: { optedOut: keyword === 'opt_out' } }, { manager });
      }
      return { tenantId, leadId: lead.id, messageId, channel, ourNumber, body, keyword };
    });
  }

  /** The automatic answer, if any. Never throws: failures are flagged on the message. */
  private async respond(s: Stored): Promise<void> {
    try {
      const [tenant, lead] = await Promise.all([this.tenants.get(s.tenantId), this.leads.findById(s.tenantId, s.leadId)]);
      if (!lead || lead.optedOutAt || s.keyword === 'opt_out' || s.keyword === 'opt_in') return;
      const base = { tenantId: s.tenantId, lead, channel: s.channel, from: s.ourNumber } as const;
      if (s.keyword === 'help') {
        await this.sender.send({
          ...base,
          body: tenant.settings?.messages?.smsHelp || DEFAULT_HELP,
          role: 'system',
          metadata: { inReplyTo: s.messageId, kind: 'help' },
        });
        return;
      }
      if (lead.humanControl) return; // operators see it live and answer themselves
      if (await this.overRateLimit(s.tenantId)) {
        await this.flag(s, 'rate_limited');
        return;
      }
      // Checked before the agent is asked (that costs money), not only when sending.
      if (s.channel === 'sms' && !(await this.quota.check(s.tenantId, 'smsSegments')).allowed) {
        await this.flag(s, 'quota_exceeded');
        return;
      }
      const reply = await this.agentReply(tenant, lead, s);
      await this.sender.send({
        ...base,
        body: reply.body,
        role: reply.fallback ? 'system' : 'agent',
        metadata: { inReplyTo: s.messageId, ...(reply.fallback ? { flag: 'agent_failed' } : { conversationId: reply.conversationId }) },
      });
    } catch (err) {
      this.logger.error({ err, tenantId: s.tenantId, messageId: s.messageId }, 'Automatic SMS reply failed');
      await this.flag(s, 'reply_failed').catch(() => undefined);
    }
  }

  private async agentReply(tenant: Tenant, lead: NonNullable<Awaited<ReturnType<LeadsRepository['findById']>>>, s: Stored) {
    try {
      const { reply, conversationId } = await this.agent.reply(tenant, lead, s.body);
      return { body: reply.slice(0, 1600), fallback: false, conversationId };
    } catch (err) {
      this.logger.warn(
        { tenantId: s.tenantId, leadId: s.leadId, reason: (err as Error).message },
        'The agent did not answer an SMS: sending the fallback text',
      );
      await this.flag(s, 'agent_failed');
      return { body: tenant.settings?.messages?.smsFallback || DEFAULT_FALLBACK, fallback: true, conversationId: null };
    }
  }

  /** Automatic replies of the tenant in the window, counted in the database so every instance agrees. */
  private async overRateLimit(tenantId: string): Promise<boolean> {
    return (await this.leads.countAutoReplies(tenantId, this.config.sms.autoReplyWindowSecs)) >= this.config.sms.autoReplyLimit;
  }

  private async flag(s: Stored, flag: string): Promise<void> {
    await this.leads.flagMessage(s.tenantId, s.messageId, flag);
    await this.events.publish({ tenantId: s.tenantId, type: 'alert', leadId: s.leadId, data: { kind: `sms.${flag}`, messageId: s.messageId } });
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  /** Lets replies in flight finish before the database closes. */
  async onApplicationShutdown(): Promise<void> {
    await Promise.allSettled([...this.pending]);
  }

  /** For tests and drains: resolves when no automatic reply is in flight. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }
}
