import { AuditLog } from '../common/audit/audit-log.entity.js';
import { CallStatusEvent } from '../modules/calls/call-status-event.entity.js';
import { Call } from '../modules/calls/call.entity.js';
import { CallEvent } from '../modules/elevenlabs-webhooks/events/call-event.entity.js';
import { WebhookInboxEvent } from '../modules/elevenlabs-webhooks/inbox/webhook-inbox.entity.js';
import { ConversationInitiation } from '../modules/elevenlabs-webhooks/initiation/conversation-initiation.entity.js';
import { LeadMessage } from '../modules/leads/lead-message.entity.js';
import { Lead } from '../modules/leads/lead.entity.js';
import { AppointmentSlot } from '../modules/scheduling/appointment-slot.entity.js';
import { Appointment } from '../modules/scheduling/appointment.entity.js';
import { BookableService } from '../modules/scheduling/bookable-service.entity.js';
import { EmployeeServiceLink } from '../modules/scheduling/employee-service.entity.js';
import { Employee } from '../modules/scheduling/employee.entity.js';
import { RealtimeEventRecord } from '../modules/realtime/realtime-event.entity.js';
import { PhoneNumber } from '../modules/tenants/phone-number.entity.js';
import { TenantApiKey } from '../modules/tenants/tenant-api-key.entity.js';
import { Tenant } from '../modules/tenants/tenant.entity.js';
import { UsageAlert } from '../modules/usage/usage-alert.entity.js';
import { UsageDaily } from '../modules/usage/usage-daily.entity.js';

// Every entity, listed explicitly so the app, the CLI and the tests load the same set.
export const ENTITIES = [
  Tenant,
  TenantApiKey,
  PhoneNumber,
  AuditLog,
  Call,
  CallStatusEvent,
  Lead,
  LeadMessage,
  UsageDaily,
  RealtimeEventRecord,
  WebhookInboxEvent,
  CallEvent,
  ConversationInitiation,
  BookableService,
  Employee,
  EmployeeServiceLink,
  Appointment,
  AppointmentSlot,
  UsageAlert,
];
