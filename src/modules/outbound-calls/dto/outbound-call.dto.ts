import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

export class OutboundCallDto {
  @ApiPropertyOptional({ description: 'Number to call (E.164); or give leadId', example: '+14155550123' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  to?: string;

  @ApiPropertyOptional({ description: 'Call this lead (its phone number)' })
  @IsOptional()
  @IsUUID()
  leadId?: string;

  @ApiPropertyOptional({ description: "Caller ID: one of the tenant's numbers (default: its first voice number)" })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  from?: string;

  @ApiPropertyOptional({ description: 'Admin key only: the tenant placing the call' })
  @IsOptional()
  @IsUUID()
  tenantId?: string;

  @ApiPropertyOptional({ type: Object, description: 'Extra ElevenLabs dynamic variables for this conversation' })
  @IsOptional()
  @IsObject()
  dynamicVariables?: Record<string, string | number | boolean>;

  @ApiPropertyOptional({ description: "Overrides the agent's first message for this call" })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  firstMessage?: string;

  @ApiPropertyOptional({ description: "Overrides the agent's prompt for this call" })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  prompt?: string;

  @ApiPropertyOptional({ enum: ['Enable', 'DetectMessageEnd'], description: "Twilio answering-machine detection; true = 'Enable'" })
  @IsOptional()
  @IsIn([true, false, 'Enable', 'DetectMessageEnd'])
  machineDetection?: boolean | 'Enable' | 'DetectMessageEnd';

  @ApiPropertyOptional({ description: 'Admin key only: place the call outside business hours' })
  @IsOptional()
  @IsBoolean()
  force?: boolean;
}

export class OutboundCallResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() tenantId: string;
  @ApiPropertyOptional({ nullable: true, type: String }) leadId: string | null;
  @ApiProperty({ example: 'queued' }) status: string;
  @ApiProperty() direction: string;
  @ApiProperty() to: string;
  @ApiProperty() from: string;
}
