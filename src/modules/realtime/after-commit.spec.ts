import { describe, expect, it } from '@jest/globals';
import type { DataSource, EntityManager, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';
import { AfterCommit } from './after-commit.js';

/** Mimics TypeORM's runner: depth 1 = the transaction, 2+ = savepoints. */
class FakeRunner {
  isTransactionActive = false;
  transactionDepth = 0;
  readonly manager = { queryRunner: this } as unknown as EntityManager;
  constructor(private readonly hooks: AfterCommit) {}
  start() {
    this.isTransactionActive = true;
    this.transactionDepth++;
  }
  commit() {
    this.transactionDepth--;
    this.isTransactionActive = this.transactionDepth > 0;
    this.hooks.afterTransactionCommit({ queryRunner: this as unknown as QueryRunner } as TransactionCommitEvent);
  }
  rollback() {
    this.transactionDepth--;
    this.isTransactionActive = this.transactionDepth > 0;
    this.hooks.afterTransactionRollback({ queryRunner: this as unknown as QueryRunner } as TransactionRollbackEvent);
  }
}

function setup() {
  const dataSource = { subscribers: [] as unknown[] } as unknown as DataSource;
  const hooks = new AfterCommit(dataSource);
  const runner = new FakeRunner(hooks);
  const ran: string[] = [];
  const schedule = (name: string) => hooks.schedule(runner.manager, () => ran.push(name));
  return { dataSource, hooks, runner, ran, schedule };
}

describe(AfterCommit.name, () => {
  it('should run at once without a transaction and register itself as a subscriber', () => {
    const { dataSource, hooks, ran, schedule } = setup();
    expect(dataSource.subscribers).toContain(hooks);
    schedule('now');
    hooks.schedule(undefined, () => ran.push('no manager'));
    expect(ran).toEqual(['now', 'no manager']);
    hooks.detach();
    expect(dataSource.subscribers).toEqual([]);
  });

  it('should run at the outer commit and never after a rollback', () => {
    const { runner, ran, schedule } = setup();
    runner.start();
    schedule('a');
    expect(ran).toEqual([]);
    runner.commit();
    expect(ran).toEqual(['a']);
    runner.start();
    schedule('b');
    runner.rollback();
    runner.start();
    runner.commit();
    expect(ran).toEqual(['a']);
  });

  it('should drop what a rolled-back savepoint registered and keep what a released one did', () => {
    const { runner, ran, schedule } = setup();
    runner.start();
    schedule('outer');
    runner.start(); // savepoint 1
    schedule('released');
    runner.commit(); // release: now part of the transaction
    runner.start(); // savepoint 2
    schedule('rolled back');
    runner.rollback();
    expect(ran).toEqual([]);
    runner.commit();
    expect(ran).toEqual(['outer', 'released']);
  });
});
