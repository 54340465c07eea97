import { AuditLog } from '../common/audit/audit-log.entity.js';
import { CallStatusEvent } from '../modules/calls/call-status-event.entity.js';
import { Call } from '../modules/calls/call.entity.js';
import { LeadMessage } from '../modules/leads/lead-message.entity.js';
import { Lead } from '../modules/leads/lead.entity.js';
import { PhoneNumber } from '../modules/tenants/phone-number.entity.js';
import { TenantApiKey } from '../modules/tenants/tenant-api-key.entity.js';
import { Tenant } from '../modules/tenants/tenant.entity.js';
import { UsageDaily } from '../modules/usage/usage-daily.entity.js';

// Every entity, listed explicitly so the app, the CLI and the tests load the same set.
export const ENTITIES = [Tenant, TenantApiKey, PhoneNumber, AuditLog, Call, CallStatusEvent, Lead, LeadMessage, UsageDaily];
