import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';

/** Something that holds live work (calls, streams) and can be waited for at shutdown. */
export interface Drainable {
  readonly name: string;
  activeCount(): number;
  /** Ends what is still running, politely, once the drain deadline has passed. */
  endAll(reason: string): Promise<void>;
}

/**
 * Graceful shutdown, in order: readiness fails at once (the balancer stops sending new work),
 * live work continues until it ends or SHUTDOWN_DRAIN_MS passes, then it is ended politely and
 * the server closes (in-flight requests finish, connections close).
 */
@Injectable()
export class ShutdownService {
  private readonly logger = new Logger(ShutdownService.name);
  private readonly drainables: Drainable[] = [];
  private draining = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  get isDraining(): boolean {
    return this.draining;
  }

  register(drainable: Drainable): void {
    this.drainables.push(drainable);
  }

  activeWork(): number {
    return this.drainables.reduce((sum, d) => sum + d.activeCount(), 0);
  }

  async drain(deadlineMs = this.config.shutdownDrainMs, pollMs = 100): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    const started = Date.now();
    this.logger.log({ activeWork: this.activeWork(), deadlineMs }, 'Draining: readiness is now failing');
    while (this.activeWork() > 0 && Date.now() - started < deadlineMs) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    const left = this.activeWork();
    if (left > 0) {
      this.logger.warn({ left }, 'Drain deadline passed: ending remaining work');
      await Promise.all(this.drainables.map((d) => d.endAll('shutdown').catch(() => undefined)));
    }
    this.logger.log({ tookMs: Date.now() - started }, 'Drained');
  }
}
