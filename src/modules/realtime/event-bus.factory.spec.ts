import { describe, expect, it } from '@jest/globals';
import { chooseTransport, unusedRedisUrlWarning } from './event-bus.factory.js';
import { backoffDelay } from './stored-event-bus.js';

describe('chooseTransport', () => {
  const db = 'postgres://db/app';
  const redis = 'redis://cache:6379';
  it.each([
    ['auto', undefined, undefined, 'in-process'],
    ['auto', undefined, redis, 'in-process'],
    ['auto', db, undefined, 'postgres'],
    ['auto', db, redis, 'redis'],
    ['postgres', db, redis, 'postgres'],
    ['redis', undefined, redis, 'redis'],
    ['in-process', db, redis, 'in-process'],
  ] as const)('should pick for %s with database %s and redis %s', (setting, databaseUrl, redisUrl, expected) => {
    expect(chooseTransport(setting, { databaseUrl, redisUrl })).toBe(expected);
  });

  it.each([
    ['postgres', {}, /needs DATABASE_URL/],
    ['redis', { databaseUrl: db }, /needs REDIS_URL/],
  ] as const)('should refuse %s without what it needs', (setting, env, message) => {
    expect(() => chooseTransport(setting, env)).toThrow(message);
  });
});

describe('unusedRedisUrlWarning', () => {
  const db = 'postgres://db/app';
  const redis = 'redis://cache:6379';
  it('should warn when REDIS_URL is set with the embedded database, naming the way out', () => {
    const warning = unusedRedisUrlWarning('auto', chooseTransport('auto', { redisUrl: redis }), { redisUrl: redis });
    expect(warning).toMatch(/REDIS_URL is set but ignored.*embedded database.*DATABASE_URL.*REALTIME_TRANSPORT=redis/);
  });

  it('should warn when another transport is chosen explicitly', () => {
    expect(unusedRedisUrlWarning('postgres', 'postgres', { databaseUrl: db, redisUrl: redis })).toMatch(/REALTIME_TRANSPORT=postgres/);
  });

  it.each([
    ['auto', 'redis', { databaseUrl: db, redisUrl: redis }],
    ['redis', 'redis', { redisUrl: redis }],
    ['auto', 'in-process', {}],
    ['auto', 'postgres', { databaseUrl: db }],
  ] as const)('should say nothing for %s -> %s when Redis is used or unset', (setting, transport, env) => {
    expect(unusedRedisUrlWarning(setting, transport, env)).toBeUndefined();
  });
});

describe('backoffDelay', () => {
  it.each([
    [0, 0, 125],
    [0, 1, 250],
    [3, 1, 2_000],
    [20, 1, 30_000],
    [20, 0, 15_000],
  ])('should wait attempt %i (random %d) %i ms', (attempt, random, expected) => {
    expect(backoffDelay(attempt, () => random)).toBe(expected);
  });
});
