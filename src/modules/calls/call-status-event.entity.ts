import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Call } from './call.entity.js';

// One row per (CallSid, status): Twilio retries and reorders status callbacks, and the unique key
// turns a duplicate into a no-op.
@Entity('call_status_events')
@Index('UQ_call_status_events_sid_status', ['twilioCallSid', 'status'], { unique: true })
@Index('IDX_call_status_events_tenant_call', ['tenantId', 'callId', 'receivedAt'])
export class CallStatusEvent {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'call_id', type: 'uuid' })
  callId: string;

  @ManyToOne(() => Call, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'call_id', foreignKeyConstraintName: 'FK_call_status_events_call' })
  call?: Call;

  @Column({ name: 'twilio_call_sid', type: 'varchar', length: 34 })
  twilioCallSid: string;

  @Column({ type: 'varchar', length: 16 })
  status: string;

  @Column({ name: 'sequence_number', type: 'integer', nullable: true })
  sequenceNumber: number | null;

  /** Selected callback fields (duration, SIP code, timestamp); never phone numbers. */
  @Column({ type: 'jsonb', default: {} })
  details: Record<string, unknown>;

  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' })
  receivedAt: Date;
}
