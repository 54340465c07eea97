import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Tenant } from '../tenants/tenant.entity.js';

/**
 * One row per quota alert sent (tenant, UTC month, quota, threshold): the primary key makes
 * "alert once per threshold per month" hold across instances (INSERT ... ON CONFLICT DO NOTHING).
 */
@Entity('usage_alerts')
export class UsageAlert {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid', primaryKeyConstraintName: 'PK_usage_alerts' })
  tenantId: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_usage_alerts_tenant' })
  tenant?: Tenant;

  /** First day of the UTC month. */
  @PrimaryColumn({ type: 'date', primaryKeyConstraintName: 'PK_usage_alerts' })
  month: string;

  @PrimaryColumn({ type: 'varchar', length: 32, primaryKeyConstraintName: 'PK_usage_alerts' })
  quota: string;

  /** Percent of the quota passed: 80 or 100. */
  @PrimaryColumn({ type: 'integer', primaryKeyConstraintName: 'PK_usage_alerts' })
  threshold: number;

  @Column({ type: 'integer' })
  used: number;

  @Column({ name: 'quota_limit', type: 'integer' })
  limit: number;

  @CreateDateColumn({ name: 'sent_at', type: 'timestamptz' })
  sentAt: Date;
}
