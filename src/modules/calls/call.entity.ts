import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from '../tenants/tenant.entity.js';
import { bridgeOutcomeOf, callMetadataOf, type BridgeEndReason, type BridgeOutcome, type CallMetadata, type CallRoutingMode } from './call-state.js';

export const CALL_DIRECTIONS = ['inbound', 'outbound'] as const;
export type CallDirection = (typeof CALL_DIRECTIONS)[number];
/** Twilio's call statuses, plus `rejected` for calls we refused before any AI was involved. */
export const CALL_STATUSES = ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'failed', 'no-answer', 'canceled', 'rejected'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

const bridgeOutcomeOrNull = (value: unknown): BridgeOutcome | null => bridgeOutcomeOf(value) ?? null;

@Entity('calls')
@Index('IDX_calls_tenant_created', ['tenantId', 'createdAt'])
@Index('IDX_calls_tenant_status', ['tenantId', 'status'])
@Index('IDX_calls_tenant_lead', ['tenantId', 'leadId', 'createdAt'])
@Index('UQ_calls_twilio_call_sid', ['twilioCallSid'], { unique: true, where: '"twilio_call_sid" IS NOT NULL' })
@Index('UQ_calls_conversation_id', ['conversationId'], { unique: true, where: '"conversation_id" IS NOT NULL' })
// The outbound dispatcher's queue (across tenants, per account): only calls waiting to be placed.
@Index('IDX_calls_outbound_queue', ['twilioAccountSid', 'createdAt'], { where: `"direction" = 'outbound' AND "status" = 'queued'` })
// The dispatcher's rate check: the account's last dispatch.
@Index('IDX_calls_outbound_dispatched', ['twilioAccountSid', 'dispatchedAt'], { where: `"direction" = 'outbound' AND "dispatched_at" IS NOT NULL` })
export class Call {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_calls_tenant' })
  tenant?: Tenant;

  @Column({ name: 'lead_id', type: 'uuid', nullable: true })
  leadId: string | null;

  @Column({ name: 'phone_number_id', type: 'uuid', nullable: true })
  phoneNumberId: string | null;

  /** Null only while an outbound call waits in our queue, before Twilio gave it a SID. */
  @Column({ name: 'twilio_call_sid', type: 'varchar', length: 34, nullable: true })
  twilioCallSid: string | null;

  @Column({ name: 'twilio_account_sid', type: 'varchar', length: 34, nullable: true })
  twilioAccountSid: string | null;

  @Column({ type: 'varchar', length: 8 })
  direction: CallDirection;

  /** Caller and callee as Twilio gave them (E.164, or client:/sip: addresses). */
  @Column({ name: 'from_number', type: 'varchar', length: 64 })
  fromNumber: string;

  @Column({ name: 'to_number', type: 'varchar', length: 64 })
  toNumber: string;

  @Column({ type: 'varchar', length: 16 })
  status: CallStatus;

  /** Why we refused or diverted the call (unknown_number, suspended, out_of_hours, quota, ...). */
  @Column({ name: 'disposition', type: 'varchar', length: 32, nullable: true })
  disposition: string | null;

  @Column({ name: 'routing_mode', type: 'varchar', length: 16, nullable: true })
  routingMode: CallRoutingMode | null;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt: Date | null;

  @Column({ name: 'duration_secs', type: 'integer', nullable: true })
  durationSecs: number | null;

  @Column({ name: 'sip_response_code', type: 'integer', nullable: true })
  sipResponseCode: number | null;

  @Column({ name: 'stream_sid', type: 'varchar', length: 34, nullable: true })
  streamSid: string | null;

  @Column({ name: 'stream_status', type: 'varchar', length: 16, nullable: true })
  streamStatus: string | null;

  /** Set once, when the media stream presents this call's session token (tokens are single-use). */
  @Column({ name: 'media_connected_at', type: 'timestamptz', nullable: true })
  mediaConnectedAt: Date | null;

  @Column({ name: 'recording', type: 'jsonb', nullable: true })
  recording: { sid: string; url?: string; durationSecs?: number; status?: string } | null;

  @Column({ name: 'agent_id', type: 'varchar', length: 100, nullable: true })
  agentId: string | null;

  /** ElevenLabs conversation_id, linking post-call webhooks to this call. */
  @Column({ name: 'conversation_id', type: 'varchar', length: 100, nullable: true })
  conversationId: string | null;

  @Column({ name: 'ai_duration_secs', type: 'integer', nullable: true })
  aiDurationSecs: number | null;

  @Column({ name: 'ai_cost', type: 'numeric', precision: 12, scale: 4, nullable: true })
  aiCost: string | null;

  @Column({ type: 'text', nullable: true })
  summary: string | null;

  @Column({ type: 'jsonb', nullable: true })
  analysis: Record<string, unknown> | null;

  @Column({ name: 'failure_reason', type: 'varchar', length: 200, nullable: true })
  failureReason: string | null;

  /** How the media bridge let go of the call; the `<Connect action>` answer decides on it. */
  // A value this version does not know (written by a newer one during a deploy) reads as none.
  @Column({
    name: 'bridge_outcome',
    type: 'varchar',
    length: 24,
    nullable: true,
    transformer: { from: bridgeOutcomeOrNull, to: (v: BridgeOutcome | null | undefined) => v },
  })
  bridgeOutcome: BridgeOutcome | null;

  @Column({ name: 'bridge_end_reason', type: 'varchar', length: 40, nullable: true })
  bridgeEndReason: BridgeEndReason | null;

  @Column({ name: 'bridge_ended_at', type: 'timestamptz', nullable: true })
  bridgeEndedAt: Date | null;

  /** Where a transfer (the agent's tool or the takeover API) sends the caller, E.164. */
  @Column({ name: 'transfer_to', type: 'varchar', length: 64, nullable: true })
  transferTo: string | null;

  /** Times a human handed the caller back to the AI. */
  @Column({ name: 'handback_count', type: 'integer', default: 0 })
  handbackCount: number;

  /** Outbound: when a dispatcher claimed the queued call, and when Twilio accepted it. */
  @Column({ name: 'dispatched_at', type: 'timestamptz', nullable: true })
  dispatchedAt: Date | null;

  @Column({ name: 'placed_at', type: 'timestamptz', nullable: true })
  placedAt: Date | null;

  /** Outbound with machine detection: Twilio's AnsweredBy (human, machine_start, fax, ...). */
  @Column({ name: 'answered_by', type: 'varchar', length: 32, nullable: true })
  answeredBy: string | null;

  /** The structured facts that need no column, in one typed shape; read through callMetadataOf() on every load. */
  @Column({ type: 'jsonb', default: {}, transformer: { from: callMetadataOf, to: (value: CallMetadata | undefined) => value } })
  metadata: CallMetadata;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
