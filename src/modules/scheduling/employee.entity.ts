import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { Tenant } from '../tenants/tenant.entity.js';
import type { WeeklyHours } from './domain/scheduling.types.js';

/** A member of staff who can be booked, with the weekly hours they work (in the tenant's timezone). */
@Entity('employees')
@Index('IDX_employees_tenant_name', ['tenantId', 'name'])
export class Employee {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @ManyToOne(() => Tenant, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'tenant_id', foreignKeyConstraintName: 'FK_employees_tenant' })
  tenant?: Tenant;

  @Column({ type: 'varchar', length: 120 })
  name: string;

  /** { mon: [{ open: '09:00', close: '17:00' }], ... }; a missing weekday is a day off. */
  @Column({ name: 'working_hours', type: 'jsonb', default: {} })
  workingHours: WeeklyHours;

  @Column({ type: 'boolean', default: true })
  active: boolean;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
