import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { Tenant } from '../tenants/tenant.entity.js';

/**
 * The replay log behind SSE `Last-Event-ID`: every published event, kept for
 * REALTIME_EVENT_RETENTION_HOURS. The identity id is the SSE `id:` (bigint, read as a string).
 * No index on occurred_at: pruning walks the primary key from the oldest row (see the repository).
 */
@Entity('realtime_events')
@Index('IDX_realtime_events_tenant_id', ['tenantId', 'id'])
@Index('IDX_realtime_events_tenant_lead_id', ['tenantId', 'leadId', 'id'])
export class RealtimeEventRecord {
  @PrimaryGeneratedColumn('identity', { type: 'bigint', generatedIdentity: 'ALWAYS', primaryKeyConstraintName: 'PK_realtime_events' })
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_realtime_events_tenant' })
  tenant?: Tenant;

  @Column({ type: 'varchar', length: 40 })
  type: string;

  @Column({ name: 'lead_id', type: 'uuid', nullable: true })
  leadId: string | null;

  @Column({ name: 'call_id', type: 'uuid', nullable: true })
  callId: string | null;

  /** Small by contract (see MAX_EVENT_DATA_BYTES); larger data is replaced by a marker. */
  @Column({ type: 'jsonb', default: {} })
  data: Record<string, unknown>;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;
}
