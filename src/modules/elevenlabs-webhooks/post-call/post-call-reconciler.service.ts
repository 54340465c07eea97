import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import { ADVISORY_LOCK, tryWithAdvisoryLock } from '../../../database/advisory-lock.js';
import { ElevenLabsApiClient, ElevenLabsApiError } from '../../provider-clients/elevenlabs-api.client.js';
import { WebhookInboxRepository } from '../inbox/webhook-inbox.repository.js';
import { WebhookInboxWorker } from '../inbox/webhook-inbox.worker.js';
import { RecordingStore } from './recording-store.js';
import { PollingLoop } from '../../../common/async/polling-loop.js';
import { mapRows, text, type SqlRow } from '../../../database/sql-row.js';

/** An ended call whose conversation's transcript never arrived (read from the calls module's call_conversations view). */
interface DueCall {
  id: string;
  tenantId: string;
  conversationId: string;
}

const toDueCall = (r: SqlRow): DueCall => ({ id: text(r, 'id'), tenantId: text(r, 'tenant_id'), conversationId: text(r, 'conversation_id') });

const BATCH = 50;
const LOOKBACK_DAYS = 7;
const INITIATION_LOG_RETENTION_HOURS = 24;
const INBOX_DONE_RETENTION_DAYS = 30;
const PENDING_RECORDING_RETENTION_MS = 7 * 24 * 3_600_000;

export interface ReconcileReport {
  checked: number;
  queued: number;
  notFinished: number;
  missing: number;
  errors: number;
}

/**
 * ElevenLabs may deliver a post-call webhook once or never (protocol notes §2.1). Every
 * POST_CALL_RECONCILE_INTERVAL_MS, one instance (advisory lock) looks for calls that ended more
 * than POST_CALL_RECONCILE_AFTER_MINUTES ago with a conversation id and no post-call data,
 * fetches GET /v1/convai/conversations/{id} and puts the result in the inbox, where it is
 * processed exactly like the webhook (same idempotency key, so a late webhook is a duplicate).
 */
@Injectable()
export class PostCallReconciler implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PostCallReconciler.name);
  private readonly loop: PollingLoop<ReconcileReport | undefined>;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly inbox: WebhookInboxRepository,
    private readonly worker: WebhookInboxWorker,
    private readonly elevenLabs: ElevenLabsApiClient,
    private readonly recordings: RecordingStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new PollingLoop({
      intervalMs: config.elevenlabs.postCall.reconcileIntervalMs,
      run: () => tryWithAdvisoryLock(this.dataSource, ADVISORY_LOCK.postCallReconciliation, () => this.reconcile()),
      onError: (err) => this.logger.error({ err }, 'Post-call reconciliation failed'),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  /** One pass; undefined when another instance holds the lock (or a pass is already running here). */
  runOnce(): Promise<ReconcileReport | undefined> {
    return this.loop.tryRun();
  }

  private async reconcile(): Promise<ReconcileReport> {
    const report: ReconcileReport = { checked: 0, queued: 0, notFinished: 0, missing: 0, errors: 0 };
    const result: unknown = await this.dataSource.query(
      `SELECT c.id, c.tenant_id, c.conversation_id FROM call_conversations c
       WHERE c.ended_at IS NOT NULL
         AND c.ended_at < now() - make_interval(mins => $1) AND c.ended_at > now() - make_interval(days => $2)
         AND NOT c.transcript_applied
         AND NOT EXISTS (SELECT 1 FROM webhook_inbox w WHERE w.provider = 'elevenlabs' AND w.event_type = 'post_call_transcription' AND w.external_id = c.conversation_id)
       ORDER BY c.ended_at LIMIT $3`,
      [this.config.elevenlabs.postCall.reconcileAfterMinutes, LOOKBACK_DAYS, BATCH],
    );
    const due = mapRows(result, toDueCall);
    for (const call of due) {
      if (this.loop.stopped) break;
      report.checked++;
      await this.reconcileCall(call, report);
    }
    if (report.queued > 0) this.worker.kick();
    await this.prune();
    if (report.checked > 0) this.logger.log(report, 'Post-call reconciliation pass');
    return report;
  }

  private async reconcileCall(call: DueCall, report: ReconcileReport): Promise<void> {
    try {
      const apiKey = await this.elevenLabs.apiKeyForTenant(call.tenantId);
      const details = await this.elevenLabs.getConversation<Record<string, unknown>>(apiKey, call.conversationId);
      if (details.status !== 'done' && details.status !== 'failed') {
        report.notFinished++; // still processing at ElevenLabs: the next pass looks again
        return;
      }
      const payload = {
        type: 'post_call_transcription',
        event_timestamp: Math.floor(Date.now() / 1000),
        data: { ...details, conversation_id: call.conversationId },
      };
      const { inserted } = await this.inbox.insert({
        provider: 'elevenlabs',
        eventType: 'post_call_transcription',
        externalId: call.conversationId,
        payload,
        source: 'reconciliation',
      });
      if (inserted) report.queued++;
    } catch (err) {
      if (err instanceof ElevenLabsApiError && err.status === 404) {
        // Deleted (or never existed) at ElevenLabs: recorded as failed so it is visible and not fetched again.
        report.missing++;
        await this.inbox.insert({
          provider: 'elevenlabs',
          eventType: 'post_call_transcription',
          externalId: call.conversationId,
          source: 'reconciliation',
          payload: { type: 'post_call_transcription', data: { conversation_id: call.conversationId }, notFoundAtElevenLabs: true },
          status: 'failed',
          lastError: 'ElevenLabs has no such conversation (404)',
        });
        return;
      }
      report.errors++;
      this.logger.warn({ err, callId: call.id, conversationId: call.conversationId }, 'Could not fetch a conversation for reconciliation');
    }
  }

  private async prune(): Promise<void> {
    await this.dataSource.query(`DELETE FROM conversation_initiations WHERE created_at < now() - make_interval(hours => $1)`, [INITIATION_LOG_RETENTION_HOURS]);
    await this.inbox.pruneDone(INBOX_DONE_RETENTION_DAYS);
    await this.recordings.prunePending(PENDING_RECORDING_RETENTION_MS);
  }
}
