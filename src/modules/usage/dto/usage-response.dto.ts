import { ApiProperty } from '@nestjs/swagger';

export class UsageCountersDto {
  @ApiProperty() inboundCalls: number;
  @ApiProperty() outboundCalls: number;
  @ApiProperty({ description: 'Inbound call seconds (Twilio CallDuration)' }) inboundSeconds: number;
  @ApiProperty() outboundSeconds: number;
  @ApiProperty() smsInSegments: number;
  @ApiProperty() smsOutSegments: number;
  @ApiProperty() whatsappIn: number;
  @ApiProperty() whatsappOut: number;
  @ApiProperty() aiSeconds: number;
  @ApiProperty({ description: 'Decimal string' }) aiCost: string;
}

export class UsageDayDto extends UsageCountersDto {
  @ApiProperty({ example: '2026-03-16', description: 'UTC day' }) day: string;
}

export class UsageQuotasDto {
  @ApiProperty({ nullable: true, type: Number }) maxConcurrentCalls: number | null;
  @ApiProperty({ nullable: true, type: Number }) monthlyVoiceMinutes: number | null;
  @ApiProperty({ nullable: true, type: Number }) monthlySmsSegments: number | null;
  @ApiProperty({ nullable: true, type: Number }) monthlyOutboundCalls: number | null;
}

export class UsageMonthDto {
  @ApiProperty({ example: '2026-03-01', description: 'First day of the current UTC month' }) start: string;
  @ApiProperty() voiceSeconds: number;
  @ApiProperty({ description: 'Started minutes' }) voiceMinutes: number;
  @ApiProperty({ description: 'Outbound SMS segments' }) smsSegments: number;
  @ApiProperty() outboundCalls: number;
  @ApiProperty({ description: 'Calls not yet ended' }) activeCalls: number;
}

export class UsageRemainingDto {
  @ApiProperty({ nullable: true, type: Number, description: 'null = no quota' }) voiceMinutes: number | null;
  @ApiProperty({ nullable: true, type: Number }) smsSegments: number | null;
  @ApiProperty({ nullable: true, type: Number }) outboundCalls: number | null;
  @ApiProperty({ nullable: true, type: Number }) concurrentCalls: number | null;
}

export class UsageReportDto {
  @ApiProperty() tenantId: string;
  @ApiProperty() from: string;
  @ApiProperty() to: string;
  @ApiProperty({ type: [UsageDayDto], description: 'Days with any usage, oldest first' }) days: UsageDayDto[];
  @ApiProperty({ type: UsageCountersDto }) totals: UsageCountersDto;
  @ApiProperty({ type: UsageQuotasDto }) quotas: UsageQuotasDto;
  @ApiProperty({ type: UsageMonthDto }) month: UsageMonthDto;
  @ApiProperty({ type: UsageRemainingDto, description: 'Allowance left this month' }) remaining: UsageRemainingDto;
}
