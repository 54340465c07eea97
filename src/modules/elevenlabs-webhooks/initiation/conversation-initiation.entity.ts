import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Tenant } from '../../tenants/tenant.entity.js';

export type InitiationOutcome = 'answered' | 'rate_limited';

/**
 * One conversation-initiation request per row: the log the per-caller rate limit counts (it must
 * hold across instances, so it lives in the database) and a trace of who called. Rows older than
 * a day are pruned by the reconciliation job.
 */
@Entity('conversation_initiations')
@Index('IDX_conversation_initiations_tenant_caller_time', ['tenantId', 'caller', 'createdAt'])
export class ConversationInitiation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_conversation_initiations_tenant' })
  tenant?: Tenant;

  /** The caller as ElevenLabs gave it (E.164 normally; 'anonymous' or similar when withheld). */
  @Column({ type: 'varchar', length: 64 })
  caller: string;

  @Column({ name: 'call_sid', type: 'varchar', length: 64, nullable: true })
  callSid: string | null;

  @Column({ type: 'varchar', length: 16 })
  outcome: InitiationOutcome;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
