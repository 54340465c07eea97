import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class SendSmsDto {
  @ApiPropertyOptional({ description: 'Recipient in E.164 (or leadId)' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  to?: string;

  @ApiPropertyOptional({ description: 'The lead to write to (or to)' })
  @IsOptional()
  @IsUUID()
  leadId?: string;

  @ApiProperty({ maxLength: 1600 })
  @IsString()
  @MinLength(1)
  @MaxLength(1600, { message: 'body must be at most 1600 characters (Twilio’s concatenated SMS limit)' })
  body: string;

  @ApiPropertyOptional({ enum: ['sms', 'whatsapp'], default: 'sms' })
  @IsOptional()
  @IsIn(['sms', 'whatsapp'])
  channel?: 'sms' | 'whatsapp';

  @ApiPropertyOptional({ description: 'Admin key only: the tenant to act for' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}

export class SentSmsDto {
  @ApiProperty() id: string;
  @ApiProperty() leadId: string;
  @ApiProperty({ description: 'Twilio MessageSid' }) sid: string;
  @ApiProperty() status: string;
  @ApiProperty() segments: number;
}
