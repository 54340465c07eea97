import { Injectable } from '@nestjs/common';
import type { Counter, Gauge } from 'prom-client';
import { MetricsService } from '../../common/metrics/metrics.service.js';

/** The realtime module's Prometheus series, registered once per app instance. */
@Injectable()
export class RealtimeMetrics {
  readonly published: Counter<'transport'>;
  readonly publishFailures: Counter<'transport'>;
  readonly subscriptionLost: Counter<'transport'>;
  readonly subscriptionUp: Gauge<'transport'>;
  readonly gaps: Counter<'reason'>;
  readonly connections: Gauge;
  readonly disconnects: Counter<'reason'>;
  readonly replayed: Counter;
  readonly pruned: Counter;

  constructor(metrics: MetricsService) {
    this.published = metrics.counter('realtime_events_published_total', 'Realtime events stored and sent, by transport', ['transport']);
    this.publishFailures = metrics.counter('realtime_publish_failures_total', 'Realtime events that could not be stored or sent', ['transport']);
    this.subscriptionLost = metrics.counter('realtime_subscription_lost_total', 'Times the cross-instance subscription (LISTEN or Redis) was lost', [
      'transport',
    ]);
    this.subscriptionUp = metrics.gauge('realtime_subscription_up', '1 while the cross-instance subscription (LISTEN or Redis) is live', ['transport']);
    this.gaps = metrics.counter('realtime_gaps_total', 'Times live streams were told to resync because events could not be caught up', ['reason']);
    this.connections = metrics.gauge('realtime_sse_connections', 'Open SSE connections on this instance');
    this.disconnects = metrics.counter('realtime_sse_disconnects_total', 'SSE connections ended, by reason', ['reason']);
    this.replayed = metrics.counter('realtime_sse_replayed_events_total', 'Events replayed to reconnecting SSE clients');
    this.pruned = metrics.counter('realtime_events_pruned_total', 'Realtime events deleted by retention');
  }
}
