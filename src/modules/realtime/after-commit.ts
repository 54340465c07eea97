import type { DataSource, EntityManager, EntitySubscriberInterface, QueryRunner, TransactionCommitEvent, TransactionRollbackEvent } from 'typeorm';

interface Pending {
  depth: number;
  run: () => void;
}

// TypeORM keeps the savepoint depth on the runner without exposing it in the type.
const depthOf = (runner: QueryRunner): number => ('transactionDepth' in runner && typeof runner.transactionDepth === 'number' ? runner.transactionDepth : 1);

/**
 * Runs callbacks when the transaction of a producer's EntityManager commits, and drops them if
 * it rolls back (including a rolled-back savepoint the callback was registered in). Without a
 * transaction the callback runs at once. Used by the transports that cannot ride the commit
 * itself (Redis, in-process); NOTIFY is transactional in PostgreSQL already.
 */
export class AfterCommit implements EntitySubscriberInterface {
  private readonly pending = new WeakMap<QueryRunner, Pending[]>();

  constructor(private readonly dataSource: DataSource) {
    dataSource.subscribers.push(this);
  }

  detach(): void {
    const index = this.dataSource.subscribers.indexOf(this);
    if (index >= 0) this.dataSource.subscribers.splice(index, 1);
  }

  schedule(manager: EntityManager | undefined, run: () => void): void {
    const runner = manager?.queryRunner;
    if (!runner || !runner.isTransactionActive) return run();
    const list = this.pending.get(runner) ?? [];
    list.push({ depth: depthOf(runner), run });
    this.pending.set(runner, list);
  }

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const runner = event.queryRunner;
    const list = this.pending.get(runner);
    if (!list) return;
    if (runner.isTransactionActive) {
      // A savepoint was released: what it held now belongs to the enclosing level.
      const depth = depthOf(runner);
      for (const p of list) p.depth = Math.min(p.depth, depth);
      return;
    }
    this.pending.delete(runner);
    for (const p of list) p.run();
  }

  afterTransactionRollback(event: TransactionRollbackEvent): void {
    const runner = event.queryRunner;
    const list = this.pending.get(runner);
    if (!list) return;
    if (!runner.isTransactionActive) {
      this.pending.delete(runner);
      return;
    }
    const depth = depthOf(runner);
    this.pending.set(
      runner,
      list.filter((p) => p.depth <= depth),
    );
  }
}
