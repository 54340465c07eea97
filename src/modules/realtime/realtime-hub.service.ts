import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { ShutdownService } from '../../common/lifecycle/shutdown.service.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ApiKeysService } from '../tenants/api-keys.service.js';
import { TenantsService } from '../tenants/tenants.service.js';
import { EVENT_BUS, type EventBus, type RealtimeEvent } from './event-bus.port.js';
import { RealtimeMetrics } from './realtime.metrics.js';
import type { CloseReason, SseConnection } from './sse-connection.js';
import { formatEventFrame } from './sse-format.js';
import { isGapAware } from './stored-event-bus.js';

/**
 * This instance's SSE subscribers, indexed by tenant: the bus delivers every event once per
 * instance and the hub hands it to the matching local connections (a tenant never sees another's
 * events). One timer for all connections sends heartbeats, re-checks what let each stream open
 * (an open stream must not outlive a revoked key or a suspended tenant) and, once the instance
 * starts draining, ends every stream so clients reconnect to another instance.
 */
@Injectable()
export class RealtimeHub implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(RealtimeHub.name);
  private readonly byTenant = new Map<string, Set<SseConnection>>();
  private count = 0;
  private timer?: NodeJS.Timeout;
  private lastHeartbeat = Date.now();
  private lastRecheck = Date.now();
  private rechecking = false;
  private readonly teardown: Array<() => void> = [];

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly shutdown: ShutdownService,
    private readonly metrics: RealtimeMetrics,
    private readonly tenants: TenantsService,
    private readonly apiKeys: ApiKeysService,
  ) {}

  onModuleInit(): void {
    const unsubscribe = this.bus.subscribe((event) => this.dispatch(event));
    this.teardown.push(unsubscribe);
    if (isGapAware(this.bus)) {
      // Events this instance could not catch up on: every client replays from the table itself.
      const off = this.bus.onGap((reason) => {
        this.logger.warn({ reason, connections: this.count }, 'Closing SSE streams so clients resync');
        this.closeAll('resync');
      });
      this.teardown.push(off);
    }
    this.timer = setInterval(() => this.tick(), Math.min(1_000, this.config.realtime.heartbeatMs));
    this.timer.unref();
  }

  /** Before the HTTP server closes (it would wait for these long-lived responses forever). */
  onModuleDestroy(): void {
    clearInterval(this.timer);
    for (const off of this.teardown.splice(0)) off();
    this.closeAll('shutdown');
  }

  get isDraining(): boolean {
    return this.shutdown.isDraining;
  }

  add(connection: SseConnection): void {
    let set = this.byTenant.get(connection.tenantId);
    if (!set) this.byTenant.set(connection.tenantId, (set = new Set()));
    set.add(connection);
    this.count++;
    this.metrics.connections.set(this.count);
  }

  /** Called by a connection when it ends, whatever the reason. */
  remove(connection: SseConnection, reason: CloseReason): void {
    const set = this.byTenant.get(connection.tenantId);
    if (!set?.delete(connection)) return;
    if (set.size === 0) this.byTenant.delete(connection.tenantId);
    this.count--;
    this.metrics.connections.set(this.count);
    this.metrics.disconnects.inc({ reason });
  }

  connectionCount(tenantId?: string): number {
    return tenantId ? (this.byTenant.get(tenantId)?.size ?? 0) : this.count;
  }

  dispatch(event: RealtimeEvent): void {
    const set = this.byTenant.get(event.tenantId);
    if (!set) return;
    let frame: string | undefined;
    for (const connection of set) {
      if (connection.matches(event)) connection.push(event, (frame ??= formatEventFrame(event)));
    }
  }

  closeAll(reason: CloseReason): void {
    for (const set of [...this.byTenant.values()]) {
      for (const connection of [...set]) connection.close(reason);
    }
  }

  /**
   * Closes the streams whose API key has been revoked or whose tenant is suspended or gone (their
   * EventSource then reconnects and gets the 401/403). Two queries for all streams of the instance;
   * returns how many were closed. A failed check is logged and retried at the next interval.
   */
  async recheckCredentials(): Promise<number> {
    if (this.rechecking) return 0;
    this.rechecking = true;
    try {
      // Only the streams open now are judged: one opened during the queries is not in their answer.
      const connections = [...this.byTenant.values()].flatMap((set) => [...set]);
      const tenantIds = new Set(connections.filter((c) => c.credential.requiresActiveTenant).map((c) => c.tenantId));
      const apiKeyIds = new Set(connections.flatMap((c) => (c.credential.apiKeyId ? [c.credential.apiKeyId] : [])));
      if (tenantIds.size === 0 && apiKeyIds.size === 0) return 0;
      const [activeTenants, liveKeys] = await Promise.all([this.tenants.activeTenantIds([...tenantIds]), this.apiKeys.liveKeyIds([...apiKeyIds])]);
      let closed = 0;
      for (const c of connections) {
        const { apiKeyId, requiresActiveTenant } = c.credential;
        if (c.closed || ((!requiresActiveTenant || activeTenants.has(c.tenantId)) && (!apiKeyId || liveKeys.has(apiKeyId)))) continue;
        c.close('revoked');
        closed++;
      }
      if (closed > 0) this.logger.log({ closed }, 'Closed SSE streams whose API key was revoked or whose tenant is no longer active');
      return closed;
    } catch (err) {
      this.logger.warn({ err }, 'Could not re-check the credentials of open SSE streams; retrying at the next interval');
      return 0;
    } finally {
      this.rechecking = false;
    }
  }

  private tick(): void {
    if (this.count === 0) return;
    if (this.shutdown.isDraining) return this.closeAll('draining');
    const now = Date.now();
    if (now - this.lastRecheck >= this.config.realtime.streamRecheckMs) {
      this.lastRecheck = now;
      void this.recheckCredentials();
    }
    if (now - this.lastHeartbeat < this.config.realtime.heartbeatMs) return;
    this.lastHeartbeat = now;
    for (const set of this.byTenant.values()) {
      for (const connection of set) connection.heartbeat();
    }
  }
}
