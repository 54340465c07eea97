import { Injectable } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { BookableService } from './bookable-service.entity.js';
import { describeWorkingHoursProblem, SLOT_MINUTES } from './domain/availability.js';
import type { CreateEmployeeDto, CreateServiceDto, EmployeeResponseDto, ServiceResponseDto, UpdateEmployeeDto, UpdateServiceDto } from './dto/catalogue.dto.js';
import { EmployeeServiceLink } from './employee-service.entity.js';
import { Employee } from './employee.entity.js';
import { employeeNotFound, SchedulingException, SchedulingExceptionCode, serviceNotFound } from './scheduling.exception.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string | undefined): value is string => !!value && UUID.test(value);

export interface EmployeeWithServices {
  employee: Employee;
  serviceIds: string[];
}

/** The tenant's bookable catalogue: services, and staff with the services they do and their hours. */
@Injectable()
export class CatalogueService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @InjectRepository(BookableService) private readonly services: Repository<BookableService>,
    @InjectRepository(Employee) private readonly employees: Repository<Employee>,
    @InjectRepository(EmployeeServiceLink) private readonly links: Repository<EmployeeServiceLink>,
  ) {}

  async createService(tenantId: string, dto: CreateServiceDto): Promise<ServiceResponseDto> {
    assertDuration(dto.durationMinutes);
    const saved = await this.services.save(
      this.services.create({
        tenantId,
        name: dto.name,
        description: dto.description ?? null,
        durationMinutes: dto.durationMinutes,
        priceCents: dto.priceCents ?? null,
        currency: dto.currency ?? null,
      }),
    );
    return toServiceResponse(saved);
  }

  async updateService(tenantId: string, serviceId: string, dto: UpdateServiceDto): Promise<ServiceResponseDto> {
    const service = await this.findService(tenantId, serviceId, false);
    if (dto.durationMinutes !== undefined) assertDuration(dto.durationMinutes);
    Object.assign(service, Object.fromEntries(Object.entries(dto).filter(([, v]) => v !== undefined)));
    return toServiceResponse(await this.services.save(service));
  }

  async listServices(tenantId: string, activeOnly: boolean): Promise<BookableService[]> {
    return this.services.find({ where: { tenantId, ...(activeOnly ? { active: true } : {}) }, order: { name: 'ASC', id: 'ASC' } });
  }

  /** A service of the tenant; unknown, malformed or (when activeOnly) retired ids are "not found". */
  async findService(tenantId: string, serviceId: string | undefined, activeOnly = true): Promise<BookableService> {
    const service = isUuid(serviceId) ? await this.services.findOneBy({ id: serviceId, tenantId }) : null;
    if (!service || (activeOnly && !service.active)) throw serviceNotFound();
    return service;
  }

  async createEmployee(tenantId: string, dto: CreateEmployeeDto): Promise<EmployeeResponseDto> {
    assertWorkingHours(dto.workingHours);
    return this.dataSource.transaction(async (manager) => {
      const employee = await manager.save(manager.create(Employee, { tenantId, name: dto.name, workingHours: dto.workingHours }));
      const serviceIds = await this.replaceLinks(manager, tenantId, employee.id, dto.serviceIds);
      return toEmployeeResponse(employee, serviceIds);
    });
  }

  async updateEmployee(tenantId: string, employeeId: string, dto: UpdateEmployeeDto): Promise<EmployeeResponseDto> {
    if (dto.workingHours !== undefined) assertWorkingHours(dto.workingHours);
    return this.dataSource.transaction(async (manager) => {
      const employee = isUuid(employeeId) ? await manager.findOneBy(Employee, { id: employeeId, tenantId }) : null;
      if (!employee) throw employeeNotFound();
      if (dto.name !== undefined) employee.name = dto.name;
      if (dto.workingHours !== undefined) employee.workingHours = dto.workingHours;
      if (dto.active !== undefined) employee.active = dto.active;
      await manager.save(employee);
      const serviceIds =
        dto.serviceIds !== undefined
          ? await this.replaceLinks(manager, tenantId, employee.id, dto.serviceIds)
          : (await manager.findBy(EmployeeServiceLink, { tenantId, employeeId: employee.id })).map((l) => l.serviceId);
      return toEmployeeResponse(employee, serviceIds);
    });
  }

  async listEmployees(tenantId: string, activeOnly: boolean): Promise<EmployeeWithServices[]> {
    const [employees, links] = await Promise.all([
      this.employees.find({ where: { tenantId, ...(activeOnly ? { active: true } : {}) }, order: { name: 'ASC', id: 'ASC' } }),
      this.links.find({ where: { tenantId } }),
    ]);
    return employees.map((employee) => ({ employee, serviceIds: links.filter((l) => l.employeeId === employee.id).map((l) => l.serviceId) }));
  }

  async findEmployee(tenantId: string, employeeId: string | undefined): Promise<EmployeeWithServices> {
    const employee = isUuid(employeeId) ? await this.employees.findOneBy({ id: employeeId, tenantId, active: true }) : null;
    if (!employee) throw employeeNotFound();
    const links = await this.links.findBy({ tenantId, employeeId: employee.id });
    return { employee, serviceIds: links.map((l) => l.serviceId) };
  }

  /** Active staff who perform a service (optionally one of them only). */
  async staffFor(tenantId: string, serviceId: string, employeeId?: string): Promise<Employee[]> {
    const qb = this.employees
      .createQueryBuilder('e')
      .innerJoin(EmployeeServiceLink, 'l', 'l.employee_id = e.id AND l.tenant_id = e.tenant_id')
      .where('e.tenant_id = :tenantId AND e.active = true AND l.service_id = :serviceId', { tenantId, serviceId })
      .orderBy('e.name', 'ASC');
    if (employeeId !== undefined) {
      if (!isUuid(employeeId)) throw employeeNotFound();
      qb.andWhere('e.id = :employeeId', { employeeId });
    }
    return qb.getMany();
  }

  private async replaceLinks(manager: EntityManager, tenantId: string, employeeId: string, serviceIds: string[]): Promise<string[]> {
    const wanted = [...new Set(serviceIds)];
    const found = wanted.length > 0 ? await manager.findBy(BookableService, { tenantId, id: In(wanted) }) : [];
    if (found.length !== wanted.length) {
      throw new SchedulingException(SchedulingExceptionCode.INVALID_CATALOGUE, 'serviceIds names a service this tenant does not have');
    }
    await manager.delete(EmployeeServiceLink, { tenantId, employeeId });
    if (wanted.length > 0)
      await manager.insert(
        EmployeeServiceLink,
        wanted.map((serviceId) => ({ tenantId, employeeId, serviceId })),
      );
    return wanted;
  }
}

function assertDuration(minutes: number): void {
  if (minutes % SLOT_MINUTES !== 0) {
    throw new SchedulingException(SchedulingExceptionCode.INVALID_CATALOGUE, `durationMinutes must be a multiple of ${SLOT_MINUTES}`);
  }
}

function assertWorkingHours(hours: unknown): void {
  const problem = describeWorkingHoursProblem(hours);
  if (problem) throw new SchedulingException(SchedulingExceptionCode.INVALID_CATALOGUE, problem);
}

export function toServiceResponse(s: BookableService): ServiceResponseDto {
  return {
    id: s.id,
    name: s.name,
    description: s.description,
    durationMinutes: s.durationMinutes,
    priceCents: s.priceCents,
    currency: s.currency,
    active: s.active,
    createdAt: s.createdAt,
  };
}

export function toEmployeeResponse(e: Employee, serviceIds: string[]): EmployeeResponseDto {
  return { id: e.id, name: e.name, workingHours: e.workingHours, serviceIds, active: e.active, createdAt: e.createdAt };
}
