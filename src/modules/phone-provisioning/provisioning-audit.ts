import type { FastifyRequest } from 'fastify';
import { actorOf, type AuditEntry } from '../../common/audit/audit.service.js';
import type { Principal } from '../../common/auth/principal.js';
import type { PhoneNumber } from '../tenants/phone-number.entity.js';
import { redactConfig, type WebhookConfig, type WebhookUpdate } from './webhook-config.js';

/** Who asked, for the audit trail: an API principal, or the system (the scheduled drift check). */
export interface OperationContext {
  principal: Principal | null;
  requestId?: string | null;
  sourceIp?: string | null;
}

export const SYSTEM_CONTEXT: OperationContext = { principal: null };

/** Who asked, from where, under which request id. */
export function operationContext(request: FastifyRequest, principal: Principal): OperationContext & { principal: Principal } {
  return { principal, requestId: String(request.id), sourceIp: request.ip };
}

/** The parts of a number an operation changes, as the audit trail shows them (no phone number, no secrets). */
export function numberView(n: PhoneNumber) {
  return {
    tenantId: n.tenantId,
    agentId: n.agentId,
    twilioSid: n.twilioSid,
    capabilities: { voice: n.voiceEnabled, sms: n.smsEnabled, whatsapp: n.whatsappEnabled },
    status: n.status,
  };
}
export type NumberView = ReturnType<typeof numberView>;

/** Twilio fields changed by an update: `{ field: { from, to } }`, credentials in URLs redacted. */
export function twilioChange(update: WebhookUpdate, previous: WebhookConfig): Record<string, { from: string | null; to: string }> {
  const from = redactConfig(previous);
  const to = redactConfig(update);
  return Object.fromEntries(
    Object.keys(update).map((field) => [field, { from: from[field as keyof WebhookConfig] ?? null, to: to[field as keyof WebhookUpdate]! }]),
  );
}

export function auditEntry(
  ctx: OperationContext,
  fields: {
    action: string;
    tenantId: string | null;
    resourceId: string | null;
    outcome: AuditEntry['outcome'];
    statusCode?: number | null;
    details: Record<string, unknown>;
  },
): AuditEntry {
  const actor = ctx.principal ? actorOf(ctx.principal) : { actorType: 'system' as const, actorId: 'phone-provisioning' };
  return {
    ...actor,
    tenantId: fields.tenantId,
    action: fields.action,
    resourceType: 'phone_number',
    resourceId: fields.resourceId,
    outcome: fields.outcome,
    statusCode: fields.statusCode ?? null,
    requestId: ctx.requestId ?? null,
    sourceIp: ctx.sourceIp ?? null,
    details: fields.details,
  };
}

// Errors whose failure row is already written (by NumberConfigurator), so callers do not add a second one.
const auditedErrors = new WeakSet<object>();
export function markAudited<T>(err: T): T {
  if (typeof err === 'object' && err !== null) auditedErrors.add(err);
  return err;
}
export function isAudited(err: unknown): boolean {
  return typeof err === 'object' && err !== null && auditedErrors.has(err);
}
