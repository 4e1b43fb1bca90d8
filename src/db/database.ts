import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Config, Dialect } from '../config.js';
import { InsertSignals, signalingDialect } from './insert-signals.js';
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
      oid === pg.types.builtins.INT8 && format !== 'binary' ? parseBigint : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig['getTypeParser'],
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
      wrapped.set(method, (...args) => fn(...args.map((a) => (Array.isArray(a) ? a.map(sqliteParam) : sqliteParam(a)))));
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

export function openDatabase(config: Config): OpenedDatabase {
  const inserted = new InsertSignals();
  if (config.database.dialect === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.database.url!, max: 20, types: postgresTypes() });
    // An idle client that loses its connection must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: signalingDialect(new PostgresDialect({ pool }), inserted) });
    return { db, dialect: 'postgres', inserted, close: () => db.destroy() };
  }
  const file = config.database.sqliteFile;
  if (file !== ':memory:') fs.mkdirSync(path.dirname(file), { recursive: true });
  const raw = new BetterSqlite3(file);
  configureSqlite(raw);
  const db = new Kysely<Database>({ dialect: signalingDialect(new MultiProcessSqliteDialect(sqliteWithPortableParams(raw)), inserted) });
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
