import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { LeadMessage } from '../lead-message.entity.js';
import type { Lead } from '../lead.entity.js';
import { LEAD_STATUSES } from './list-leads-query.dto.js';

export class ScoreReasonDto {
  @ApiProperty() code: string;
  @ApiProperty() points: number;
  @ApiProperty() detail: string;
}

export class ActionItemDto {
  @ApiProperty() type: string;
  @ApiProperty() detail: string;
}

export class LeadResponseDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: '+14155550123' }) phoneNumber: string;
  @ApiPropertyOptional({ nullable: true, type: String }) name: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) email: string | null;
  @ApiProperty({ enum: LEAD_STATUSES }) status: string;
  @ApiProperty({ minimum: 0, maximum: 100 }) score: number;
  @ApiProperty({ type: [ScoreReasonDto] }) scoreReasons: ScoreReasonDto[];
  @ApiPropertyOptional({ nullable: true, enum: ['positive', 'neutral', 'negative'] }) sentiment: string | null;
  @ApiProperty({ type: [String] }) interests: string[];
  @ApiProperty({ type: [String] }) keywords: string[];
  @ApiPropertyOptional({ nullable: true, type: String }) summary: string | null;
  @ApiProperty({ type: [ActionItemDto] }) actionItems: ActionItemDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) notes: string | null;
  @ApiProperty() interactionCount: number;
  @ApiPropertyOptional({ nullable: true, type: Date }) lastContactAt: Date | null;
  @ApiProperty({ description: 'A human operator owns the conversation (no automatic replies)' }) humanControl: boolean;
  @ApiProperty() optedOut: boolean;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class LeadPageDto {
  @ApiProperty({ type: [LeadResponseDto] }) items: LeadResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export class TimelineEntryDto {
  @ApiProperty() id: string;
  @ApiProperty({ enum: ['voice', 'sms', 'whatsapp'] }) channel: string;
  @ApiProperty({ enum: ['inbound', 'outbound'] }) direction: string;
  @ApiProperty({ enum: ['user', 'agent', 'human', 'system'] }) role: string;
  @ApiProperty() body: string;
  @ApiPropertyOptional({ nullable: true, type: String }) callId: string | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Seconds from the start of the call' }) offsetSecs: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) status: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'live, post_call, appointment, ... (metadata.source)' }) source: string | null;
  @ApiProperty() occurredAt: Date;
}

export class LeadDetailDto extends LeadResponseDto {
  @ApiProperty({ type: [TimelineEntryDto], description: 'Most recent entries, oldest first' }) timeline: TimelineEntryDto[];
  @ApiProperty({ description: 'Entries on the whole timeline' }) timelineTotal: number;
}

export function toLeadResponse(lead: Lead): LeadResponseDto {
  return {
    id: lead.id,
    phoneNumber: lead.phoneE164,
    name: lead.name,
    email: lead.email,
    status: lead.status,
    score: lead.score,
    scoreReasons: lead.scoreReasons ?? [],
    sentiment: lead.sentiment,
    interests: lead.interests ?? [],
    keywords: lead.keywords ?? [],
    summary: lead.summary,
    actionItems: lead.actionItems ?? [],
    notes: lead.notes,
    interactionCount: lead.interactionCount,
    lastContactAt: lead.lastContactAt,
    humanControl: lead.humanControl,
    optedOut: lead.optedOutAt !== null,
    createdAt: lead.createdAt,
    updatedAt: lead.updatedAt,
  };
}

export function toTimelineEntry(m: LeadMessage): TimelineEntryDto {
  const source = (m.metadata as { source?: unknown } | null)?.source;
  return {
    id: m.id,
    channel: m.channel,
    direction: m.direction,
    role: m.role,
    body: m.body,
    callId: m.callId,
    offsetSecs: m.offsetSecs,
    status: m.status,
    source: typeof source === 'string' ? source : null,
    occurredAt: m.occurredAt,
  };
}
