import { describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions } from '../../src/database/data-source.js';
import { openDatabase } from '../../src/database/database-connection.js';
import { preparedStatement, queryPrepared } from '../../src/database/prepared-statement.js';
import { DataDirLockedError, EmbeddedPostgres } from '../../src/database/embedded-postgres.js';
import { MIGRATIONS } from '../../src/database/migrations.js';
import { revertLastMigration, runMigrations } from '../../src/database/migration-runner.js';
import { withFreshDatabase as withFreshDb } from '../support/fresh-database.js';

const baseUrl = process.env.SWITCHBOARD_TEST_BASE_DATABASE_URL;
const onRealPostgres = baseUrl ? describe : describe.skip;

const withFreshDatabase = (fn: (url: string) => Promise<void>) => withFreshDb(baseUrl!, 'switchboard_mig', fn);

onRealPostgres('Migrations on PostgreSQL', () => {
  it('should migrate exactly once when several instances boot at the same time', async () => {
    await withFreshDatabase(async (url) => {
      const instances = await Promise.all([1, 2, 3].map(() => new DataSource(buildDataSourceOptions({ url, poolSize: 2 })).initialize()));
      try {
        const applied = await Promise.all(instances.map((ds) => runMigrations(ds)));
        expect(applied.map((a) => a.length).sort()).toEqual([0, 0, MIGRATIONS.length]);
        const rows = await instances[0].query('SELECT name FROM schema_migrations');
        expect(rows).toHaveLength(MIGRATIONS.length);
      } finally {
        await Promise.all(instances.map((ds) => ds.destroy()));
      }
    });
  });

  it('should move the call facts that lived in calls.metadata into their columns, and back on revert (TypedCallState)', async () => {
    await withFreshDatabase(async (url) => {
      const ds = await new DataSource(buildDataSourceOptions({ url, poolSize: 2 })).initialize();
      try {
        await runMigrations(ds);
        expect(MIGRATIONS.at(-1)?.name).toBe('TypedCallState1795262000000');
        await revertLastMigration(ds);
        const [{ id: tenantId }] = await ds.query(`INSERT INTO tenants (name, slug) VALUES ('Acme', 'acme-mig') RETURNING id`);
        const before = {
          bridgeOutcome: 'transfer',
          bridgeEndReason: 'agent_transfer',
          bridgeEndedAt: '2026-12-01T10:00:00.000Z',
          transferTo: '+14155550177',
          handbacks: 2,
          dispatchedAt: '2026-12-01T09:59:00.000Z',
          placedAt: '2026-12-01T09:59:01.000Z',
          answeredBy: 'human',
          outbound: { firstMessage: 'Hi' },
          aiConversationStatus: 'done',
        };
        const [{ id: callId }] = await ds.query(
          `INSERT INTO calls (tenant_id, direction, from_number, to_number, status, metadata) VALUES ($1, 'outbound', '+14155550100', '+14155550101', 'completed', $2) RETURNING id`,
          [tenantId, JSON.stringify(before)],
        );
        // A value no version wrote is dropped rather than failing the deploy.
        const [{ id: oddId }] = await ds.query(
          `INSERT INTO calls (tenant_id, direction, from_number, to_number, status, metadata) VALUES ($1, 'inbound', '+1', '+2', 'completed', '{"bridgeOutcome":"refused","handbacks":"x"}') RETURNING id`,
          [tenantId],
        );

        await runMigrations(ds);
        const [moved] = await ds.query(
          `SELECT bridge_outcome, bridge_end_reason, bridge_ended_at, transfer_to, handback_count, dispatched_at, placed_at, answered_by, metadata FROM calls WHERE id = $1`,
          [callId],
        );
        expect(moved).toEqual({
          bridge_outcome: 'transfer',
          bridge_end_reason: 'agent_transfer',
          bridge_ended_at: new Date(before.bridgeEndedAt),
          transfer_to: '+14155550177',
          handback_count: 2,
          dispatched_at: new Date(before.dispatchedAt),
          placed_at: new Date(before.placedAt),
          answered_by: 'human',
          metadata: { outbound: { firstMessage: 'Hi' }, aiConversationStatus: 'done' },
        });
        expect((await ds.query(`SELECT bridge_outcome, handback_count, metadata FROM calls WHERE id = $1`, [oddId]))[0]).toEqual({
          bridge_outcome: null,
          handback_count: 0,
          metadata: {},
        });

        await revertLastMigration(ds);
        const [back] = await ds.query(`SELECT metadata FROM calls WHERE id = $1`, [callId]);
        expect(back.metadata).toEqual({ ...before, bridgeEndedAt: expect.any(String), dispatchedAt: expect.any(String), placedAt: expect.any(String) });
        expect(new Date(back.metadata.bridgeEndedAt)).toEqual(new Date(before.bridgeEndedAt));
      } finally {
        await ds.destroy();
      }
    });
  });

  it('should revert every migration down to an empty schema and apply them again', async () => {
    await withFreshDatabase(async (url) => {
      const ds = await new DataSource(buildDataSourceOptions({ url, poolSize: 2 })).initialize();
      try {
        await runMigrations(ds);
        for (let i = 0; i < MIGRATIONS.length; i++) await revertLastMigration(ds);
        const tables = await ds.query(`SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> 'schema_migrations'`);
        expect(tables).toEqual([]);
        expect(await runMigrations(ds)).toHaveLength(MIGRATIONS.length);
      } finally {
        await ds.destroy();
      }
    });
  });

  it('should leave no difference between the entities and the migrated schema', async () => {
    const ds = await new DataSource(buildDataSourceOptions({ url: process.env.DATABASE_URL!, poolSize: 2 })).initialize();
    try {
      await runMigrations(ds); // a no-op when an app of this run already migrated
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });
});

describe('Embedded database', () => {
  it('should refuse a second process on the same DATA_DIR with a clear message', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-lock-'));
    const first = new EmbeddedPostgres(dir, 2);
    try {
      await first.start();
      const second = new EmbeddedPostgres(dir, 2);
      await expect(second.start()).rejects.toThrow(DataDirLockedError);
      await expect(new EmbeddedPostgres(dir, 2).start()).rejects.toThrow(/already in use by another Switchboard process/);
    } finally {
      await first.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('should answer the statement after a failed one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-embedded-'));
    const { dataSource, embedded } = await openDatabase({ dataDir: dir, poolSize: 10, skipMigrations: true, preparedStatements: true });
    try {
      await dataSource.query('CREATE TABLE t (id int PRIMARY KEY)');
      const insert = preparedStatement('t_insert_v1', 'INSERT INTO t VALUES ($1)');
      await queryPrepared(dataSource.manager, insert, [1]);
      // Through TypeORM's query runner and through a prepared statement (pg's pool): until
      // 2026-11-21 the statement after a failed prepared one failed with "Connection terminated".
      for (let i = 0; i < 5; i++) {
        await expect(dataSource.query('INSERT INTO t VALUES ($1)', [1])).rejects.toThrow(/duplicate key/);
        expect(await dataSource.query('SELECT count(*)::int AS n FROM t')).toEqual([{ n: 1 }]);
        await expect(queryPrepared(dataSource.manager, insert, [1])).rejects.toThrow(/duplicate key/);
        expect(await queryPrepared(dataSource.manager, preparedStatement('t_count_v1', 'SELECT count(*)::int AS n FROM t'), [])).toEqual([{ n: 1 }]);
      }
    } finally {
      await dataSource.destroy();
      await embedded?.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
