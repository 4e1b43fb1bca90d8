import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config, Dialect } from '../config.js';
import { InsertSignals, signalingDialect } from './insert-signals.js';
import { prepareDirectory } from '../lib/data-dir.js';
import { errnoOf, reasonOf, StartupError } from '../lib/startup-error.js';
import type { Database } from './schema/index.js';
import { configureSqlite, MultiProcessSqliteDialect } from './sqlite-dialect.js';

export type Db = Kysely<Database>;

export interface OpenedDatabase {
  db: Db;
  dialect: Dialect;
  /** Inserts this process committed, table by table (background loops wake on them). */
  inserted: InsertSignals;
  close(): Promise<void>;
}

/**
 * This pool's type parsers: PostgreSQL BIGINT (count(*)) arrives as text by default, and our
 * counts fit in a JS number. Given to the pool, not set in pg's process-wide registry, so
 * other pg users in the process (tests, tools) keep pg's defaults.
 */
function postgresTypes(): pg.CustomTypesConfig {
  const parseBigint = (v: string) => Number.parseInt(v, 10);
  return {
    getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
      oid === pg.types.builtins.INT8 && format !== 'binary'
        ? parseBigint
        : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
  };
}

/** better-sqlite3 binds only numbers, strings, bigints, buffers and null: map booleans and dates. */
function sqliteParam(value: unknown): unknown {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (value instanceof Date) return value.toISOString();
  return value;
}

function sqliteWithPortableParams(raw: BetterSqlite3.Database): BetterSqlite3.Database {
  const prepare = raw.prepare.bind(raw);
  // Kysely prepares every query anew; the same SQL text reuses one compiled statement.
  const cache = new Map<string, BetterSqlite3.Statement>();
  raw.prepare = ((source: string) => {
    const hit = cache.get(source);
    if (hit) return hit;
    const stmt = prepare(source);
    const wrapped = new Map<PropertyKey, (...a: unknown[]) => unknown>();
    for (const method of ['all', 'get', 'run', 'iterate'] as const) {
      const fn = (stmt[method] as (...a: unknown[]) => unknown).bind(stmt);
      wrapped.set(method, (...args) =>
        fn(...args.map((a) => (Array.isArray(a) ? a.map(sqliteParam) : sqliteParam(a)))),
      );
    }
    const portable = new Proxy(stmt, {
      get(target, prop) {
        const w = wrapped.get(prop);
        if (w) return w;
        const v = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
    if (cache.size >= 500) cache.delete(cache.keys().next().value!);
    cache.set(source, portable);
    return portable;
  }) as typeof raw.prepare;
  return raw;
}

/**
 * The SQLite file, created owner-only (0600) when missing: SQLite gives its -wal and -shm
 * files the database file's permissions. A file it cannot open is named in one line.
 */
function openSqlite(config: Config): BetterSqlite3.Database {
  const file = config.database.sqliteFile;
  const setting = config.database.url ? 'DATABASE_URL' : 'DATA_DIR';
  if (file !== ':memory:') {
    const dir = path.dirname(file);
    prepareDirectory(dir, config.database.url ? 'the directory of DATABASE_URL' : 'DATA_DIR');
    try {
      fs.closeSync(fs.openSync(file, 'wx', 0o600));
    } catch (err) {
      if (errnoOf(err) !== 'EEXIST') throw cannotOpen(file, err, setting);
    }
  }
  let raw: BetterSqlite3.Database | undefined;
  try {
    raw = new BetterSqlite3(file);
    configureSqlite(raw);
    return raw;
  } catch (err) {
    raw?.close();
    throw cannotOpen(file, err, setting);
  }
}

function cannotOpen(file: string, err: unknown, setting: string): StartupError {
  return new StartupError(
    `cannot open the SQLite database ${file} (${reasonOf(err)}): restore it from a backup or move it aside, or set ${setting} to another database`,
    { cause: err },
  );
}

/**
 * One line for a PostgreSQL server that cannot be reached or refuses us at start-up, naming
 * host, port, database and user (never the password); other errors are returned as they are.
 */
export function databaseFailure(err: unknown, config: Config): unknown {
  if (config.database.dialect !== 'postgres' || err instanceof StartupError) return err;
  const url = new URL(config.database.url!);
  const where = `${url.hostname || 'localhost'}:${url.port || 5432}`;
  const database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username) || 'postgres';
  const user = decodeURIComponent(url.username) || 'the default user';
  const code = (err as { code?: unknown }).code;
  const say = (message: string) => new StartupError(message, { cause: err });
  if (code === '3D000')
    return say(
      `PostgreSQL at ${where} has no database "${database}": create it (createdb ${database}), or correct DATABASE_URL`,
    );
  if (code === '28000' || code === '28P01') {
    return say(
      `PostgreSQL at ${where} refused the user "${user}" (${reasonOf(err)}): create the role or give it access, or correct the user and password in DATABASE_URL`,
    );
  }
  if (code === '57P03') return say(`PostgreSQL at ${where} is starting up or shutting down: try again in a moment`);
  if (errnoOf(err) || /timeout|terminated/i.test(reasonOf(err))) {
    return say(
      `cannot reach PostgreSQL at ${where} (${reasonOf(err)}): start it, or correct the host and port in DATABASE_URL`,
    );
  }
  return err;
}

/**
 * Which database the configuration points at, never with its password: `short` is the
 * SQLite file or `PostgreSQL host:port/db`; `long` says it in words for the command line.
 */
export function describeDatabase(config: Config, form: 'short' | 'long'): string {
  if (config.database.dialect === 'sqlite')
    return form === 'short' ? config.database.sqliteFile : `the SQLite database ${config.database.sqliteFile}`;
  const url = new URL(config.database.url!);
  const at = `${url.hostname || 'localhost'}:${url.port || 5432}/${decodeURIComponent(url.pathname.slice(1))}`;
  return form === 'short'
    ? `PostgreSQL ${at}`
    : `the PostgreSQL database ${at}${url.username ? ` as ${decodeURIComponent(url.username)}` : ''}`;
}

export function openDatabase(config: Config): OpenedDatabase {
  const inserted = new InsertSignals();
  if (config.database.dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.database.url!, max: 20, types: postgresTypes() });
    // An idle client that loses its connection must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: signalingDialect(new PostgresDialect({ pool }), inserted) });
    return { db, dialect: 'postgres', inserted, close: () => db.destroy() };
  }
  const raw = openSqlite(config);
  const db = new Kysely<Database>({
    dialect: signalingDialect(new MultiProcessSqliteDialect(sqliteWithPortableParams(raw)), inserted),
  });
  return { db, dialect: 'sqlite', inserted, close: () => db.destroy() };
}

/** A cheap round trip and the server's version, for health checks. */
export async function databaseVersion(db: Db, dialect: Dialect): Promise<string> {
  if (dialect === 'postgres') {
    const r = await sql<{ v: string }>`select version() as v`.execute(db);
    return r.rows[0]!.v.split(' ').slice(0, 2).join(' ');
  }
  const r = await sql<{ v: string }>`select sqlite_version() as v`.execute(db);
  return `SQLite ${r.rows[0]!.v}`;
}
