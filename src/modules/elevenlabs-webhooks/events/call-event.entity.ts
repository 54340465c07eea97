import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Call } from '../../calls/call.entity.js';

/**
 * A live conversation event ElevenLabs reported for a call (started, ended, user/agent message,
 * interruption, transfer, error): the call's own timeline. Kept apart from lead_messages on
 * purpose: these are fine-grained and call-scoped, while the lead timeline is the cross-channel
 * conversation the next call starts from (the post-call transcript is what lands there).
 */
@Entity('call_events')
@Index('IDX_call_events_tenant_call_time', ['tenantId', 'callId', 'occurredAt'])
@Index('UQ_call_events_tenant_dedup', ['tenantId', 'dedupKey'], { unique: true })
export class CallEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'call_id', type: 'uuid' })
  callId: string;

  @ManyToOne(() => Call, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_id', foreignKeyConstraintName: 'FK_call_events_call' })
  call?: Call;

  @Column({ name: 'conversation_id', type: 'varchar', length: 100, nullable: true })
  conversationId: string | null;

  /** ElevenLabs' event type as sent (conversation_started, user_transcript, agent_response, ...). */
  @Column({ type: 'varchar', length: 48 })
  type: string;

  /** SHA-256 of the raw delivery: a redelivered event is a no-op. */
  @Column({ name: 'dedup_key', type: 'char', length: 64 })
  dedupKey: string;

  @Column({ type: 'jsonb', default: {} })
  data: Record<string, unknown>;

  @Column({ name: 'occurred_at', type: 'timestamptz' })
  occurredAt: Date;

  @CreateDateColumn({ name: 'received_at', type: 'timestamptz' })
  receivedAt: Date;
}
