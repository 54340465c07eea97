import type pg from 'pg';
import { type DatabaseTimeouts, DEFAULT_DATABASE_TIMEOUTS, GuardedClient, guardedPoolOptions } from '../../database/connection-guard.js';
import type { PublishOptions, RealtimeEvent } from './event-bus.port.js';
import type { BoundedData } from './event-payload.js';
import type { RealtimeEventsRepository } from './realtime-events.repository.js';
import type { RealtimeMetrics } from './realtime.metrics.js';
import type { ReceiverOptions, RemoteEventReceiver } from './remote-event-receiver.js';
import { backoffDelay, StoredEventBus } from './stored-event-bus.js';

export interface PgNotifyOptions {
  connectionString: string;
  channel: string;
  /** How often the idle LISTEN connection proves it is alive (a half-open TCP connection never errors). */
  pingIntervalMs?: number;
  receiver?: ReceiverOptions;
  /** The pools' timeouts: a LISTEN connection that cannot open, or stops answering, is replaced. */
  timeouts?: DatabaseTimeouts;
}

const PING_TIMEOUT_MS = 10_000;

/**
 * The default transport: PostgreSQL LISTEN/NOTIFY (https://www.postgresql.org/docs/current/sql-notify.html).
 * Publishing is one statement: insert the row and pg_notify() a small payload, so the notification
 * leaves at the producer's commit and never on rollback. Every instance (this one included) hears
 * it on a dedicated, non-pooled connection (a transaction-mode PgBouncer cannot carry LISTEN),
 * which reconnects with backoff, LISTENs again and catches up from the table.
 */
export class PgNotifyEventBus extends StoredEventBus {
  readonly transport = 'postgres' as const;
  private readonly receiver: RemoteEventReceiver;
  private client?: pg.Client;
  private release?: () => void;
  private attempts = 0;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private pingTimer?: NodeJS.Timeout;

  constructor(
    private readonly store: RealtimeEventsRepository,
    private readonly options: PgNotifyOptions,
    metrics?: RealtimeMetrics,
  ) {
    super(metrics);
    this.receiver = this.remoteReceiver(store, options.receiver);
  }

  protected async send(event: RealtimeEvent, data: BoundedData, options: PublishOptions): Promise<void> {
    await this.store.insert(event, data, { manager: options.manager, notifyChannel: this.options.channel });
  }

  async onModuleInit(): Promise<void> {
    await this.receiver.start();
    this.release = this.receiver.hold();
    await this.connect();
    this.pingTimer = setInterval(() => this.ping(), this.options.pingIntervalMs ?? 30_000);
    this.pingTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.receiver.stop();
    clearTimeout(this.reconnectTimer);
    clearInterval(this.pingTimer);
    this.release?.();
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  /** The LISTEN connection's server process id (tests end it to prove reconnect and catch-up). */
  get listenerPid(): number | undefined {
    // pg sets processID at connect; its typings do not declare it.
    const client = this.client;
    return client && 'processID' in client && typeof client.processID === 'number' ? client.processID : undefined;
  }

  /** Resolves when every notification received so far has been delivered. */
  settled(): Promise<void> {
    return this.receiver.idle();
  }

  private async connect(): Promise<void> {
    if (this.stopped) return;
    // GuardedClient: it always has an 'error' listener, and its statements (LISTEN, the ping) time out.
    const { Client: _client, ...bounded } = guardedPoolOptions(this.options.timeouts ?? DEFAULT_DATABASE_TIMEOUTS, true);
    const client: pg.Client = new GuardedClient({ ...bounded, connectionString: this.options.connectionString, application_name: 'switchboard-realtime' });
    client.on('notification', (msg) => {
      if (msg.channel === this.options.channel && msg.payload) this.receiver.accept(msg.payload);
    });
    client.on('error', (err) => this.lost(client, err));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN "${this.options.channel}"`);
    } catch (err) {
      void client.end().catch(() => undefined);
      return this.scheduleReconnect(err);
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.metrics?.subscriptionUp.set({ transport: this.transport }, 1);
    if (this.attempts > 0) this.logger.log({ attempts: this.attempts }, 'Realtime LISTEN connection restored');
    this.attempts = 0;
    // Delivery resumes after catching up on what was stored while nobody listened.
    this.release?.();
    this.release = undefined;
  }

  private lost(client: pg.Client, err?: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    void client.end().catch(() => undefined);
    if (this.stopped) return;
    this.metrics?.subscriptionUp.set({ transport: this.transport }, 0);
    this.metrics?.subscriptionLost.inc({ transport: this.transport });
    this.logger.warn({ err }, 'Realtime LISTEN connection lost; reconnecting');
    this.release ??= this.receiver.hold();
    this.scheduleReconnect(err);
  }

  private scheduleReconnect(err: unknown): void {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempts++);
    if (this.attempts > 1) this.logger.warn({ err, attempt: this.attempts, delayMs: delay }, 'Realtime LISTEN connection failed; retrying');
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
    this.reconnectTimer.unref();
  }

  private ping(): void {
    const client = this.client;
    if (!client) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('LISTEN connection ping timed out')), PING_TIMEOUT_MS);
    });
    Promise.race([client.query('SELECT 1'), timeout])
      .catch((err: Error) => this.lost(client, err))
      .finally(() => clearTimeout(timer));
  }
}
