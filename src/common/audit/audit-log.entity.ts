import { Column, Entity, Index, PrimaryGeneratedColumn } from 'typeorm';

export type AuditActorType = 'admin' | 'api_key' | 'provider' | 'anonymous' | 'system';
export type AuditOutcome = 'success' | 'failure' | 'denied';

@Entity('audit_logs')
@Index('IDX_audit_logs_tenant_time', ['tenantId', 'occurredAt'])
@Index('IDX_audit_logs_time', ['occurredAt'])
export class AuditLog {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'occurred_at', type: 'timestamptz', default: () => 'now()' })
  occurredAt: Date;

  @Column({ name: 'actor_type', type: 'varchar', length: 16 })
  actorType: AuditActorType;

  /** Api key id, provider name ("twilio", "elevenlabs") or null. */
  @Column({ name: 'actor_id', type: 'varchar', length: 64, nullable: true })
  actorId: string | null;

  @Column({ name: 'tenant_id', type: 'uuid', nullable: true })
  tenantId: string | null;

  @Column({ type: 'varchar', length: 64 })
  action: string;

  @Column({ name: 'resource_type', type: 'varchar', length: 32, nullable: true })
  resourceType: string | null;

  @Column({ name: 'resource_id', type: 'varchar', length: 64, nullable: true })
  resourceId: string | null;

  @Column({ type: 'varchar', length: 16 })
  outcome: AuditOutcome;

  @Column({ name: 'status_code', type: 'smallint', nullable: true })
  statusCode: number | null;

  @Column({ name: 'request_id', type: 'varchar', length: 128, nullable: true })
  requestId: string | null;

  @Column({ name: 'source_ip', type: 'varchar', length: 45, nullable: true })
  sourceIp: string | null;

  /** Reasons and before → after values; never secrets. */
  @Column({ type: 'jsonb', nullable: true })
  details: Record<string, unknown> | null;
}
