import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AuditService } from '../../common/audit/audit.service.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { AppException } from '../../common/errors/app.exception.js';
import { toE164 } from '../../common/phone/phone-number.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { PhoneNumber } from '../tenants/phone-number.entity.js';
import { PhoneNumbersRepository } from '../tenants/phone-numbers.repository.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { AssignPhoneNumberDto } from './dto/assign-phone-number.dto.js';
import { WebhookVerificationDto } from './dto/provisioning-response.dto.js';
import { NumberConfigurator, type ConfigureResult, type DesiredState, type ProvisioningAction } from './number-configurator.service.js';
import { PhoneProvisioningException as Err, PhoneProvisioningExceptionCode as Code } from './phone-provisioning.exception.js';
import { auditEntry, isAudited, type OperationContext } from './provisioning-audit.js';
import { statusOfError } from '../../common/errors/error-status.js';
import { TwilioNumberClient } from './twilio-number.client.js';
import { channelTargetOf, diffWebhookConfig, expectedWebhookConfig, ownershipTest, redactConfig, redactUrlCredentials } from './webhook-config.js';

const keep = (row: PhoneNumber): DesiredState => ({
  tenantId: row.tenantId,
  agentId: row.agentId,
  voiceEnabled: row.voiceEnabled,
  smsEnabled: row.smsEnabled,
  whatsappEnabled: row.whatsappEnabled,
});

/**
 * Assigning, unassigning, reconfiguring and verifying numbers. Authorisation and the rules of each
 * operation live here; every change goes through NumberConfigurator (lock, Twilio, write).
 */
