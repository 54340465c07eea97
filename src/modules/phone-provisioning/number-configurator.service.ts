import { isForeignKeyViolation, isUniqueViolation } from '../../database/pg-errors.js';
import { BeforeApplicationShutdown, Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryFailedError } from 'typeorm';
import { AuditService } from '../../common/audit/audit.service.js';
import { AppException } from '../../common/errors/app.exception.js';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { publicUrlProblem } from '../../config/production-safety.js';
import { EVENT_BUS, type EventBus } from '../realtime/event-bus.port.js';
import type { PhoneNumber } from '../tenants/phone-number.entity.js';
import { PhoneNumbersRepository, type PhoneNumberTarget } from '../tenants/phone-numbers.repository.js';
import { PhoneProvisioningException as Err, PhoneProvisioningExceptionCode as Code, TwilioProvisioningError } from './phone-provisioning.exception.js';
import { auditEntry, markAudited, numberView, twilioChange, type NumberView, type OperationContext } from './provisioning-audit.js';
import { statusOfError } from '../../common/errors/error-status.js';
import { toProvisioningError, TwilioNumberClient, type TwilioAccountHandle } from './twilio-number.client.js';
import {
  channelTargetOf,
  expectedWebhookConfig,
  ownershipTest,
  planWebhookUpdate,
  revertWebhookUpdate,
  type WebhookConfig,
  type WebhookField,
  type WebhookUpdate,
} from './webhook-config.js';

export type ProvisioningAction = 'assign' | 'unassign' | 'configure' | 'resync';

/** What the number row should become; checked and computed under the row lock. */
export interface DesiredState {
  tenantId: string | null;
  agentId: string | null;
  voiceEnabled: boolean;
  smsEnabled: boolean;
  whatsappEnabled: boolean;
}

export interface ConfigureJob {
  action: ProvisioningAction;
  target: PhoneNumberTarget;
  /** The account that holds the number, resolved before the transaction opens. */
  handle: TwilioAccountHandle;
  /** The number's account as the pre-read saw it: the locked row must still say the same. */
  expectedAccountSid: string | null;
  /** Validates the locked row (404/409...) and returns what it should become. Use only `manager`. */
  decide(row: PhoneNumber, created: boolean, manager: EntityManager): DesiredState | Promise<DesiredState>;
  ctx: OperationContext;
}

export interface ConfigureResult {
  number: PhoneNumber;
  updatedFields: WebhookField[];
}

interface Applied {
  sid: string;
  previous: WebhookConfig;
  update: WebhookUpdate;
}

type Compensation = 'restored' | 'failed' | 'pending';

/**
 * The one path that changes a number: in a transaction, lock the row, configure Twilio, write the
 * row. Twilio refusing or not answering rolls the transaction back; our write failing after Twilio
 * accepted puts Twilio's previous configuration back, and if even that fails the number is marked
 * drifted and an alert is published. The row lock serialises concurrent changes of one number, so
 * a compensation never undoes someone else's configuration.
 */
@Injectable()
export class NumberConfigurator implements BeforeApplicationShutdown {
  private readonly logger = new Logger(NumberConfigurator.name);
  private readonly background = new Set<Promise<void>>();
  private readonly operations;

  constructor(
    private readonly dataSource: DataSource,
    private readonly numbers: PhoneNumbersRepository,
    private readonly twilio: TwilioNumberClient,
    private readonly audit: AuditService,
    @Inject(EVENT_BUS) private readonly events: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.operations = metrics.counter('phone_number_webhook_operations_total', 'Phone-number webhook operations by action and outcome', ['action', 'outcome']);
  }

  /**
   * In production no number may be pointed at a URL Twilio cannot safely call (http://, localhost,
   * a private address), even when ALLOW_UNSAFE_PUBLIC_URL let the service start with one. Clearing
   * a field (empty value) is always allowed.
   */
  private refuseUnsafeWebhookUrls(update: WebhookUpdate): void {
    if (this.config.nodeEnv !== 'production') return;
    for (const [field, value] of Object.entries(update)) {
      const problem = typeof value === 'string' && value !== '' && /^https?:/i.test(value) ? publicUrlProblem(value) : undefined;
      if (problem) {
        throw new Err(
          Code.UNSAFE_WEBHOOK_URL,
          `Refusing to set ${field} to ${value}: in production a webhook URL ${problem.replace(/ in production/, '')}. Set PUBLIC_BASE_URL to the public https origin of your load balancer`,
        );
      }
    }
  }

