import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from '../tenants/tenant.entity.js';
import { type CallRoutingMode } from './call-state.js';

export type CallDirection = 'inbound' | 'outbound';
/** Twilio's call statuses, plus `rejected` for calls we refused before any AI was involved. */
export type CallStatus = 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled' | 'rejected';

@Entity('calls')
@Index('IDX_calls_tenant_created', ['tenantId', 'createdAt'])
@Index('IDX_calls_tenant_status', ['tenantId', 'status'])
@Index('IDX_calls_tenant_lead', ['tenantId', 'leadId', 'createdAt'])
@Index('UQ_calls_twilio_call_sid', ['twilioCallSid'], { unique: true, where: '"twilio_call_sid" IS NOT NULL' })
@Index('UQ_calls_conversation_id', ['conversationId'], { unique: true, where: '"conversation_id" IS NOT NULL' })
// The outbound dispatcher's queue (across tenants, per account): only calls waiting to be placed.
@Index('IDX_calls_outbound_queue', ['twilioAccountSid', 'createdAt'], { where: `"direction" = 'outbound' AND "status" = 'queued'` })
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

  /** Extra facts that need no column (AMD result, transfer target, ...). */
  @Column({ type: 'jsonb', default: {} })
  metadata: Record<string, unknown>;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
