import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { BookableService } from './bookable-service.entity.js';
import { Employee } from './employee.entity.js';

/** Which services an employee performs. */
@Entity('employee_services')
@Index('IDX_employee_services_tenant_service', ['tenantId', 'serviceId'])
export class EmployeeServiceLink {
  @PrimaryColumn({ name: 'employee_id', type: 'uuid' })
  employeeId: string;

  @PrimaryColumn({ name: 'service_id', type: 'uuid' })
  serviceId: string;

  @Column({ name: 'tenant_id', type: 'uuid' })
  tenantId: string;

  @ManyToOne(() => Employee, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'employee_id', foreignKeyConstraintName: 'FK_employee_services_employee' })
  employee?: Employee;

  @ManyToOne(() => BookableService, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'service_id', foreignKeyConstraintName: 'FK_employee_services_service' })
  service?: BookableService;
}