  async apply(job: ConfigureJob): Promise<ConfigureResult> {
    let before: NumberView | undefined;
    let desired: DesiredState | undefined;
    let e164: string | undefined;
    let configuredAt: Date | null = null;
    let applied: Applied | undefined;
    let inFlight: (Applied & { pending: Promise<unknown> }) | undefined;
    try {
      const result = await this.dataSource.transaction(async (manager) => {
        const { row, created } = await this.lockRow(manager, job.target);
        before = numberView(row);
        e164 = row.e164;
        configuredAt = row.webhooksConfiguredAt;
        desired = await job.decide(row, created, manager);
        if ((row.twilioAccountSid ?? null) !== job.expectedAccountSid) {
          throw new Err(Code.CONCURRENT_CHANGE, 'The number changed while this request was being prepared: try again');
        }
        const sid = row.twilioSid ?? (await this.twilio.findSid(job.handle, row.e164));
        if (!sid) throw new Err(Code.NOT_ON_TWILIO, `Twilio account ${job.handle.accountSid} has no number ${row.e164}`);
        const current = await this.twilio.fetch(job.handle, sid);
        // A stored SID that names another number must never get this number's webhooks.
        if (current.phoneNumber !== row.e164) throw new Err(Code.TWILIO_SID_MISMATCH, `Twilio number ${sid} is not ${row.e164}: fix the stored twilioSid`);
        const expected = expectedWebhookConfig(this.config.publicBaseUrl, channelTargetOf(desired));
        const update = planWebhookUpdate(expected, current.config, ownershipTest(this.config.publicBaseUrl, row.webhookConfig));
        this.refuseUnsafeWebhookUrls(update);
        if (Object.keys(update).length > 0) {
          try {
            await this.twilio.update(job.handle, sid, update);
          } catch (err) {
            if (err instanceof TwilioProvisioningError && err.mayHaveApplied && err.pending)
              inFlight = { sid, previous: current.config, update, pending: err.pending };
            throw err;
          }
          applied = { sid, previous: current.config, update };
        }
        const saved = await this.numbers.saveConfigured(manager, row, {
          ...desired,
          twilioSid: sid,
          twilioAccountSid: job.handle.accountSid,
          webhookConfig: expected,
        });
        return { number: saved, updatedFields: Object.keys(update) as WebhookField[] };
      });
      this.operations.inc({ action: job.action, outcome: 'success' });
      await this.audit.record(
        auditEntry(job.ctx, {
          action: `phone_number.${job.action}`,
          tenantId: result.number.tenantId ?? before!.tenantId,
          resourceId: result.number.id,
          outcome: 'success',
          statusCode: 200,
          details: { before, after: numberView(result.number), twilio: applied ? twilioChange(applied.update, applied.previous) : {} },
        }),
      );
      return result;
    } catch (err) {
      const alertTenant = desired?.tenantId ?? before?.tenantId ?? null;
      let compensation: Compensation | undefined;
      if (applied) compensation = (await this.restore(job.handle, applied, e164!, alertTenant, err)) ? 'restored' : 'failed';
      else if (inFlight && e164) {
        compensation = 'pending';
        this.track(this.reconcile(job, e164, configuredAt, inFlight, alertTenant));
      }
      const final = toFinalError(err, compensation, applied?.sid);
      this.operations.inc({ action: job.action, outcome: compensation ? `compensation_${compensation}` : 'failed' });
      await this.audit.record(
        auditEntry(job.ctx, {
          action: `phone_number.${job.action}`,
          tenantId: alertTenant,
          resourceId: 'id' in job.target ? job.target.id : null,
          outcome: 'failure',
          statusCode: statusOfError(final),
          details: {
            before: before ?? null,
            error: describe(final),
            compensation: compensation ?? null,
            twilio: applied ? twilioChange(applied.update, applied.previous) : {},
          },
        }),
      );
      throw markAudited(final);
    }
  }

  /** Waits for compensations still running in the background (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.background.size > 0) await Promise.allSettled([...this.background]);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.idle();
  }

  /** Marks a number drifted (creating a pool row for a number we do not hold yet) and alerts its tenant. */
  async markDrifted(e164: string, alertTenant: string | null, reason: string, data: Record<string, unknown> = {}): Promise<void> {
    const drift = { detectedAt: new Date().toISOString(), reason, ...data };
    let phoneNumberId: string | null = null;
    try {
      phoneNumberId = await this.numbers.markDrifted(e164, drift);
      this.logger.error({ phoneNumberId, reason }, 'Phone number marked drifted');
    } catch (err) {
      // The database may be why we got here: the alert and this log line are then the only record.
      this.logger.error({ err, reason, twilioSid: data.twilioSid }, 'Phone number drifted and could not be marked so');
    }
    await this.alert(alertTenant, { kind: 'phone_number.webhooks_drifted', phoneNumberId, reason, ...data });
  }

  async alert(tenantId: string | null, data: Record<string, unknown>): Promise<void> {
    if (!tenantId) return; // pool numbers belong to no tenant: the log line and the status are the signal
    try {
      await this.events.publish({ tenantId, type: 'alert', data });
    } catch (err) {
      this.logger.error({ err, kind: data.kind }, 'Could not publish the alert');
    }
  }

