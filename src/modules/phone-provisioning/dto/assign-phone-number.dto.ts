import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, IsUUID, Matches, ValidateIf } from 'class-validator';
import { IsPhoneNumber } from '../../../common/phone/is-phone-number.decorator.js';

// ElevenLabs agent ids are short ASCII tokens such as "agent_01jx...".
export const AGENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,100}$/;

export class AssignPhoneNumberDto {
  @ApiPropertyOptional({ description: 'A number already known here (give this or phoneNumber)' })
  @IsOptional()
  @IsUUID()
  phoneNumberId?: string;

  @ApiPropertyOptional({ description: 'A number of the Twilio account, international format (give this or phoneNumberId)', example: '+14155550123' })
  @IsOptional()
  @IsPhoneNumber()
  phoneNumber?: string;

  @ApiPropertyOptional({ description: 'Admin key only: the tenant to assign to. A tenant key assigns to its own tenant.' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({ description: "ElevenLabs agent for this number (overrides the tenant's agent); null clears it", nullable: true, type: String })
  @ValidateIf((_o, v) => v !== null && v !== undefined)
  @IsString()
  @Matches(AGENT_ID_PATTERN, { message: 'agentId must be 1-100 letters, digits, _ or -' })
  agentId?: string | null;

  @ApiPropertyOptional({ description: 'Route SMS to us (SmsUrl); unchanged when omitted' })
  @IsOptional()
  @IsBoolean()
  enableSms?: boolean;

  @ApiPropertyOptional({ description: 'Route WhatsApp to us (WhatsApp arrives on SmsUrl too); unchanged when omitted' })
  @IsOptional()
  @IsBoolean()
  enableWhatsApp?: boolean;
}
