import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Counter } from 'prom-client';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { returningRows } from '../../database/returning-rows.js';
import { MessagingException } from './messaging.exception.js';
import { type DueResend, SmsSenderService } from './sms-sender.service.js';
import { SmsStatusService } from './sms-status.service.js';
import { PollingLoop } from '../../common/async/polling-loop.js';

const BATCH = 20;

interface ClaimedRow {
  id: string;
  tenant_id: string;
  lead_id: string;
  channel: 'sms' | 'whatsapp';
  body: string;
  external_id: string;
  attempts: number;
  from: string;
  phone_e164: string;
  opted_out: boolean;
}

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
    @InjectDataSource() private readonly db: DataSource,
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
      const due = await this.claim();
      for (const row of due) {
        // One row's failure (say, the database blinked while flagging it) must not cost the others of the batch.
        const outcome = await this.resendOne(row).catch((err: unknown) => {
          this.logger.error({ err, tenantId: row.tenant_id, messageId: row.id }, 'SMS resend failed');
          return 'error' as const;
        });
        this.outcomes.inc({ outcome });
        if (outcome === 'sent') sent++;
      }
      if (due.length < BATCH || this.loop.stopped) return sent;
    }
  }

  private async claim(): Promise<ClaimedRow[]> {
    return returningRows<ClaimedRow>(
      await this.db.query(
        `WITH due AS (
           SELECT id FROM lead_messages WHERE resend_at <= now() ORDER BY resend_at LIMIT $1 FOR UPDATE SKIP LOCKED
         )
         UPDATE lead_messages m SET resend_at = NULL
         FROM due, leads l
         WHERE m.id = due.id AND l.id = m.lead_id AND l.tenant_id = m.tenant_id
         RETURNING m.id, m.tenant_id, m.lead_id, m.channel, m.body, m.external_id, COALESCE((m.metadata->>'attempts')::int, 1) AS attempts,
           m.metadata->>'from' AS "from", l.phone_e164, (l.opted_out_at IS NOT NULL) AS opted_out`,
        [BATCH],
      ),
    );
  }

  private async resendOne(row: ClaimedRow): Promise<'sent' | 'opted_out' | 'refused' | 'error'> {
    const failed = { tenantId: row.tenant_id, leadId: row.lead_id, messageId: row.id, errorCode: null };
    // Consent is read now, not when the resend was scheduled: a STOP meanwhile cancels it.
    if (row.opted_out) {
      await this.statuses.giveUp({ ...failed, reason: 'opted_out' });
      return 'opted_out';
    }
    const due: DueResend = {
      id: row.id,
      tenantId: row.tenant_id,
      leadId: row.lead_id,
      channel: row.channel,
      body: row.body,
      from: row.from,
      to: row.phone_e164,
      failedSid: row.external_id,
      attempts: row.attempts,
    };
    try {
      await this.sender.resend(due);
      return 'sent';
    } catch (err) {
      // A MessagingException is an answer (quota used up, Twilio refused it); anything else is a fault.
      const refused = err instanceof MessagingException;
      if (!refused) this.logger.error({ err, tenantId: row.tenant_id, messageId: row.id }, 'SMS resend failed');
      await this.statuses.giveUp({ ...failed, reason: refused ? err.code : 'resend_failed' });
      return refused ? 'refused' : 'error';
    }
  }
}
