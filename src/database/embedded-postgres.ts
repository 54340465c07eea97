import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import lockfile from 'proper-lockfile';

/** Where the embedded server listens; the normal `pg` driver connects to it. */
export interface EmbeddedPostgresEndpoint {
  host: string;
  port: number;
}

export class DataDirLockedError extends Error {}

// Connections the server accepts beyond the pool's. `pg` discards a pooled connection whose query
// failed and opens a new one at once, before the server has seen the old one close: without room
// for both, the new one is refused ("Too many connections") and the statement after every failed
// statement fails too. Only the pool's connections ever carry queries, so statements of two
// connections still cannot interleave (see database-connection.ts).
const RECONNECT_HEADROOM = 2;

// PGlite is PostgreSQL compiled to WebAssembly. We serve it through pglite-socket and talk to it
// with the ordinary `pg` driver, so the app uses the same TypeORM driver, entities and migrations as
// on a real server. (The community TypeORM PGlite driver shares one session between all
// connections and loses rollbacks under concurrency: see docs/architecture.md.)
export class EmbeddedPostgres {
  private releaseLock?: () => Promise<void>;
  private db?: { close(): Promise<void> };
  private server?: { stop(): Promise<void> };

  constructor(
    private readonly dataDir: string,
    private readonly poolSize: number,
  ) {}

  async start(): Promise<EmbeddedPostgresEndpoint> {
    const dir = resolve(this.dataDir, 'pglite');
    mkdirSync(dir, { recursive: true });
    await this.lockDataDir(dir);
    try {
      // Dynamic imports: PGlite is ESM and only needed in embedded mode.
      const { PGlite } = await import('@electric-sql/pglite');
      const { PGLiteSocketServer } = await import('@electric-sql/pglite-socket');
      const db = await PGlite.create(dir);
      this.db = db;
      const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: this.poolSize + RECONNECT_HEADROOM });
      await server.start();
      this.server = server;
      const [host, port] = server.getServerConn().split(':');
      return { host, port: Number(port) };
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.server?.stop().catch(() => undefined);
    await this.db?.close().catch(() => undefined);
    await this.releaseLock?.().catch(() => undefined);
    this.server = undefined;
    this.db = undefined;
    this.releaseLock = undefined;
  }

  // PGlite does not stop two processes from opening one data directory, and that corrupts it.
  private async lockDataDir(dir: string): Promise<void> {
    try {
      this.releaseLock = await lockfile.lock(dir, {
        lockfilePath: `${dir}.lock`,
        stale: 15_000,
        update: 5_000,
        onCompromised: (err) => {
          // Another process took our lock (or the disk went away): continuing would corrupt data.
          console.error(`Embedded database lock lost for ${dir}: ${err.message}. Exiting.`);
          process.exit(1);
        },
      });
    } catch (err) {
      if (err instanceof Error && 'code' in err && err.code === 'ELOCKED') {
        throw new DataDirLockedError(
          `The embedded database in ${dir} is already in use by another Switchboard process. ` +
            'Stop that process, or point DATA_DIR at another directory (or set DATABASE_URL to use PostgreSQL).',
        );
      }
      throw err;
    }
  }
}