  private async lockRow(manager: EntityManager, target: ConfigureJob['target']): Promise<{ row: PhoneNumber; created: boolean }> {
    let created = false;
    if ('e164' in target) {
      // A number new to us gets its row first, so concurrent requests for it queue on the row lock.
      created = await this.numbers.insertIfNew(manager, target.e164);
    }
    const row = await this.numbers.lockForUpdate(manager, 'id' in target ? { id: target.id } : { e164: target.e164 });
    if (!row) throw new Err(Code.PHONE_NUMBER_NOT_FOUND, 'Phone number not found');
    return { row, created };
  }

  /** Compensation: puts back what `applied` changed on Twilio. False (and drifted) when that fails too. */
  private async restore(handle: TwilioAccountHandle, applied: Applied, e164: string, alertTenant: string | null, cause: unknown): Promise<boolean> {
    try {
      await this.twilio.update(handle, applied.sid, revertWebhookUpdate(applied.update, applied.previous));
      this.logger.warn(
        { twilioSid: applied.sid, cause: (cause as Error).message },
        "Our write failed after Twilio accepted: Twilio's previous configuration was restored",
      );
      return true;
    } catch (restoreErr) {
      await this.markDrifted(e164, alertTenant, 'compensation_failed', {
        twilioSid: applied.sid,
        fields: Object.keys(applied.update),
        error: (restoreErr as Error).message,
      });
      return false;
    }
  }

  /**
   * After a timeout the update may still land. Once it settles, Twilio is put back unless it was
   * refused, or the number was configured again since (its own lock-holding request owns it now).
   */
  private async reconcile(
    job: ConfigureJob,
    e164: string,
    configuredAt: Date | null,
    inFlight: Applied & { pending: Promise<unknown> },
    alertTenant: string | null,
  ): Promise<void> {
    const refused = await inFlight.pending.then(
      () => false,
      (err) => {
        const mapped = toProvisioningError(err, 'update');
        return mapped instanceof TwilioProvisioningError && mapped.reason === 'refused';
      },
    );
    if (refused) return;
    const restored = await this.dataSource.transaction(async (manager): Promise<boolean | 'skipped'> => {
      const row = await this.numbers.lockForUpdate(manager, { e164 });
      if (row && row.webhooksConfiguredAt?.getTime() !== configuredAt?.getTime()) return 'skipped';
      return this.twilio.update(job.handle, inFlight.sid, revertWebhookUpdate(inFlight.update, inFlight.previous)).then(
        () => true,
        () => false,
      );
    });
    if (restored === false)
      await this.markDrifted(e164, alertTenant, 'timeout_reconciliation_failed', { twilioSid: inFlight.sid, fields: Object.keys(inFlight.update) });
    await this.audit.record(
      auditEntry(job.ctx, {
        action: `phone_number.${job.action}.reconcile`,
        tenantId: alertTenant,
        resourceId: null,
        outcome: restored === false ? 'failure' : 'success',
        details: {
          twilioSid: inFlight.sid,
          result: restored === 'skipped' ? 'skipped' : restored ? 'restored' : 'failed',
          twilio: twilioChange(inFlight.update, inFlight.previous),
        },
      }),
    );
  }

  private track(task: Promise<void>): void {
    const tracked = task.catch((err: unknown) => this.logger.error({ err }, 'Twilio reconciliation failed')).finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }
}

function describe(err: unknown): Record<string, unknown> {
  if (err instanceof AppException) return { code: err.code, message: err.message, ...(err.details ?? {}) };
  return { message: (err as Error)?.message ?? String(err) };
}

/** The error the caller gets: module errors as they are, database failures after Twilio with what was done about it. */
function toFinalError(err: unknown, compensation: Compensation | undefined, sid?: string): unknown {
  const note =
    compensation === 'restored'
      ? "; Twilio's previous configuration was restored"
      : compensation === 'failed'
        ? '; restoring Twilio failed too: the number is marked drifted'
        : compensation === 'pending'
          ? '; the change will be undone on Twilio if it lands late'
          : '';
  const extra = compensation ? { compensation } : {};
  if (err instanceof AppException) return compensation ? new AppException(err.code, err.kind, err.message + note, { ...(err.details ?? {}), ...extra }) : err;
  if (err instanceof QueryFailedError) {
    if (isUniqueViolation(err, 'UQ_phone_numbers_twilio_sid')) {
      return new Err(Code.TWILIO_SID_IN_USE, `Twilio number ${sid ?? ''} is already linked to another phone number record${note}`, extra);
    }
    if (isUniqueViolation(err) || isForeignKeyViolation(err))
      return new Err(Code.CONCURRENT_CHANGE, `The number or its tenant changed at the same time${note}`, extra);
  }
  if (compensation) return new Err(Code.NOT_SAVED, `The change could not be saved${note}`, extra);
  return err;
}
