import { Logger } from '@nestjs/common';
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
  if (setting === 'postgres' && !env.databaseUrl)
    throw new Error('REALTIME_TRANSPORT=postgres needs DATABASE_URL (the embedded database cannot LISTEN across instances)');
  if (setting === 'redis' && !env.redisUrl) throw new Error('REALTIME_TRANSPORT=redis needs REDIS_URL');
  return setting;
}

/** Why a configured REDIS_URL goes unused, or undefined when it is used (or unset). Said once at boot. */
export function unusedRedisUrlWarning(
  setting: AppConfig['realtime']['transport'],
  transport: TransportName,
  env: { databaseUrl?: string; redisUrl?: string },
): string | undefined {
  if (!env.redisUrl || transport === 'redis') return undefined;
  if (setting === 'auto' && !env.databaseUrl) {
    return (
      'REDIS_URL is set but ignored: with the embedded database (DATABASE_URL unset) there is one instance and realtime events stay in-process. ' +
      'Set DATABASE_URL to run several instances, REALTIME_TRANSPORT=redis to use Redis anyway, or unset REDIS_URL.'
    );
  }
  return `REDIS_URL is set but ignored: REALTIME_TRANSPORT=${setting} carries realtime events. Set REALTIME_TRANSPORT=redis (or auto) to use Redis, or unset REDIS_URL.`;
}

export function createEventBus(config: AppConfig, store: RealtimeEventsRepository, dataSource: DataSource, metrics: RealtimeMetrics): StoredEventBus {
  const env = { databaseUrl: config.db.url, redisUrl: config.redisUrl };
  const transport = chooseTransport(config.realtime.transport, env);
  const warning = unusedRedisUrlWarning(config.realtime.transport, transport, env);
  if (warning) new Logger('Realtime').warn(warning);
  switch (transport) {
    case 'postgres':
      return new PgNotifyEventBus(store, { connectionString: config.db.url!, channel: config.realtime.channel, timeouts: config.db.timeouts }, metrics);
    case 'redis':
      return new RedisEventBus(store, new AfterCommit(dataSource), { url: config.redisUrl!, channel: config.realtime.channel }, metrics);
    case 'in-process':
      return new InProcessEventBus(store, new AfterCommit(dataSource), metrics);
  }
}
