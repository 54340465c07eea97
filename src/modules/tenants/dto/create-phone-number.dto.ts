import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsOptional, Matches, ValidateNested } from 'class-validator';
import { IsPhoneNumber } from '../../../common/phone/is-phone-number.decorator.js';

export class PhoneCapabilitiesDto {
  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() voice?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() sms?: boolean;
  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() whatsapp?: boolean;
}

export class CreatePhoneNumberDto {
  @ApiProperty({ description: 'International format; stored as E.164', example: '+14155550123' })
  @IsPhoneNumber()
  phoneNumber: string;

  @ApiPropertyOptional({ description: "Twilio's IncomingPhoneNumber SID", example: 'PN0123456789abcdef0123456789abcdef' })
  @IsOptional()
  @Matches(/^PN[0-9a-fA-F]{32}$/, { message: 'twilioSid must be PN followed by 32 hex characters' })
  twilioSid?: string;

  @ApiPropertyOptional({ type: PhoneCapabilitiesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => PhoneCapabilitiesDto)
  capabilities?: PhoneCapabilitiesDto;
}
