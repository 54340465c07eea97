import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditService } from '../../common/audit/audit.service.js';
import type { Principal } from '../../common/auth/principal.js';
import { tenantIdFor } from '../../common/auth/tenant-scope.js';
import { AppException } from '../../common/errors/app.exception.js';
import { ShutdownService } from '../../common/lifecycle/shutdown.service.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ADVISORY_LOCK, tryWithAdvisoryLock } from '../../database/advisory-lock.js';
import type { PhoneNumber, PhoneNumberDrift } from '../tenants/phone-number.entity.js';
import { PhoneNumbersRepository } from '../tenants/phone-numbers.repository.js';
import { TenantsRepository } from '../tenants/tenants.repository.js';
import { ResyncResultDto } from './dto/provisioning-response.dto.js';
import { ResyncWebhooksDto } from './dto/resync-webhooks.dto.js';
import { mapWithConcurrency } from './map-with-concurrency.js';
import { NumberConfigurator } from './number-configurator.service.js';
import { PhoneProvisioningException as Err, PhoneProvisioningExceptionCode as Code, TwilioProvisioningError } from './phone-provisioning.exception.js';
import { PhoneProvisioningService } from './phone-provisioning.service.js';
import { auditEntry, SYSTEM_CONTEXT, type OperationContext } from './provisioning-audit.js';
import { TwilioNumberClient } from './twilio-number.client.js';
import { channelTargetOf, diffWebhookConfig, expectedWebhookConfig, ownershipTest, redactUrlCredentials } from './webhook-config.js';
import { PollingLoop } from '../../common/async/polling-loop.js';

// Twilio rate-limits REST calls per account: bulk work goes a few numbers at a time.
export const WEBHOOK_SYNC_CONCURRENCY = 3;
// The embedded database runs one transaction at a time anyway, and its socket server mixes up
// the protocol messages of connections that wait on a transaction: one number at a time there.
const EMBEDDED_DB_CONCURRENCY = 1;

export interface DriftCheckSummary {
  /** True when another instance held the lock, so this one did nothing. */
  skipped: boolean;
  checked: number;
  drifted: number;
  resolved: number;
  failed: number;
}

type DriftOutcome = 'ok' | 'drifted' | 'still_drifted' | 'resolved';

