import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, IsUUID, MaxLength, MinLength } from 'class-validator';

export class HumanControlDto {
  @ApiProperty({ description: 'true: a human owns the conversation (no automatic replies); false: hand it back to the AI' })
  @IsBoolean()
  enabled: boolean;

  @ApiPropertyOptional({ maxLength: 100, description: 'Who took over (shown to other operators)' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  operator?: string;

  @ApiPropertyOptional({ description: 'Admin key only: the tenant to act for' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}

export class OperatorMessageDto {
  @ApiProperty({ maxLength: 1600 })
  @IsString()
  @MinLength(1)
  @MaxLength(1600, { message: 'body must be at most 1600 characters' })
  body: string;

  @ApiPropertyOptional({ maxLength: 100 })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  operator?: string;

  @ApiPropertyOptional({ description: 'Admin key only: the tenant to act for' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}

export class HumanControlStateDto {
  @ApiProperty() leadId: string;
  @ApiProperty() humanControl: boolean;
  @ApiProperty({ nullable: true, type: String }) operator: string | null;
}

export class OperatorMessageSentDto {
  @ApiProperty() id: string;
  @ApiProperty({ description: 'Twilio MessageSid' }) sid: string;
  @ApiProperty() status: string;
  @ApiProperty() segments: number;
}

export class TransferCallDto {
  @ApiPropertyOptional({ description: 'E.164 number to transfer to; default: the tenant handoffNumber' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  to?: string;

  @ApiPropertyOptional({ maxLength: 300 })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  reason?: string;

  @ApiPropertyOptional({ description: 'Admin key only: the tenant to act for' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}

export class TransferStartedDto {
  @ApiProperty() callId: string;
  @ApiProperty() to: string;
}
