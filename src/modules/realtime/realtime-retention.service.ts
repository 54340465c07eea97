import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ADVISORY_LOCK, tryWithAdvisoryLock } from '../../database/advisory-lock.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { RealtimeEventsRepository } from './realtime-events.repository.js';
import { RealtimeMetrics } from './realtime.metrics.js';
import { PollingLoop } from '../../common/async/polling-loop.js';

/**
 * Prunes the replay log by age on a timer. Every instance runs the timer; the advisory lock lets
 * one of them do the work and the others skip that round. REALTIME_PRUNE_INTERVAL_MS=0 turns it off.
 */
@Injectable()
export class RealtimeRetentionService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RealtimeRetentionService.name);
  private readonly loop: PollingLoop<number | undefined>;

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: RealtimeEventsRepository,
    private readonly metrics: RealtimeMetrics,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.loop = new PollingLoop({
      intervalMs: config.realtime.pruneIntervalMs,
      run: () => this.pruneOnce(),
      onError: (err) => this.logger.error({ err }, 'Realtime event pruning failed'),
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  onModuleDestroy(): Promise<void> {
    return this.loop.stop();
  }

  /** Deletes events older than the retention; undefined when another instance holds the lock. */
  async pruneOnce(now = new Date()): Promise<number | undefined> {
    const cutoff = new Date(now.getTime() - this.config.realtime.retentionHours * 3_600_000);
    const deleted = await tryWithAdvisoryLock(this.dataSource, ADVISORY_LOCK.eventRetention, () => this.events.pruneOlderThan(cutoff));
    if (deleted) {
      this.metrics.pruned.inc(deleted);
      this.logger.log({ deleted, cutoff: cutoff.toISOString() }, 'Pruned realtime events');
    }
    return deleted;
  }
}
