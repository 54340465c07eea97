import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import type { Counter } from 'prom-client';
import { MetricsService } from '../../../common/metrics/metrics.service.js';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config.js';
import type { WebhookInboxEvent } from './webhook-inbox.entity.js';
import { WebhookInboxRepository } from './webhook-inbox.repository.js';
import { PollingLoop } from '../../../common/async/polling-loop.js';

export interface InboxOutcome {
  status: 'done' | 'unmatched';
  tenantId?: string | null;
  callId?: string | null;
  /** Shown in the inbox (e.g. why an event is unmatched). */
  note?: string;
}

export type InboxHandler = (event: WebhookInboxEvent) => Promise<InboxOutcome>;

/** A processing error that no retry can fix (a malformed stored payload): fail at once. */
export class PermanentInboxError extends Error {}

const BATCH = 10;
const LEASE_SECS = 300;
const BACKOFF_BASE_MS = 10_000;
const BACKOFF_MAX_MS = 30 * 60_000;

/** 10 s, 20 s, 40 s ... capped at 30 min, with ±10 % jitter so retries of a burst spread out. */
export function backoffMs(attempt: number, random = Math.random): number {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt - 1));
  return Math.round(base * (0.9 + 0.2 * random()));
}

/**
 * The in-process worker of the webhook inbox. A new event is processed right after it is stored
 * (kick); a poll picks up retries that are due and rows left by an instance that stopped or
 * crashed (at boot too). Several instances may run it: rows are claimed with SKIP LOCKED.
 */
@Injectable()
export class WebhookInboxWorker implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhookInboxWorker.name);
  private readonly handlers = new Map<string, InboxHandler>();
  private readonly processed: Counter<'event_type' | 'outcome'>;
  private readonly loop: PollingLoop<void>;

  constructor(
    private readonly inbox: WebhookInboxRepository,
    metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.processed = metrics.counter('webhook_inbox_processed_total', 'Inbox events processed, by type and outcome', ['event_type', 'outcome']);
    this.loop = new PollingLoop({
      intervalMs: config.webhookInbox.pollMs,
      run: () => this.drain(),
      rerunWhenKicked: true,
      onError: (err) => this.logger.error({ err }, 'Webhook inbox round failed'),
    });
  }

  register(eventType: string, handler: InboxHandler): void {
    this.handlers.set(eventType, handler);
  }

  onApplicationBootstrap(): void {
    this.loop.start();
    // Rows left pending by a previous run of this (or a crashed) instance.
    this.kick();
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  /** Processes due rows soon, without waiting; safe to call as often as wanted. */
  kick(): void {
    this.loop.kick();
  }

  /** Processes every due row now (tests, and the re-drive endpoint); resolves when none is left. */
  drainNow(): Promise<void> {
    return this.loop.runNow();
  }

  private async drain(): Promise<void> {
    try {
      while (!this.loop.stopped) {
        const batch = await this.inbox.claimDue(BATCH, LEASE_SECS);
        if (batch.length === 0) return;
        for (const event of batch) await this.processOne(event);
      }
    } catch (err) {
      // The database is down or the app is closing: the rows stay due and the next poll takes them.
      if (!this.loop.stopped) this.logger.error({ err }, 'Webhook inbox poll failed');
    }
  }

  private async processOne(event: WebhookInboxEvent): Promise<void> {
    const handler = this.handlers.get(event.eventType);
    try {
      if (!handler) throw new PermanentInboxError(`No handler for ${event.provider}/${event.eventType}`);
      const outcome = await handler(event);
      await this.inbox.finish(event.id, outcome.status, { tenantId: outcome.tenantId, callId: outcome.callId, note: outcome.note });
      this.processed.inc({ event_type: event.eventType, outcome: outcome.status });
      this.logger.log({ inboxId: event.id, eventType: event.eventType, status: outcome.status, callId: outcome.callId }, 'Inbox event processed');
    } catch (err) {
      const message = (err instanceof Error && err.message ? err.message : String(err)).slice(0, 2000);
      const permanent = err instanceof PermanentInboxError;
      if (permanent || event.attempts >= this.config.webhookInbox.maxAttempts) {
        await this.inbox.fail(event.id, message);
        this.processed.inc({ event_type: event.eventType, outcome: 'failed' });
        this.logger.error(
          { err, inboxId: event.id, eventType: event.eventType, attempts: event.attempts },
          'Inbox event failed for good; re-drive it from the admin API',
        );
      } else {
        const delay = backoffMs(event.attempts);
        await this.inbox.retryLater(event.id, message, delay);
        this.processed.inc({ event_type: event.eventType, outcome: 'retry' });
        this.logger.warn({ err, inboxId: event.id, eventType: event.eventType, attempts: event.attempts, retryInMs: delay }, 'Inbox event failed; will retry');
      }
    }
  }
}
