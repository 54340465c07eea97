import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from '../tenants/tenant.entity.js';

/** Something a customer can book (a haircut, a boiler service): how long it takes and what it costs. */
@Entity('services')
@Index('IDX_services_tenant_name', ['tenantId', 'name'])
@Check('CHK_services_duration', `"duration_minutes" > 0 AND "duration_minutes" <= 1440 AND "duration_minutes" % 5 = 0`)
@Check('CHK_services_price', `"price_cents" IS NULL OR "price_cents" >= 0`)
export class BookableService {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_services_tenant' })
  tenant?: Tenant;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  @Column({ type: 'varchar', length: 500, nullable: true })
  description: string | null;

  /** A multiple of the 5-minute booking grid (see appointment-slot.entity.ts). */
  @Column({ name: 'duration_minutes', type: 'integer' })
  durationMinutes: number;

  @Column({ name: 'price_cents', type: 'integer', nullable: true })
  priceCents: number | null;

  /** ISO 4217, e.g. GBP. */
  @Column({ type: 'varchar', length: 3, nullable: true })
  currency: string | null;

  /** Inactive services stay on old appointments but are not offered any more. */
  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
