import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CallStatusEvent } from '../call-status-event.entity.js';
import type { Call } from '../call.entity.js';
import { type CallRoutingMode, CALL_ROUTING_MODES } from '../call-state.js';

export class CallResponseDto {
  @ApiProperty() id: string;
  @ApiProperty() tenantId: string;
  @ApiPropertyOptional({ nullable: true, type: String }) leadId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) twilioCallSid: string | null;
  @ApiProperty({ enum: ['inbound', 'outbound'] }) direction: string;
  @ApiProperty({ example: '+14155550123' }) fromNumber: string;
  @ApiProperty({ example: '+14155550199' }) toNumber: string;
  @ApiProperty({ enum: ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled', 'rejected'] }) status: string;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    description: 'Why the call was refused or diverted (unknown_number, suspended, out_of_hours, concurrency_quota, minutes_quota, agent_not_configured)',
  })
  disposition: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, enum: CALL_ROUTING_MODES }) routingMode: CallRoutingMode | null;
  @ApiPropertyOptional({ nullable: true, type: String }) agentId: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) conversationId: string | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) answeredAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) endedAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: Number, description: 'Twilio CallDuration, seconds' }) durationSecs: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) sipResponseCode: number | null;
  @ApiPropertyOptional({ nullable: true, type: String, enum: ['started', 'stopped', 'error'] }) streamStatus: string | null;
  @ApiPropertyOptional({ nullable: true, type: Object }) recording: Record<string, unknown> | null;
  @ApiPropertyOptional({ nullable: true, type: String }) summary: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) failureReason: string | null;
  @ApiProperty({ type: Object, description: 'Bridge outcome, transfer target and other facts' }) metadata: Record<string, unknown>;
  @ApiProperty() createdAt: Date;
  @ApiProperty() updatedAt: Date;
}

export class CallStatusEventDto {
  @ApiProperty() status: string;
  @ApiPropertyOptional({ nullable: true, type: Number, description: "Twilio's SequenceNumber" }) sequenceNumber: number | null;
  @ApiProperty({ type: Object, description: 'CallDuration, SipResponseCode, Timestamp as received' }) details: Record<string, unknown>;
  @ApiProperty() receivedAt: Date;
}

export class CallDetailDto extends CallResponseDto {
  @ApiProperty({ type: [CallStatusEventDto], description: 'Status callbacks as received, oldest first (one per status)' })
  statusHistory: CallStatusEventDto[];
}

export class CallPageDto {
  @ApiProperty({ type: [CallResponseDto] }) items: CallResponseDto[];
  @ApiProperty({ nullable: true, type: String }) nextCursor: string | null;
}

export function toCallResponse(c: Call): CallResponseDto {
  return {
    id: c.id,
    tenantId: c.tenantId,
    leadId: c.leadId,
    twilioCallSid: c.twilioCallSid,
    direction: c.direction,
    fromNumber: c.fromNumber,
    toNumber: c.toNumber,
    status: c.status,
    disposition: c.disposition,
    routingMode: c.routingMode,
    agentId: c.agentId,
    conversationId: c.conversationId,
    answeredAt: c.answeredAt,
    endedAt: c.endedAt,
    durationSecs: c.durationSecs,
    sipResponseCode: c.sipResponseCode,
    streamStatus: c.streamStatus,
    recording: c.recording,
    summary: c.summary,
    failureReason: c.failureReason,
    metadata: c.metadata,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export function toStatusEventResponse(e: CallStatusEvent): CallStatusEventDto {
  return { status: e.status, sequenceNumber: e.sequenceNumber, details: e.details, receivedAt: e.receivedAt };
}
