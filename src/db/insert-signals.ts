import type {
  CompiledQuery,
  DatabaseConnection,
  Dialect,
  Driver,
  QueryCompiler,
  QueryResult,
  TransactionSettings,
} from 'kysely';
import type { Database } from './schema/index.js';

export type TableName = keyof Database & string;

/**
 * Tells, in this process, that rows were inserted into a table and are now visible to every
 * connection: after the insert's transaction commits (never on a rollback), or at once for an
 * insert outside a transaction. Background loops listen here, so a job or a delivery written
 * by this process is taken at once instead of at the next poll, whichever core function wrote
 * it and however deep in its transaction: a wake before the commit would find nothing.
 */
export class InsertSignals {
  readonly #listeners = new Map<string, Array<() => void>>();

  on(table: TableName, listener: () => void): void {
    this.#listeners.set(table, [...(this.#listeners.get(table) ?? []), listener]);
  }

  /** Only the tables someone listens to are tracked: the others cost one map lookup per insert. */
  watches(table: string): boolean {
    return this.#listeners.has(table);
  }

  fire(tables: Iterable<string>): void {
    for (const t of tables) {
      for (const listener of this.#listeners.get(t) ?? []) {
        try {
          listener();
        } catch {
          // A listener only wakes a loop: one that throws must not fail the write that committed.
        }
      }
    }
  }
}

function insertedTable(query: CompiledQuery): string | null {
  const node = query.query;
  return node.kind === 'InsertQueryNode' ? (node.into?.table.identifier.name ?? null) : null;
}

/** A connection that notes the watched tables it inserts into; inside a transaction they wait for the commit. */
class SignalingConnection implements DatabaseConnection {
  /** Tables inserted into by the open transaction; null outside one. */
  pending: Set<string> | null = null;

  constructor(
    readonly inner: DatabaseConnection,
    private readonly signals: InsertSignals,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.inner.executeQuery<R>(query);
    const table = insertedTable(query);
    if (table !== null && this.signals.watches(table)) {
      if (this.pending) this.pending.add(table);
      else this.signals.fire([table]);
    }
    return result;
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

class SignalingDriver implements Driver {
  readonly #wrapped = new WeakMap<DatabaseConnection, SignalingConnection>();

  constructor(
    private readonly inner: Driver,
    private readonly signals: InsertSignals,
  ) {}

  init(): Promise<void> {
    return this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const connection = await this.inner.acquireConnection();
    let wrapped = this.#wrapped.get(connection);
    if (!wrapped) this.#wrapped.set(connection, (wrapped = new SignalingConnection(connection, this.signals)));
    return wrapped;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const c = connection as SignalingConnection;
    await this.inner.beginTransaction(c.inner, settings);
    c.pending = new Set();
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as SignalingConnection;
    const inserted = c.pending;
    c.pending = null;
    await this.inner.commitTransaction(c.inner);
    if (inserted?.size) this.signals.fire(inserted);
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const c = connection as SignalingConnection;
    c.pending = null;
    await this.inner.rollbackTransaction(c.inner);
  }

  savepoint(connection: DatabaseConnection, name: string, compile: QueryCompiler['compileQuery']): Promise<void> {
    return this.inner.savepoint!((connection as SignalingConnection).inner, name, compile);
  }

  rollbackToSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return this.inner.rollbackToSavepoint!((connection as SignalingConnection).inner, name, compile);
  }

  releaseSavepoint(
    connection: DatabaseConnection,
    name: string,
    compile: QueryCompiler['compileQuery'],
  ): Promise<void> {
    return this.inner.releaseSavepoint!((connection as SignalingConnection).inner, name, compile);
  }

  releaseConnection(connection: DatabaseConnection): Promise<void> {
    return this.inner.releaseConnection((connection as SignalingConnection).inner);
  }

  destroy(): Promise<void> {
    return this.inner.destroy();
  }
}

/** `dialect` with its driver's inserts reported to `signals`. */
export function signalingDialect(dialect: Dialect, signals: InsertSignals): Dialect {
  return {
    createAdapter: () => dialect.createAdapter(),
    createDriver: () => new SignalingDriver(dialect.createDriver(), signals),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
