import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../config/app-config.js';
import { AfterCommit } from './after-commit.js';
import { InProcessEventBus } from './in-process.event-bus.js';
import { PgNotifyEventBus } from './pg-notify.event-bus.js';
import type { RealtimeEventsRepository } from './realtime-events.repository.js';
import type { RealtimeMetrics } from './realtime.metrics.js';
import { RedisEventBus } from './redis.event-bus.js';
import type { StoredEventBus, TransportName } from './stored-event-bus.js';

/**
 * Which transport carries events between instances. auto: the embedded database means one
 * instance (in-process); REDIS_URL means Redis; otherwise PostgreSQL LISTEN/NOTIFY.
 */
export function chooseTransport(setting: AppConfig['realtime']['transport'], env: { databaseUrl?: string; redisUrl?: string }): TransportName {
  if (setting === 'auto') return !env.databaseUrl ? 'in-process' : env.redisUrl ? 'redis' : 'postgres';
  if (setting === 'postgres' && !env.databaseUrl) throw new Error('REALTIME_TRANSPORT=postgres needs DATABASE_URL (the embedded database cannot LISTEN across instances)');
  if (setting === 'redis' && !env.redisUrl) throw new Error('REALTIME_TRANSPORT=redis needs REDIS_URL');
  return setting;
}

export function createEventBus(config: AppConfig, store: RealtimeEventsRepository, dataSource: DataSource, metrics: RealtimeMetrics): StoredEventBus {
  const transport = chooseTransport(config.realtime.transport, { databaseUrl: config.db.url, redisUrl: config.redisUrl });
  switch (transport) {
    case 'postgres':
      return new PgNotifyEventBus(store, { connectionString: config.db.url!, channel: config.realtime.channel }, metrics);
    case 'redis':
      return new RedisEventBus(store, new AfterCommit(dataSource), { url: config.redisUrl!, channel: config.realtime.channel }, metrics);
    case 'in-process':
      return new InProcessEventBus(store, new AfterCommit(dataSource), metrics);
  }
}
