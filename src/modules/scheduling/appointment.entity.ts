import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { BookableService } from './bookable-service.entity.js';
import { Employee } from './employee.entity.js';

export type AppointmentStatus = 'booked' | 'cancelled';

/**
 * A booking. Overlaps are made impossible by appointment_slots (one row per 5-minute slot it
 * occupies, unique per employee), not by a check in code.
 */
@Entity('appointments')
@Index('IDX_appointments_tenant_employee_start', ['tenantId', 'employeeId', 'startAt'])
@Index('IDX_appointments_tenant_phone_start', ['tenantId', 'customerPhone', 'startAt'])
@Index('IDX_appointments_tenant_lead', ['tenantId', 'leadId'])
@Check('CHK_appointments_status', `"status" IN ('booked', 'cancelled')`)
@Check('CHK_appointments_range', `"end_at" > "start_at"`)
export class Appointment {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @Column({ name: 'employee_id', type: 'uuid' })
  employeeId: string;

  @ManyToOne(() => Employee, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'employee_id', foreignKeyConstraintName: 'FK_appointments_employee' })
  employee?: Employee;

  @Column({ name: 'service_id', type: 'uuid' })
  serviceId: string;

  @ManyToOne(() => BookableService, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'service_id', foreignKeyConstraintName: 'FK_appointments_service' })
  service?: BookableService;

  @Column({ name: 'lead_id', type: 'uuid', nullable: true })
  leadId: string | null;

  @Column({ name: 'call_id', type: 'uuid', nullable: true })
  callId: string | null;

  @Column({ name: 'customer_name', type: 'varchar', length: 200 })
  customerName: string;

  @Column({ name: 'customer_email', type: 'varchar', length: 254, nullable: true })
  customerEmail: string | null;

  /** E.164. */
  @Column({ name: 'customer_phone', type: 'varchar', length: 16 })
  customerPhone: string;

  @Column({ name: 'start_at', type: 'timestamptz' })
  startAt: Date;

  @Column({ name: 'end_at', type: 'timestamptz' })
  endAt: Date;

  @Column({ type: 'varchar', length: 12, default: 'booked' })
  status: AppointmentStatus;

  @Column({ type: 'varchar', length: 1000, nullable: true })
  notes: string | null;

  /** Who booked it: 'agent' (an ElevenLabs server tool) or 'admin'. */
  @Column({ type: 'varchar', length: 12 })
  source: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
