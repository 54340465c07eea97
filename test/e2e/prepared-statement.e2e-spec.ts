import { describe, expect, it } from '@jest/globals';
import { Column, DataSource, Entity, PrimaryColumn, QueryFailedError } from 'typeorm';
import { columnsOf, disablePreparedStatements, preparedStatement, queryPrepared } from '../../src/database/prepared-statement.js';
import { withFreshDatabase } from '../support/fresh-database.js';

// Named prepared statements (src/database/prepared-statement.ts) on a real PostgreSQL: the
// transaction they join, the errors they raise, and a column added by a migration while an
// instance holds them (a rolling deploy).

const baseUrl = process.env.SWITCHBOARD_TEST_BASE_DATABASE_URL;
const onRealPostgres = baseUrl ? describe : describe.skip;

@Entity('gadgets')
class Gadget {
  @PrimaryColumn('int') id!: number;
  @Column('text') name!: string;
}

async function withDataSource(fn: (ds: DataSource) => Promise<void>, options: { prepared?: boolean } = {}): Promise<void> {
  await withFreshDatabase(baseUrl!, 'switchboard_prep', async (url) => {
    // One pooled connection, so every statement below meets the statements prepared before it.
    const ds = await new DataSource({ type: 'postgres', url, entities: [Gadget], poolSize: 1, extra: { max: 1 } }).initialize();
    try {
      if (options.prepared === false) disablePreparedStatements(ds);
      await ds.query('CREATE TABLE gadgets (id int PRIMARY KEY, name text NOT NULL)');
      await fn(ds);
    } finally {
      await ds.destroy();
    }
  });
}

const preparedNames = async (ds: DataSource) => (await ds.query('SELECT name FROM pg_prepared_statements ORDER BY name')).map((r: { name: string }) => r.name);

onRealPostgres('Prepared statements on PostgreSQL', () => {
  it('should prepare a statement once per connection and return its rows', async () => {
    await withDataSource(async (ds) => {
      const insert = preparedStatement('gadgets_insert_v1', `INSERT INTO gadgets (id, name) VALUES ($1, $2) RETURNING ${columnsOf(ds, Gadget)}`);
      expect(await queryPrepared(ds.manager, insert, [1, 'one'])).toEqual([{ id: 1, name: 'one' }]);
      expect(await queryPrepared(ds.manager, insert, [2, 'two'])).toEqual([{ id: 2, name: 'two' }]);
      expect(await preparedNames(ds)).toEqual(['gadgets_insert_v1']);
    });
  });

  it("should run inside the manager's transaction and roll back with it", async () => {
    await withDataSource(async (ds) => {
      const insert = preparedStatement('gadgets_insert_v1', 'INSERT INTO gadgets (id, name) VALUES ($1, $2)');
      await expect(
        ds.transaction(async (manager) => {
          await queryPrepared(manager, insert, [1, 'one']);
          throw new Error('abort');
        }),
      ).rejects.toThrow('abort');
      expect(await ds.query('SELECT count(*)::int AS n FROM gadgets')).toEqual([{ n: 0 }]);
    });
  });

  it("should raise TypeORM's QueryFailedError with the driver's code, as manager.query does", async () => {
    await withDataSource(async (ds) => {
      const insert = preparedStatement('gadgets_insert_v1', 'INSERT INTO gadgets (id, name) VALUES ($1, $2)');
      await queryPrepared(ds.manager, insert, [1, 'one']);
      const err = await queryPrepared(ds.manager, insert, [1, 'again']).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(QueryFailedError);
      expect((err as QueryFailedError & { driverError: { code: string } }).driverError.code).toBe('23505');
    });
  });

  it('should keep its connection, and the statements prepared on it, when the server refuses a statement', async () => {
    await withDataSource(async (ds) => {
      const insert = preparedStatement('gadgets_insert_v1', 'INSERT INTO gadgets (id, name) VALUES ($1, $2)');
      const backend = preparedStatement('gadgets_backend_v1', 'SELECT pg_backend_pid() AS pid');
      await queryPrepared(ds.manager, insert, [1, 'one']);
      const [before] = await queryPrepared(ds.manager, backend, []);
      await expect(queryPrepared(ds.manager, insert, [1, 'again'])).rejects.toThrow(/duplicate key/);
      expect(await queryPrepared(ds.manager, backend, [])).toEqual([before]);
      expect(await preparedNames(ds)).toEqual(['gadgets_backend_v1', 'gadgets_insert_v1']);
    });
  });

  it('should keep working when a migration adds a column to a table it reads (columns listed, not *)', async () => {
    await withDataSource(async (ds) => {
      const listed = preparedStatement('gadgets_by_id_v1', `SELECT ${columnsOf(ds, Gadget)} FROM gadgets WHERE id = $1`);
      const star = preparedStatement('gadgets_by_id_star_v1', 'SELECT * FROM gadgets WHERE id = $1');
      await ds.query(`INSERT INTO gadgets (id, name) VALUES (1, 'one')`);
      await queryPrepared(ds.manager, listed, [1]);
      await queryPrepared(ds.manager, star, [1]);

      await ds.query('ALTER TABLE gadgets ADD COLUMN colour text');

      expect(await queryPrepared(ds.manager, listed, [1])).toEqual([{ id: 1, name: 'one' }]);
      // Why the rule exists: the same statement written with * now fails on this connection.
      await expect(queryPrepared(ds.manager, star, [1])).rejects.toThrow(/cached plan must not change result type/);
    });
  });

  it('should send statements unnamed when prepared statements are disabled (DB_PREPARED_STATEMENTS=false)', async () => {
    await withDataSource(
      async (ds) => {
        const insert = preparedStatement('gadgets_insert_v1', 'INSERT INTO gadgets (id, name) VALUES ($1, $2)');
        await queryPrepared(ds.manager, insert, [1, 'one']);
        expect(await preparedNames(ds)).toEqual([]);
      },
      { prepared: false },
    );
  });

  it('should refuse a name PostgreSQL would truncate or misread', () => {
    expect(() => preparedStatement('Bad Name', 'SELECT 1')).toThrow(/snake_case/);
    expect(() => preparedStatement('x'.repeat(64), 'SELECT 1')).toThrow(/63/);
  });
});
