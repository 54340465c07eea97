import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';
import type { KeywordSetOverrides } from '../../leads/domain/index.js';
import { IsKeywordOverrides } from './keyword-overrides.validator.js';
import { IsPhoneNumber } from '../../../common/phone/is-phone-number.decorator.js';

const HH_MM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

export class AgentSettingsDto {
  @ApiPropertyOptional({ description: 'ElevenLabs agent id', example: 'agent_01jx...' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  agentId?: string;

  @ApiPropertyOptional({ description: 'First thing the agent says (needs the override enabled on the agent)' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  firstMessage?: string;

  @ApiPropertyOptional({ description: 'System prompt override' })
  @IsOptional()
  @IsString()
  @MaxLength(20000)
  prompt?: string;

  @ApiPropertyOptional({ example: 'en' })
  @IsOptional()
  @IsString()
  @Matches(/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/, { message: 'language must be a language code such as en or pt-BR' })
  language?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  voiceId?: string;

  @ApiPropertyOptional({ description: 'The agent is public (authentication disabled on ElevenLabs): connect without a signed URL', default: false })
  @IsOptional()
  @IsBoolean()
  publicAgent?: boolean;
}

export class OpeningIntervalDto {
  @ApiPropertyOptional({ example: '09:00' })
  @Matches(HH_MM, { message: 'open must be a time HH:MM' })
  open: string;

  @ApiPropertyOptional({ example: '17:30' })
  @Matches(HH_MM, { message: 'close must be a time HH:MM' })
  close: string;
}

export class BusinessHoursDto {
  @IsOptional() @ValidateNested({ each: true }) @Type(() => OpeningIntervalDto) mon?: OpeningIntervalDto[];
  @IsOptional() @ValidateNested({ each: true }) @Type(() => OpeningIntervalDto) tue?: OpeningIntervalDto[];
  @IsOptional() @ValidateNested({ each: true }) @Type(() => OpeningIntervalDto) wed?: OpeningIntervalDto[];
  @IsOptional() @ValidateNested({ each: true }) @Type(() => OpeningIntervalDto) thu?: OpeningIntervalDto[];
  @IsOptional() @ValidateNested({ each: true }) @Type(() => OpeningIntervalDto) fri?: OpeningIntervalDto[];
  @IsOptional() @ValidateNested({ each: true }) @Type(() => OpeningIntervalDto) sat?: OpeningIntervalDto[];
  @IsOptional() @ValidateNested({ each: true }) @Type(() => OpeningIntervalDto) sun?: OpeningIntervalDto[];
}

export class QuotasDto {
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) @Max(100_000) maxConcurrentCalls?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) monthlyVoiceMinutes?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) monthlySmsSegments?: number;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(0) monthlyOutboundCalls?: number;
}

export class TenantMessagesDto {
  @ApiPropertyOptional({ description: 'Said to callers outside business hours' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  outOfHours?: string;
  @ApiPropertyOptional({ description: 'Said when a quota is exhausted' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  overQuota?: string;
  @ApiPropertyOptional({ description: 'Said when the AI agent is unavailable' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  unavailable?: string;
  @ApiPropertyOptional({ description: 'Reply to SMS HELP' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  smsHelp?: string;
  @ApiPropertyOptional({ description: 'SMS sent when the agent cannot answer' })
  @IsOptional()
  @IsString()
  @MaxLength(320)
  smsFallback?: string;
}

export class OutboundSettingsDto {
  @ApiPropertyOptional({ enum: ['hangup', 'voicemail'], default: 'hangup', description: 'When answering-machine detection says a machine answered' })
  @IsOptional()
  @IsIn(['hangup', 'voicemail'])
  onMachine?: 'hangup' | 'voicemail';
  @ApiPropertyOptional({ description: "The agent's first message when it leaves a voicemail" })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  voicemailMessage?: string;
}

export class TenantSettingsDto {
  @ApiPropertyOptional({ type: AgentSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => AgentSettingsDto)
  agent?: AgentSettingsDto;

  @ApiPropertyOptional({ enum: ['bridge', 'register-call'], default: 'bridge' })
  @IsOptional()
  @IsIn(['bridge', 'register-call'])
  routingMode?: 'bridge' | 'register-call';

  @ApiPropertyOptional({ description: 'Human hand-off number, E.164', example: '+14155550100' })
  @IsOptional()
  @IsPhoneNumber()
  handoffNumber?: string;

  @ApiPropertyOptional({ description: 'After a transfer to a human ends with the caller still on the line, hand the caller back to the AI (default true)' })
  @IsOptional()
  @IsBoolean()
  handBack?: boolean;

  @ApiPropertyOptional({ type: BusinessHoursDto, description: 'Opening intervals per weekday in the tenant timezone; absent = always open' })
  @IsOptional()
  @ValidateNested()
  @Type(() => BusinessHoursDto)
  businessHours?: BusinessHoursDto;

  @ApiPropertyOptional({ type: QuotasDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => QuotasDto)
  quotas?: QuotasDto;

  @ApiPropertyOptional({ type: OutboundSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => OutboundSettingsDto)
  outbound?: OutboundSettingsDto;

  @ApiPropertyOptional({ type: TenantMessagesDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TenantMessagesDto)
  messages?: TenantMessagesDto;

  @ApiPropertyOptional({
    description:
      'Lead-scoring vocabulary added to the defaults, e.g. { "interests": { "boiler_repair": ["boiler", "combi"] } }; an empty list switches a default off',
  })
  @IsOptional()
  @IsKeywordOverrides()
  keywords?: KeywordSetOverrides;
}
