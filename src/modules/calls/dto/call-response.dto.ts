import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CallStatusEvent } from '../call-status-event.entity.js';
import type { Call } from '../call.entity.js';
import { BRIDGE_OUTCOMES, type BridgeOutcome, type CallMetadata, type CallRoutingMode, CALL_ROUTING_MODES } from '../call-state.js';

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
  @ApiPropertyOptional({ nullable: true, type: String, enum: BRIDGE_OUTCOMES, description: 'How the media bridge let go of the call' })
  bridgeOutcome: BridgeOutcome | null;
  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: 'agent_ended',
    description: 'Why the bridge ended (agent_ended, agent_transfer, twilio_stop, connection_lost, ...)',
  })
  bridgeEndReason: string | null;
  @ApiPropertyOptional({ nullable: true, type: Date }) bridgeEndedAt: Date | null;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Where a transfer sends the caller (E.164)' }) transferTo: string | null;
  @ApiProperty({ description: 'Times a human handed the caller back to the AI' }) handbackCount: number;
  @ApiPropertyOptional({ nullable: true, type: String, description: "Outbound with machine detection: Twilio's AnsweredBy" }) answeredBy: string | null;
  @ApiPropertyOptional({ nullable: true, type: Date, description: 'Outbound: when Twilio accepted the call' }) placedAt: Date | null;
  @ApiProperty({
    type: Object,
    description:
      'Other facts (outbound options, transfer request, hand-back note, AI conversations, recording, Twilio error). ' +
      'Until 0.3 it also repeats bridgeOutcome, bridgeEndReason, transferTo and answeredBy (deprecated: read the fields above).',
  })
  metadata: Record<string, unknown>;
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

/** metadata as clients before 0.2 read it: the facts that became columns, repeated (when set). */
function withDeprecatedFacts(metadata: CallMetadata, c: Call): Record<string, unknown> {
  const facts = { bridgeOutcome: c.bridgeOutcome, bridgeEndReason: c.bridgeEndReason, transferTo: c.transferTo, answeredBy: c.answeredBy };
  return { ...metadata, ...Object.fromEntries(Object.entries(facts).filter(([, v]) => v !== null)) };
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
    bridgeOutcome: c.bridgeOutcome,
    bridgeEndReason: c.bridgeEndReason,
    bridgeEndedAt: c.bridgeEndedAt,
    transferTo: c.transferTo,
    handbackCount: c.handbackCount,
    answeredBy: c.answeredBy,
    placedAt: c.placedAt,
    metadata: withDeprecatedFacts(c.metadata, c),
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
  };
}

export function toStatusEventResponse(e: CallStatusEvent): CallStatusEventDto {
  return { status: e.status, sequenceNumber: e.sequenceNumber, details: e.details, receivedAt: e.receivedAt };
}
