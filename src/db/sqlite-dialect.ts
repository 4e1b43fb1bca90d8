import type BetterSqlite3 from 'better-sqlite3';
import {
  CompiledQuery,
  SqliteAdapter,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryCompiler,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

/**
 * SQLite shared by several processes (serve + `tollgate worker`, or two servers on one file).
 *
 * SQLite has one writer at a time per file. Kysely's SQLite driver opens transactions with a
 * plain (deferred) BEGIN: a transaction that reads, then writes must upgrade its read
 * snapshot to the write lock, and if another process committed in between SQLite refuses
 * with SQLITE_BUSY_SNAPSHOT at once — busy_timeout cannot help, the snapshot is stale. So:
 *
 * - every read-write transaction starts with BEGIN IMMEDIATE: it takes the write lock first,
 *   then reads the latest data, so write transactions of all processes run one after the
 *   other, exactly as PostgreSQL's row locks and advisory locks make them (a read-only
 *   transaction, `setAccessMode('read only')`, stays deferred: readers never block in WAL);
 * - better-sqlite3 waits for a lock synchronously (the busy handler sleeps inside the call,
 *   blocking the event loop), so it only waits SYNC_WAIT_MS there; past that, a statement
 *   outside a transaction, or the BEGIN IMMEDIATE itself, is tried again with a growing
 *   async backoff (the event loop runs meanwhile) up to LOCK_WAIT_MS. Retrying is safe only
 *   outside a transaction: an autocommit statement refused with SQLITE_BUSY did nothing, and a
 *   refused BEGIN opened nothing. A statement inside a transaction is never retried (with
 *   BEGIN IMMEDIATE it already holds the write lock, so it does not meet SQLITE_BUSY).
 * - migrations run in one IMMEDIATE transaction (SQLite's DDL is transactional), so processes
 *   starting together on a new file apply them once, one after the other.
 */

/** How long SQLite's own busy handler waits inside one call, blocking the event loop. */
export const SQLITE_SYNC_WAIT_MS = 20;
/** How long a statement outside a transaction, or a transaction's start, waits for the write lock in all. */
export const SQLITE_LOCK_WAIT_MS = 30_000;

const isBusy = (err: unknown): boolean => {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
};

/** Runs `attempt` again while SQLite answers SQLITE_BUSY outside a transaction, backing off up to LOCK_WAIT_MS. */
async function whileBusy<T>(raw: BetterSqlite3.Database, attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + SQLITE_LOCK_WAIT_MS;
  for (let tries = 0; ; tries++) {
    try {
      return await attempt();
    } catch (err) {
      if (!isBusy(err) || raw.inTransaction || Date.now() >= deadline) throw err;
      // 1, 2, 4 … 64 ms, with jitter so that waiting processes do not retry in step.
      const ms = Math.min(64, 2 ** tries) * (0.5 + Math.random());
      await new Promise((r) => setTimeout(r, ms));
    }
  }
}

class WaitingConnection implements DatabaseConnection {
  constructor(
    private readonly inner: DatabaseConnection,
    private readonly raw: BetterSqlite3.Database,
  ) {}

  executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    return whileBusy(this.raw, () => this.inner.executeQuery<R>(query));
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

/** Kysely's SQLite driver (its one connection and mutex), with IMMEDIATE write transactions and async lock waits. */
class MultiProcessSqliteDriver implements Driver {
  readonly #wrapped = new WeakMap<DatabaseConnection, WaitingConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly raw: BetterSqlite3.Database,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    let wrapped = this.#wrapped.get(connection);
    if (!wrapped) this.#wrapped.set(connection, (wrapped = new WaitingConnection(connection, this.raw)));
    return wrapped;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw(settings.accessMode === 'read only' ? 'begin' : 'begin immediate'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    // Some errors (SQLITE_FULL, SQLITE_IOERR …) end the transaction themselves: the caller's error stands, not "no transaction is active".
    if (this.raw.inTransaction) await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.savepoint!(connection, name, compile);
  }

  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return this.inner.rollbackToSavepoint!(connection, name, compile);
  }

  releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return this.inner.releaseSavepoint!(connection, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection(connection);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** Kysely runs migrations in a transaction only where the adapter says DDL is transactional: it is on SQLite. */
class TransactionalDdlSqliteAdapter extends SqliteAdapter {
  override get supportsTransactionalDdl(): boolean {
    return true;
  }
}

export class MultiProcessSqliteDialect extends SqliteDialect {
  readonly #raw: BetterSqlite3.Database;

  constructor(raw: BetterSqlite3.Database) {
    super({ database: raw });
    this.#raw = raw;
  }

  override createDriver(): Driver {
    return new MultiProcessSqliteDriver(super.createDriver(), this.#raw);
  }

  override createAdapter(): SqliteAdapter {
    return new TransactionalDdlSqliteAdapter();
  }
}

/**
 * The connection's settings: WAL (readers never block the writer, and other processes see each
 * commit), and the short synchronous busy wait. Set with a longer wait first: switching a new
 * file to WAL while another process opens it can meet a lock too.
 */
export function configureSqlite(raw: BetterSqlite3.Database): void {
  raw.pragma(`busy_timeout = ${SQLITE_LOCK_WAIT_MS}`);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma(`busy_timeout = ${SQLITE_SYNC_WAIT_MS}`);
}
