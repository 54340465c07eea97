import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Appointment } from './appointment.entity.js';

/**
 * The double-booking guard: a booked appointment holds one row per 5-minute slot it covers, and
 * the primary key (tenant_id, employee_id, slot_start) lets only one appointment hold a slot, whatever the
 * concurrency. Chosen over an exclusion constraint (btree_gist) because it works the same on
 * PostgreSQL 15 and on the embedded PGlite without loading an extension. Cancelling deletes the rows.
 */
@Entity('appointment_slots')
@Index('IDX_appointment_slots_tenant_appointment', ['tenantId', 'appointmentId'])
export class AppointmentSlot {
  @PrimaryColumn({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @PrimaryColumn({ name: 'employee_id', type: 'uuid' })
  employeeId: string;

  @PrimaryColumn({ name: 'slot_start', type: 'timestamptz' })
  slotStart: Date;

  @Column({ name: 'appointment_id', type: 'uuid' })
  appointmentId: string;

  @ManyToOne(() => Appointment, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'appointment_id', foreignKeyConstraintName: 'FK_appointment_slots_appointment' })
  appointment?: Appointment;
}
