import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { MetricsService } from '../../common/metrics/metrics.service.js';
import { BridgeCounters } from './session/bridge-counters.js';

/**
 * Media bridge metrics. Per-frame figures are plain integers in `counters` (the hot path only does
 * `x++`); prom-client reads them when Prometheus scrapes. Per-call events use prom-client directly.
 */
@Injectable()
export class MediaBridgeMetrics {
  readonly counters = new BridgeCounters();
  /** Set by MediaBridgeService: calls with a stream attached plus streams still authenticating. */
  liveCalls: () => number = () => 0;
  private readonly setup: Histogram<'stage'>;
  private readonly upstreamErrors: Counter<'type'>;
  private readonly interruptions: Counter;
  private readonly rejections: Counter<'reason'>;
  private readonly endings: Counter<'outcome'>;

  constructor(metrics: MetricsService) {
    const registers = [metrics.registry];
    const counters = this.counters;
    const existing = (name: string) => metrics.registry.getSingleMetric(name);
    const liveCalls = () => this.liveCalls();
    if (!existing('media_bridge_live_calls')) {
      new Gauge({
        name: 'media_bridge_live_calls',
        help: 'Calls on this instance with a media stream attached or authenticating',
        registers,
        collect() {
          this.set(liveCalls());
        },
      });
      new Counter({
        name: 'media_bridge_frames_relayed_total',
        help: 'Audio frames relayed, by direction',
        labelNames: ['direction'] as const,
        registers,
        collect() {
          this.reset();
          this.inc({ direction: 'caller_to_agent' }, counters.callerFramesRelayed);
          this.inc({ direction: 'agent_to_caller' }, counters.agentFramesRelayed);
        },
      });
      new Counter({
        name: 'media_bridge_frames_dropped_total',
        help: 'Audio frames dropped, by reason (queue overflow, stale after an interruption, cleared on barge-in)',
        labelNames: ['reason'] as const,
        registers,
        collect() {
          this.reset();
          this.inc({ reason: 'caller_queue_overflow' }, counters.callerFramesDropped);
          this.inc({ reason: 'agent_queue_overflow' }, counters.agentFramesDropped);
          this.inc({ reason: 'stale_after_interruption' }, counters.staleAgentFramesDropped);
          this.inc({ reason: 'cleared_on_interruption' }, counters.agentFramesCleared);
        },
      });
    }
    this.setup = metrics.histogram(
      'media_bridge_setup_seconds',
      'Call setup from the stream start: upstream_open (ElevenLabs conversation ready), first_agent_audio (first agent audio sent to the caller)',
      [0, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8],
      ['stage'] as const,
    );
    this.upstreamErrors = metrics.counter('media_bridge_upstream_errors_total', 'ElevenLabs conversation failures, by type', ['type'] as const);
    this.interruptions = metrics.counter('media_bridge_interruptions_total', 'Caller barge-ins (ElevenLabs interruption events)');
    this.rejections = metrics.counter('media_bridge_stream_rejections_total', 'Media streams refused, by reason', ['reason'] as const);
    this.endings = metrics.counter('media_bridge_calls_ended_total', 'Calls that left the bridge, by outcome', ['outcome'] as const);
  }

  observeSetup(stage: 'upstream_open' | 'first_agent_audio', seconds: number): void {
    this.setup.observe({ stage }, seconds);
  }

  upstreamError(type: string): void {
    this.upstreamErrors.inc({ type });
  }

  interruption(): void {
    this.interruptions.inc();
  }

  rejected(reason: string): void {
    this.rejections.inc({ reason });
  }

  ended(outcome: string): void {
    this.endings.inc({ outcome });
  }
}
