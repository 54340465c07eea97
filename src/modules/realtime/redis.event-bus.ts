import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { withDeadline } from '../../common/async/deadline.js';
import { errorMessage } from '../../common/errors/error-message.js';
import type { PublishOptions, RealtimeEvent } from './event-bus.port.js';
import { type BoundedData, toNotification } from './event-payload.js';
import type { AfterCommit } from './after-commit.js';
import type { RealtimeEventsRepository } from './realtime-events.repository.js';
import type { RealtimeMetrics } from './realtime.metrics.js';
import type { ReceiverOptions, RemoteEventReceiver } from './remote-event-receiver.js';
import { backoffDelay, StoredEventBus } from './stored-event-bus.js';

export interface RedisBusOptions {
  url: string;
  channel: string;
  receiver?: ReceiverOptions;
}

/**
 * The alternative transport, for fan-out volumes PostgreSQL should not carry: Redis pub/sub.
 * Events are still stored in PostgreSQL (replay); the message goes out after the producer's
 * commit. A subscribing connection cannot run other commands, so it is a duplicate of the
 * publishing client (as novu and immich's Redis adapters do). We re-subscribe ourselves after a
 * reconnect, so delivery resumes only once Redis has confirmed the subscription and the table
 * has been read for what was published meanwhile.
 */
export class RedisEventBus extends StoredEventBus {
  readonly transport = 'redis' as const;
  private readonly receiver: RemoteEventReceiver;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private release?: () => void;
  private stopped = false;
  /** Visible in Redis CLIENT LIST, to tell instances apart. */
  readonly subscriberName = `switchboard-realtime-sub-${randomBytes(4).toString('hex')}`;

  constructor(
    private readonly store: RealtimeEventsRepository,
    private readonly afterCommit: AfterCommit,
    private readonly options: RedisBusOptions,
    metrics?: RealtimeMetrics,
  ) {
    super(metrics);
    this.receiver = this.remoteReceiver(store, options.receiver);
    this.pub = new Redis(options.url, { lazyConnect: true, retryStrategy: (times) => backoffDelay(times - 1), connectionName: 'switchboard-realtime-pub' });
    this.sub = this.pub.duplicate({ autoResubscribe: false, connectionName: this.subscriberName });
    this.pub.on('error', (err) => this.logger.warn({ err: err.message }, 'Redis (realtime publisher) error'));
    this.sub.on('error', (err) => this.logger.warn({ err: err.message }, 'Redis (realtime subscriber) error'));
    this.sub.on('message', (channel: string, message: string) => {
      if (channel === this.options.channel) this.receiver.accept(message);
    });
    this.sub.on('close', () => this.lost());
    this.sub.on('ready', () => void this.subscribed());
  }

  protected async send(event: RealtimeEvent, data: BoundedData, options: PublishOptions): Promise<void> {
    const stored = await this.store.insert(event, data, { manager: options.manager });
    const message = JSON.stringify(toNotification(stored, data.inline));
    this.afterCommit.schedule(options.manager, () => {
      // ioredis queues the command while reconnecting; a failure is logged (the row is kept for replay).
      this.pub.publish(this.options.channel, message).catch((err: Error) => {
        this.metrics?.publishFailures.inc({ transport: this.transport });
        this.logger.error({ err: err.message, id: stored.id }, 'Could not publish a realtime event to Redis');
      });
    });
  }

  async onModuleInit(): Promise<void> {
    await this.receiver.start();
    this.release = this.receiver.hold();
    // Booting does not wait for Redis: calls and webhooks matter more than dashboards. ioredis
    // keeps retrying, and 'ready' subscribes and catches up.
    this.pub.connect().catch((err: Error) => this.logger.error({ err: err.message }, 'Redis (realtime) unreachable; retrying'));
    this.sub.connect().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.receiver.stop();
    this.release?.();
    this.afterCommit.detach();
    this.sub.disconnect();
    await this.pub.quit().catch(() => this.pub.disconnect());
  }

  settled(): Promise<void> {
    return this.receiver.idle();
  }

  /**
   * For readiness: both connections up, the subscription confirmed, and both answer PING within
   * `timeoutMs` (a hung Redis keeps its sockets open and never errors by itself).
   */
  async isHealthy(timeoutMs: number): Promise<boolean> {
    if (this.stopped || this.release !== undefined || this.pub.status !== 'ready' || this.sub.status !== 'ready') return false;
    try {
      await withDeadline(Promise.all([this.pub.ping(), this.sub.ping()]), timeoutMs);
      return true;
    } catch {
      return false;
    }
  }

  private lost(): void {
    if (this.stopped || this.release) return;
    this.metrics?.subscriptionUp.set({ transport: this.transport }, 0);
    this.metrics?.subscriptionLost.inc({ transport: this.transport });
    this.logger.warn('Redis (realtime) subscription lost; reconnecting');
    this.release = this.receiver.hold();
  }

  private async subscribed(): Promise<void> {
    try {
      await this.sub.subscribe(this.options.channel);
    } catch (err) {
      // The connection dropped again; the next 'ready' tries once more.
      this.logger.warn({ err: errorMessage(err) }, 'Redis (realtime) subscribe failed');
      return;
    }
    this.metrics?.subscriptionUp.set({ transport: this.transport }, 1);
    this.release?.();
    this.release = undefined;
  }
}
