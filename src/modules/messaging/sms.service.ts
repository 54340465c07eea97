import { Injectable } from '@nestjs/common';
import { toE164 } from '../../common/phone/phone-number.js';
import { LeadsRepository } from '../leads/leads.repository.js';
import type { SendSmsDto, SentSmsDto } from './dto/send-sms.dto.js';
import { MessagingException, MessagingExceptionCode } from './messaging.exception.js';
import { SmsSenderService } from './sms-sender.service.js';

/** Messages a tenant sends itself through the API. */
@Injectable()
export class SmsService {
  constructor(
    private readonly leads: LeadsRepository,
    private readonly sender: SmsSenderService,
  ) {}

  async send(tenantId: string, dto: SendSmsDto): Promise<SentSmsDto> {
    let lead;
    if (dto.leadId) {
      lead = await this.leads.findById(tenantId, dto.leadId);
      if (!lead) throw new MessagingException(MessagingExceptionCode.LEAD_NOT_FOUND, 'Lead not found');
    } else if (dto.to) {
      const e164 = toE164(dto.to);
      if (!e164) throw new MessagingException(MessagingExceptionCode.INVALID_RECIPIENT, 'to must be a phone number in E.164 format');
      lead = await this.leads.findOrCreateByPhone(tenantId, e164);
    } else {
      throw new MessagingException(MessagingExceptionCode.RECIPIENT_REQUIRED, 'Give either to or leadId');
    }
    const sent = await this.sender.send({ tenantId, lead, channel: dto.channel ?? 'sms', body: dto.body, role: 'agent', metadata: { source: 'api' } });
    return { id: sent.id, leadId: lead.id, sid: sent.sid, status: sent.status, segments: sent.segments };
  }
}
