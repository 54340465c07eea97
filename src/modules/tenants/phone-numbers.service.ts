import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { IsNull, Not, Repository } from 'typeorm';
import { toE164 } from '../../common/phone/phone-number.js';
import { CreatePhoneNumberDto } from './dto/create-phone-number.dto.js';
import { PhoneNumber } from './phone-number.entity.js';
import { TenantsException, TenantsExceptionCode } from './tenants.exception.js';
import { isUniqueViolation } from '../../database/pg-errors.js';
import { firstRow, text } from '../../database/sql-row.js';

@Injectable()
export class PhoneNumbersService {
  constructor(@InjectRepository(PhoneNumber) private readonly numbers: Repository<PhoneNumber>) {}

  async create(tenantId: string, dto: CreatePhoneNumberDto): Promise<PhoneNumber> {
    const e164 = toE164(dto.phoneNumber);
    if (!e164) throw new TenantsException(TenantsExceptionCode.INVALID_PHONE_NUMBER, 'phoneNumber is not a valid phone number');
    const entity = this.numbers.create({
      tenantId,
      e164,
      twilioSid: dto.twilioSid ?? null,
      voiceEnabled: dto.capabilities?.voice ?? true,
      smsEnabled: dto.capabilities?.sms ?? false,
      whatsappEnabled: dto.capabilities?.whatsapp ?? false,
    });
    try {
      return await this.numbers.save(entity);
    } catch (err) {
      if (isUniqueViolation(err, 'UQ_phone_numbers_twilio_sid')) {
        throw new TenantsException(TenantsExceptionCode.PHONE_NUMBER_TAKEN, 'This twilioSid is already registered');
      }
      if (isUniqueViolation(err)) {
        // Same message whoever owns it: another tenant's numbers are not disclosed.
        throw new TenantsException(TenantsExceptionCode.PHONE_NUMBER_TAKEN, `${e164} is already registered`);
      }
      throw err;
    }
  }

  list(tenantId: string): Promise<PhoneNumber[]> {
    return this.numbers.find({ where: { tenantId }, order: { createdAt: 'DESC' } });
  }

  async remove(tenantId: string, numberId: string): Promise<void> {
    const result = await this.numbers.delete({ id: numberId, tenantId });
    if (!result.affected) throw new TenantsException(TenantsExceptionCode.PHONE_NUMBER_NOT_FOUND, 'Phone number not found');
  }

  /**
   * The number Twilio's `To` names, with its tenant: the entry point of every inbound webhook.
   * A number in the platform pool (unassigned, tenant_id NULL) routes to nobody, so it is not found.
   */
  findByE164(e164: string): Promise<(PhoneNumber & { tenantId: string }) | null> {
    return this.numbers.findOne({ where: { e164, tenantId: Not(IsNull()) }, relations: { tenant: true } }) as Promise<
      (PhoneNumber & { tenantId: string }) | null
    >;
  }

  /** The number to send a tenant's message from: its first with the channel enabled, else its first; null when it has none. */
  async senderNumber(tenantId: string, channel: 'sms' | 'whatsapp'): Promise<string | null> {
    return firstRow(
      await this.numbers.query(
        `SELECT e164 FROM phone_numbers WHERE tenant_id = $1 ORDER BY (CASE WHEN ${channel === 'whatsapp' ? 'whatsapp_enabled' : 'sms_enabled'} THEN 0 ELSE 1 END), created_at LIMIT 1`,
        [tenantId],
      ),
      (r) => text(r, 'e164'),
    );
  }
}

export function toPhoneNumberResponse(n: PhoneNumber) {
  return {
    id: n.id,
    tenantId: n.tenantId,
    phoneNumber: n.e164,
    twilioSid: n.twilioSid,
    capabilities: { voice: n.voiceEnabled, sms: n.smsEnabled, whatsapp: n.whatsappEnabled },
    createdAt: n.createdAt,
  };
}
