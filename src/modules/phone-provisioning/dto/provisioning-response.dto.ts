import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { PhoneNumber } from '../../tenants/phone-number.entity.js';

class CapabilitiesDto {
  @ApiProperty() voice: boolean;
  @ApiProperty() sms: boolean;
  @ApiProperty() whatsapp: boolean;
}

export class ProvisionedNumberDto {
  @ApiProperty() id: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Null: unassigned (platform pool), routes to nobody' }) tenantId: string | null;
  @ApiProperty({ example: '+14155550123' }) phoneNumber: string;
  @ApiPropertyOptional({ nullable: true, type: String }) twilioSid: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) agentId: string | null;
  @ApiProperty({ type: CapabilitiesDto }) capabilities: CapabilitiesDto;
  @ApiProperty({ enum: ['active', 'drifted'] }) status: string;
  @ApiPropertyOptional({ nullable: true, type: Date }) webhooksConfiguredAt: Date | null;
  @ApiProperty({ type: [String], description: 'Twilio fields this request changed (empty: Twilio was already right)' }) updatedFields: string[];
}

export class WebhookDifferenceDto {
  @ApiProperty() field: string;
  @ApiProperty({ description: 'Empty string: nothing of ours may be set there' }) expected: string;
  @ApiPropertyOptional({ nullable: true, type: String }) actual: string | null;
}

export class WebhookVerificationDto {
  @ApiProperty() phoneNumberId: string;
  @ApiProperty() phoneNumber: string;
  @ApiProperty() twilioSid: string;
  @ApiProperty({ enum: ['active', 'drifted'] }) status: string;
  @ApiProperty({ description: 'True when Twilio matches what the number should have' }) configured: boolean;
  @ApiProperty({ type: Object }) expected: Record<string, string>;
  @ApiProperty({ type: Object }) actual: Record<string, string | null>;
  @ApiProperty({ type: [WebhookDifferenceDto] }) differences: WebhookDifferenceDto[];
}

export class ResyncErrorDto {
  @ApiProperty() phoneNumberId: string;
  @ApiProperty() code: string;
  @ApiProperty() message: string;
  @ApiPropertyOptional({ type: Object, description: "Twilio's error: status, code, message, moreInfo" }) twilio?: Record<string, unknown>;
}

export class ResyncResultDto {
  @ApiProperty() total: number;
  @ApiProperty() success: number;
  @ApiProperty() failed: number;
  @ApiProperty({ type: [ResyncErrorDto] }) errors: ResyncErrorDto[];
}

export function toProvisionedNumber(n: PhoneNumber, updatedFields: string[] = []): ProvisionedNumberDto {
  return {
    id: n.id,
    tenantId: n.tenantId,
    phoneNumber: n.e164,
    twilioSid: n.twilioSid,
    agentId: n.agentId,
    capabilities: { voice: n.voiceEnabled, sms: n.smsEnabled, whatsapp: n.whatsappEnabled },
    status: n.status,
    webhooksConfiguredAt: n.webhooksConfiguredAt,
    updatedFields,
  };
}
