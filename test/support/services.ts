import net from 'node:net';
import pg from 'pg';
import { readEnv } from '../../src/config.js';

const env = readEnv();
export const PG_URL = env.TEST_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
export const REDIS_URL = env.TEST_REDIS_URL || 'redis://127.0.0.1:6379';

/** Whether PostgreSQL answers at PG_URL (a real query, not just an open port). */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 1500 });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function redisReachable(): Promise<boolean> {
  const url = new URL(REDIS_URL);
  return new Promise((resolve) => {
    const socket = net.connect({ host: url.hostname, port: Number(url.port || 6379) });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => {
      socket.write('PING\r\n');
      socket.once('data', (d) => done(d.toString().startsWith('+PONG')));
    });
  });
}

/** A database name no other process (or other run of the suite) picks. */
const uniqueName = (prefix: string) =>
  `${prefix}_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;

/** PG_URL with another database name. */
function urlOf(name: string): string {
  const url = new URL(PG_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

/**
 * A fresh PostgreSQL database for one test file; dropped by the returned function. Empty, or,
 * given a template (one migrated by global-setup), a copy of it: copying takes the time of
 * creating an empty database, while migrating one took about a second more per server.
 */
export async function createScratchDatabase(template?: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = uniqueName('tollgate_t');
  await admin(`create database ${name}${template ? ` template ${template}` : ''}`);
  return { url: urlOf(name), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

/**
 * The template for createScratchDatabase: a database with every migration applied, made once
 * per run by `migrate` (and closed, since CREATE DATABASE refuses a template in use).
 */
export async function createMigratedTemplate(
  migrate: (url: string) => Promise<void>,
): Promise<{ name: string; drop: () => Promise<void> }> {
  const name = uniqueName('tollgate_tpl');
  await admin(`create database ${name}`);
  const drop = () => admin(`drop database if exists ${name} with (force)`);
  try {
    await migrate(urlOf(name));
  } catch (err) {
    await drop();
    throw err;
  }
  return { name, drop };
}
