import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { type ClaimedResend, LeadsRepository } from '../leads/leads.repository.js';
import { MessagingException } from './messaging.exception.js';
import { type DueResend, SmsSenderService } from './sms-sender.service.js';
import { SmsStatusService } from './sms-status.service.js';
import { PollingLoop } from '../../common/async/polling-loop.js';

const BATCH = 20;

/**
 * Sends the resends that are due (`lead_messages.resend_at`, set by SmsStatusService after a
 * transient carrier error). Every instance polls; a row is claimed with SKIP LOCKED and its
 * `resend_at` cleared in the same statement, so exactly one instance takes it and takes it once:
 * at most once, because a second text to a customer is worse than a missed retry (an instance
 * that dies between the claim and Twilio's answer leaves the message `failed`, visible as such).
 * The claim reads across tenants, as a job queue does; everything after it is scoped by the
 * row's own tenant.
 */
@Injectable()
export class SmsResendWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(SmsResendWorker.name);
  private readonly loop: PollingLoop<number>;
  private readonly outcomes: Counter<'outcome'>;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly leads: LeadsRepository,
    private readonly sender: SmsSenderService,
    private readonly statuses: SmsStatusService,
    metrics: MetricsService,
  ) {
    this.outcomes = metrics.counter('sms_resends_total', 'Resends after transient carrier errors, by outcome (sent, opted_out, refused, error)', ['outcome']);
    this.loop = new PollingLoop({
      intervalMs: config.sms.resendPollMs,
      run: () => this.sendDue(),
      onError: (err) => this.logger.error({ err }, 'SMS resend poll failed; retrying at the next poll'),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  /** Sends every resend due now; returns how many were sent. */
  async sendDue(): Promise<number> {
    let sent = 0;
    for (;;) {
      const due = await this.leads.claimDueResends(BATCH);
      for (const row of due) {
        // One row's failure (say, the database blinked while flagging it) must not cost the others of the batch.
        const outcome = await this.resendOne(row).catch((err: unknown) => {
          this.logger.error({ err, tenantId: row.tenantId, messageId: row.id }, 'SMS resend failed');
          return 'error' as const;
        });
        this.outcomes.inc({ outcome });
        if (outcome === 'sent') sent++;
      }
      if (due.length < BATCH || this.loop.stopped) return sent;
    }
  }

  private async resendOne(row: ClaimedResend): Promise<'sent' | 'opted_out' | 'refused' | 'error'> {
    const failed = { tenantId: row.tenantId, leadId: row.leadId, messageId: row.id, errorCode: null };
    // Consent is read now, not when the resend was scheduled: a STOP meanwhile cancels it.
    if (row.optedOut) {
      await this.statuses.giveUp({ ...failed, reason: 'opted_out' });
      return 'opted_out';
    }
    const due: DueResend = {
      id: row.id,
      tenantId: row.tenantId,
      leadId: row.leadId,
      channel: row.channel,
      body: row.body,
      from: row.from,
      to: row.phoneE164,
      failedSid: row.externalId,
      attempts: row.attempts,
    };
    try {
      await this.sender.resend(due);
      return 'sent';
    } catch (err) {
      // A MessagingException is an answer (quota used up, Twilio refused it); anything else is a fault.
      const refused = err instanceof MessagingException;
      if (!refused) this.logger.error({ err, tenantId: row.tenantId, messageId: row.id }, 'SMS resend failed');
      await this.statuses.giveUp({ ...failed, reason: refused ? err.code : 'resend_failed' });
      return refused ? 'refused' : 'error';
    }
  }
}
