import { AuditLog } from '../common/audit/audit-log.entity.js';
import { PhoneNumber } from '../modules/tenants/phone-number.entity.js';
import { TenantApiKey } from '../modules/tenants/tenant-api-key.entity.js';
import { Tenant } from '../modules/tenants/tenant.entity.js';

// Every entity, listed explicitly so the app, the CLI and the tests load the same set.
export const ENTITIES = [Tenant, TenantApiKey, PhoneNumber, AuditLog];