@Injectable()
export class PhoneProvisioningService {
  constructor(
    private readonly numbers: PhoneNumbersRepository,
    private readonly tenants: TenantsRepository,
    private readonly configurator: NumberConfigurator,
    private readonly twilio: TwilioNumberClient,
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  assign(dto: AssignPhoneNumberDto, ctx: OperationContext & { principal: Principal }): Promise<ConfigureResult> {
    return this.audited(ctx, 'assign', dto.phoneNumberId ?? null, () => this.doAssign(dto, ctx), dto.tenantId);
  }

  unassign(phoneNumberId: string, ctx: OperationContext & { principal: Principal }): Promise<ConfigureResult> {
    return this.audited(ctx, 'unassign', phoneNumberId, () => this.doUnassign(phoneNumberId, ctx));
  }

  /** Writes the configuration a number should have onto Twilio (also the per-number step of a resync). */
  configure(phoneNumberId: string, ctx: OperationContext, action: ProvisioningAction = 'configure'): Promise<ConfigureResult> {
    return this.audited(ctx, action, phoneNumberId, () => this.doConfigure(phoneNumberId, ctx, action));
  }

  /** Reads the live configuration from Twilio and compares it with what the number should have. */
  verify(phoneNumberId: string, ctx: OperationContext & { principal: Principal }): Promise<WebhookVerificationDto> {
    return this.audited(ctx, 'verify', phoneNumberId, () => this.doVerify(phoneNumberId, ctx));
  }

  private async doAssign(dto: AssignPhoneNumberDto, ctx: OperationContext & { principal: Principal }): Promise<ConfigureResult> {
    const { principal } = ctx;
    if (!dto.phoneNumberId === !dto.phoneNumber) throw new Err(Code.INVALID_TARGET, 'Give exactly one of phoneNumberId and phoneNumber');
    const tenantId = principal.kind === 'tenant' ? tenantIdFor(principal, dto.tenantId) : dto.tenantId;
    if (!tenantId) throw new Err(Code.TENANT_REQUIRED, 'tenantId is required with the admin key');
    const e164 = dto.phoneNumber ? toE164(dto.phoneNumber)! : undefined;
    const existing = await this.numbers.findByIdOrE164(dto.phoneNumberId ? { id: dto.phoneNumberId } : { e164: e164! });
    if (dto.phoneNumberId && (!existing || (principal.kind === 'tenant' && existing.tenantId !== tenantId))) throw notFound();

    // Another tenant's number, or one in the platform pool, is not a tenant key's to take.
    const refuse = (row: PhoneNumber, created: boolean): void => {
      if (principal.kind === 'tenant' && !created && row.tenantId !== tenantId) {
        if (dto.phoneNumberId) throw notFound();
        throw new Err(Code.ASSIGNED_TO_ANOTHER_TENANT, `${row.e164} is already registered`);
      }
      if (row.tenantId && row.tenantId !== tenantId)
        throw new Err(Code.ASSIGNED_TO_ANOTHER_TENANT, 'This number is assigned to another tenant: unassign it first');
    };
    if (existing) refuse(existing, false);

    const handle = await this.twilio.connect(existing?.twilioAccountSid ?? null, tenantId);
    // The platform account's numbers are handed out by the platform operator; a tenant key may only
    // claim numbers from its own Twilio subaccount (or re-configure one it already has).
    if (principal.kind === 'tenant' && existing?.tenantId !== tenantId && handle.accountSid === this.config.twilio.accountSid) {
      throw new Err(Code.PLATFORM_NUMBER, "Numbers on the platform's Twilio account are assigned by the platform admin");
    }
    return this.configurator.apply({
      action: 'assign',
      target: existing ? { id: existing.id } : { e164: e164! },
      handle,
      expectedAccountSid: existing?.twilioAccountSid ?? null,
      ctx,
      decide: async (row, created, manager) => {
        await this.lockActiveTenant(manager, tenantId);
        refuse(row, created);
        const sameTenant = row.tenantId === tenantId;
        return {
          tenantId,
          agentId: dto.agentId !== undefined ? dto.agentId : sameTenant ? row.agentId : null,
          voiceEnabled: row.voiceEnabled,
          smsEnabled: dto.enableSms ?? row.smsEnabled,
          whatsappEnabled: dto.enableWhatsApp ?? row.whatsappEnabled,
        };
      },
    });
  }

  private async doUnassign(phoneNumberId: string, ctx: OperationContext & { principal: Principal }): Promise<ConfigureResult> {
    const existing = await this.findVisible(phoneNumberId, ctx.principal);
    if (!existing.tenantId) throw new Err(Code.NOT_ASSIGNED, 'This number is not assigned to a tenant');
    const handle = await this.twilio.connect(existing.twilioAccountSid, existing.tenantId);
    return this.configurator.apply({
      action: 'unassign',
      target: { id: phoneNumberId },
      handle,
      expectedAccountSid: existing.twilioAccountSid,
      ctx,
      decide: (row) => {
        if (row.tenantId !== existing.tenantId) throw new Err(Code.CONCURRENT_CHANGE, 'The number changed at the same time: try again');
        // Back to the pool: it keeps its Twilio SID and capabilities, loses its tenant and agent.
        return { ...keep(row), tenantId: null, agentId: null };
      },
    });
  }

  private async doConfigure(phoneNumberId: string, ctx: OperationContext, action: ProvisioningAction): Promise<ConfigureResult> {
    const existing = await this.findVisible(phoneNumberId, ctx.principal);
    const handle = await this.twilio.connect(existing.twilioAccountSid, existing.tenantId);
    return this.configurator.apply({
      action,
      target: { id: phoneNumberId },
      handle,
      expectedAccountSid: existing.twilioAccountSid,
      ctx,
      decide: (row) => {
        // The account was chosen for the owner seen before the lock.
        if (row.tenantId !== existing.tenantId) throw new Err(Code.CONCURRENT_CHANGE, 'The number changed at the same time: try again');
        return keep(row);
      },
    });
  }

  private async doVerify(phoneNumberId: string, ctx: OperationContext & { principal: Principal }): Promise<WebhookVerificationDto> {
    const row = await this.findVisible(phoneNumberId, ctx.principal);
    const handle = await this.twilio.connect(row.twilioAccountSid, row.tenantId);
    const sid = row.twilioSid ?? (await this.twilio.findSid(handle, row.e164));
    if (!sid) throw new Err(Code.NOT_ON_TWILIO, `Twilio account ${handle.accountSid} has no number ${row.e164}`);
    const live = await this.twilio.fetch(handle, sid);
    if (live.phoneNumber !== row.e164) throw new Err(Code.TWILIO_SID_MISMATCH, `Twilio number ${sid} is not ${row.e164}: fix the stored twilioSid`);
    const expected = expectedWebhookConfig(this.config.publicBaseUrl, channelTargetOf(row));
    const differences = diffWebhookConfig(expected, live.config, ownershipTest(this.config.publicBaseUrl, row.webhookConfig)).map((d) => ({
      ...d,
      actual: redactUrlCredentials(d.actual),
    }));
    await this.audit.record(
      auditEntry(ctx, {
        action: 'phone_number.verify',
        tenantId: row.tenantId,
        resourceId: row.id,
        outcome: 'success',
        statusCode: 200,
        details: { twilioSid: sid, configured: differences.length === 0, differences: differences.map((d) => d.field) },
      }),
    );
    return {
      phoneNumberId: row.id,
      phoneNumber: row.e164,
      twilioSid: sid,
      status: row.status,
      configured: differences.length === 0,
      expected: expected,
      actual: redactConfig(live.config),
      differences,
    };
  }

  /** A tenant key sees only its own numbers (another tenant's and pool numbers answer 404). */
  async findVisible(phoneNumberId: string, principal: Principal | null): Promise<PhoneNumber> {
    const row = await this.numbers.findByIdOrE164({ id: phoneNumberId });
    if (!row || (principal?.kind === 'tenant' && row.tenantId !== principal.tenantId)) throw notFound();
    return row;
  }

  /** Refusals before Twilio is reached (404, 409, 502 on a read) are audited here; NumberConfigurator audits its own. */
  private async audited<T>(ctx: OperationContext, action: string, resourceId: string | null, run: () => Promise<T>, requestedTenantId?: string): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (!isAudited(err)) {
        const tenantId = ctx.principal?.kind === 'tenant' ? ctx.principal.tenantId : (requestedTenantId ?? null);
        const error = err instanceof AppException ? { code: err.code, message: err.message, ...(err.details ?? {}) } : { message: (err as Error).message };
        await this.audit.record(
          auditEntry(ctx, { action: `phone_number.${action}`, tenantId, resourceId, outcome: 'failure', statusCode: statusOfError(err), details: { error } }),
        );
      }
      throw err;
    }
  }

  private async lockActiveTenant(manager: EntityManager, tenantId: string): Promise<void> {
    // KEY SHARE: the tenant cannot be deleted under us, while its settings stay editable.
    const status = await this.tenants.lockStatusForKeyShare(manager, tenantId);
    if (status === null) throw new Err(Code.TENANT_NOT_FOUND, 'Tenant not found');
    if (status === 'suspended') throw new Err(Code.TENANT_SUSPENDED, 'The tenant is suspended: activate it before assigning numbers');
  }
}

const notFound = () => new Err(Code.PHONE_NUMBER_NOT_FOUND, 'Phone number not found');
