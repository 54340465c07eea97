import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus registry of this app instance (not prom-client's global one, so two instances
 * in one process — as in the tests — do not collide). Modules register their own metrics here.
 */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  readonly httpRequestDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly webhookRejections = new Counter({
    name: 'webhook_signature_rejections_total',
    help: 'Webhooks refused by signature verification, by provider and reason',
    labelNames: ['provider', 'reason'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  // An existing metric of the name is returned (modules may ask twice); one of another kind is not
  // reused: registering the new one then fails on the duplicate name.
  counter<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Counter<L> {
    const existing = this.registry.getSingleMetric<L>(name);
    return existing instanceof Counter ? existing : new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  gauge<L extends string>(name: string, help: string, labelNames: readonly L[] = []): Gauge<L> {
    const existing = this.registry.getSingleMetric<L>(name);
    return existing instanceof Gauge ? existing : new Gauge({ name, help, labelNames, registers: [this.registry] });
  }

  histogram<L extends string>(name: string, help: string, buckets: number[], labelNames: readonly L[] = []): Histogram<L> {
    const existing = this.registry.getSingleMetric<L>(name);
    return existing instanceof Histogram ? existing : new Histogram({ name, help, buckets, labelNames, registers: [this.registry] });
  }
}
