import { Injectable } from '@nestjs/common';

/**
 * A dependency a module needs to serve (besides the database, which the health check pings
 * itself): the module registers a probe at boot, and readiness is red while it answers down.
 */
export interface ReadinessProbe {
  /** The key in the readiness report (e.g. `realtime`). */
  name: string;
  /** Answers within `timeoutMs`; `details` go into the report either way. */
  check(timeoutMs: number): Promise<{ up: boolean; details: Record<string, unknown> }>;
}

/** The registered probes. Global (LifecycleModule), so feature modules register without common importing them. */
@Injectable()
export class ReadinessProbes {
  private readonly probes: ReadinessProbe[] = [];

  register(probe: ReadinessProbe): void {
    this.probes.push(probe);
  }

  list(): readonly ReadinessProbe[] {
    return this.probes;
  }
}