/** Re-sync of many numbers (PUT /phone-numbers/webhooks) and the scheduled drift check. */
@Injectable()
export class WebhookSyncService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WebhookSyncService.name);
  private readonly loop: PollingLoop<DriftCheckSummary>;
  private readonly driftCounter;

  constructor(
    private readonly numbers: PhoneNumbersRepository,
    private readonly tenants: TenantsRepository,
    private readonly dataSource: DataSource,
    private readonly provisioning: PhoneProvisioningService,
    private readonly configurator: NumberConfigurator,
    private readonly twilio: TwilioNumberClient,
    private readonly audit: AuditService,
    private readonly shutdown: ShutdownService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.driftCounter = metrics.counter('phone_number_webhook_drift_checks_total', 'Numbers looked at by the webhook drift check, by outcome', ['outcome']);
    this.loop = new PollingLoop({
      intervalMs: config.twilio.webhookDriftCheckIntervalMs,
      run: () => this.runDriftCheck(),
      mayRun: () => !this.shutdown.isDraining,
      onError: (err) => this.logger.error({ err }, 'Webhook drift check failed'),
    });
  }

  /** Re-writes the configuration of every number in scope, a few at a time; one failure does not stop the rest. */
  async resync(dto: ResyncWebhooksDto, ctx: OperationContext & { principal: Principal }): Promise<ResyncResultDto> {
    const tenantId = ctx.principal.kind === 'tenant' ? tenantIdFor(ctx.principal, dto.tenantId) : dto.tenantId;
    if (tenantId && ctx.principal.kind === 'admin' && !(await this.tenants.exists(tenantId))) {
      throw new Err(Code.TENANT_NOT_FOUND, 'Tenant not found');
    }
    const ids = await this.numbers.idsInScope({ tenantId, agentId: dto.agentId });

    const results = await mapWithConcurrency(ids, this.concurrency, (id) => this.provisioning.configure(id, ctx, 'resync'));
    const errors = results.flatMap((r, i) => {
      if (r.status === 'fulfilled') return [];
      const err = r.reason as Error;
      if (!(err instanceof AppException)) {
        this.logger.error({ err, phoneNumberId: ids[i] }, 'Webhook re-sync failed for a number');
        return [{ phoneNumberId: ids[i], code: 'INTERNAL_ERROR', message: 'Internal error (see the server log)' }];
      }
      this.logger.warn({ phoneNumberId: ids[i], code: err.code }, 'Webhook re-sync failed for a number');
      return [
        {
          phoneNumberId: ids[i],
          code: err.code,
          message: err.message,
          ...(err.details?.twilio ? { twilio: err.details.twilio as Record<string, unknown> } : {}),
        },
      ];
    });
    return { total: ids.length, success: ids.length - errors.length, failed: errors.length, errors };
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  private get concurrency(): number {
    return this.config.db.url ? WEBHOOK_SYNC_CONCURRENCY : EMBEDDED_DB_CONCURRENCY;
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.loop.stop();
  }

  /**
   * Compares every number's live Twilio configuration with what it should be; marks the drifted
   * ones and alerts their tenant once, and clears numbers that are right again. One instance at a
   * time (advisory lock): the others skip the round.
   */
  async runDriftCheck(scope: { tenantId?: string } = {}): Promise<DriftCheckSummary> {
    const summary = await tryWithAdvisoryLock(this.dataSource, ADVISORY_LOCK.webhookDrift, async () => {
      const rows = await this.numbers.listOldestFirst(scope.tenantId);
      const results = await mapWithConcurrency(rows, this.concurrency, (row) => this.checkOne(row));
      const count = (o: DriftOutcome) => results.filter((r) => r.status === 'fulfilled' && r.value === o).length;
      results.forEach(
        (r, i) =>
          r.status === 'rejected' && this.logger.warn({ phoneNumberId: rows[i].id, err: (r.reason as Error).message }, 'Drift check could not read a number'),
      );
      return {
        skipped: false,
        checked: rows.length,
        drifted: count('drifted'),
        resolved: count('resolved'),
        failed: results.filter((r) => r.status === 'rejected').length,
      };
    });
    return summary ?? { skipped: true, checked: 0, drifted: 0, resolved: 0, failed: 0 };
  }

  private async checkOne(row: PhoneNumber): Promise<DriftOutcome> {
    const outcome = await this.inspect(row).then(
      (finding) => this.record(row, finding),
      (err: unknown) => {
        // A number Twilio no longer has is drift; anything else (timeouts, 5xx) is tried next round.
        if (err instanceof TwilioProvisioningError && err.twilio.status === 404) return this.record(row, { reason: 'not_on_twilio' });
        if (err instanceof Err && (err.code === Code.NOT_ON_TWILIO || err.code === Code.TWILIO_SID_MISMATCH))
          return this.record(row, { reason: err.code.toLowerCase() });
        throw err;
      },
    );
    this.driftCounter.inc({ outcome });
    return outcome;
  }

  private async inspect(row: PhoneNumber): Promise<Pick<PhoneNumberDrift, 'reason' | 'differences'> | null> {
    const handle = await this.twilio.connect(row.twilioAccountSid, row.tenantId);
    const sid = row.twilioSid ?? (await this.twilio.findSid(handle, row.e164));
    if (!sid) throw new Err(Code.NOT_ON_TWILIO, 'not on Twilio');
    const live = await this.twilio.fetch(handle, sid);
    if (live.phoneNumber !== row.e164) throw new Err(Code.TWILIO_SID_MISMATCH, 'stored SID names another number');
    const expected = expectedWebhookConfig(this.config.publicBaseUrl, channelTargetOf(row));
    const differences = diffWebhookConfig(expected, live.config, ownershipTest(this.config.publicBaseUrl, row.webhookConfig));
    return differences.length
      ? { reason: 'configuration_differs', differences: differences.map((d) => ({ ...d, actual: redactUrlCredentials(d.actual) })) }
      : null;
  }

  /** Writes the finding, unless the number was (re)configured since it was read: that write owns the truth now. */
  private async record(row: PhoneNumber, finding: Pick<PhoneNumberDrift, 'reason' | 'differences'> | null): Promise<DriftOutcome> {
    if (finding && row.status === 'drifted') return 'still_drifted';
    if (!finding && row.status !== 'drifted') return 'ok';
    const drift: PhoneNumberDrift | null = finding ? { detectedAt: new Date().toISOString(), ...finding } : null;
    if (!(await this.numbers.recordDrift(row, drift))) return drift ? 'still_drifted' : 'ok';
    const kind = drift ? 'phone_number.webhooks_drifted' : 'phone_number.webhooks_drift_resolved';
    await this.configurator.alert(row.tenantId, {
      kind,
      phoneNumberId: row.id,
      reason: drift?.reason ?? null,
      differences: drift?.differences?.map((d) => d.field) ?? [],
    });
    await this.audit.record(
      auditEntry(SYSTEM_CONTEXT, {
        action: 'phone_number.drift_check',
        tenantId: row.tenantId,
        resourceId: row.id,
        outcome: 'success',
        details: { before: row.status, after: drift ? 'drifted' : 'active', drift },
      }),
    );
    if (drift) this.logger.warn({ phoneNumberId: row.id, reason: drift.reason }, 'Phone number webhooks drifted');
    return drift ? 'drifted' : 'resolved';
  }
}
