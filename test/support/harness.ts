import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { describe, inject } from 'vitest';
import { buildApp } from '../../src/app.js';
import { toConfig, type Config } from '../../src/config.js';
import { createContext } from '../../src/compose.js';
import type { Context } from '../../src/context.js';
import type { Mail, Mailer } from '../../src/lib/mailer.js';
import type { Clock } from '../../src/lib/time.js';
import type { App } from '../../src/http/typed.js';
import { createScratchDatabase, REDIS_URL } from './services.js';

export type DbKind = 'sqlite' | 'postgres';

/**
 * Runs `body` once per database: SQLite always, PostgreSQL when reachable (else the block is
 * skipped, and global-setup has printed why). Each gets its own fresh database.
 */
export function forEachDatabase(title: string, body: (kind: DbKind) => void): void {
  describe(`${title} [sqlite]`, () => body('sqlite'));
  const pgDescribe = inject('postgres') ? describe : describe.skip;
  pgDescribe(`${title} [postgres]`, () => body('postgres'));
}

/**
 * One database for several processes (this one and OS processes from spawnServer or
 * `tollgate worker`): a scratch PostgreSQL database, or a new SQLite file, as on one machine.
 */
export async function sharedDatabase(kind: DbKind): Promise<{ url: string; drop: () => Promise<void> }> {
  if (kind === 'postgres') return createScratchDatabase(inject('pgTemplate'));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-shared-'));
  return {
    url: `sqlite:${path.join(dir, 'shared.sqlite')}`,
    drop: async () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** Records mail instead of sending it: the mailer is a service outside our code. */
export class RecordingMailer implements Mailer {
  readonly kind = 'custom' as const;
  readonly sent: Mail[] = [];
  async send(mail: Mail): Promise<void> {
    this.sent.push(mail);
  }
  /** The last message to `to`, or throws. */
  last(to: string): Mail {
    const m = [...this.sent].reverse().find((x) => x.to === to);
    if (!m) throw new Error(`no mail to ${to}`);
    return m;
  }
}

export interface TestServer {
  url: string;
  ctx: Context;
  app: App;
  mailer: RecordingMailer;
  config: Config;
  /** A fetch against this server: JSON in, JSON (or text) out. */
  request: (method: string, path: string, opts?: RequestOptions) => Promise<TestResponse>;
  close: () => Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent as-is (no JSON encoding), for malformed-input tests. */
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
}

export interface TestResponse {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface ServerOptions {
  env?: Record<string, string>;
  /** Share an existing database (a second process on the same PostgreSQL, say). */
  databaseUrl?: string;
  redis?: boolean;
  /** Use the mailer the configuration chooses (SMTP_URL, else the log) instead of recording mail. */
  configuredMailer?: boolean;
  /** The context's clock (a test that must not cross a minute boundary shifts it instead of waiting). */
  clock?: Clock;
  /** Run the background loops, as `serve` does (the default); false: a server whose due work stays due. */
  workers?: boolean;
}

/** A real Tollgate on a random loopback port over a fresh database. */
export async function startServer(kind: DbKind, options: ServerOptions = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-test-'));
  let dropDatabase: (() => Promise<void>) | null = null;
  let databaseUrl = options.databaseUrl;
  if (kind === 'postgres' && !databaseUrl) {
    const scratch = await createScratchDatabase(inject('pgTemplate'));
    databaseUrl = scratch.url;
    dropDatabase = scratch.drop;
  }
  const config = toConfig({
    DATA_DIR: dataDir,
    PASSWORD_HASH_MEMORY_KIB: '1024',
    LOG_LEVEL: 'silent',
    ...(databaseUrl ? { DATABASE_URL: databaseUrl } : {}),
    ...(options.redis ? { REDIS_URL } : {}),
    ...options.env,
  });
  const mailer = new RecordingMailer();
  const ctx = await createContext(config, {
    ...(options.configuredMailer ? {} : { mailer }),
    log: pino({ level: 'silent' }),
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const app = await buildApp(ctx);
  if (options.workers !== false) ctx.workers.startServing();
  await app.listen({ port: 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const request = async (method: string, p: string, opts: RequestOptions = {}): Promise<TestResponse> => {
    const headers: Record<string, string> = { accept: 'application/json', ...opts.headers };
    let body: RequestInit['body'];
    if (opts.rawBody !== undefined) body = opts.rawBody as RequestInit['body'];
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] ??= 'application/json';
    }
    const res = await fetch(url + p, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, headers: res.headers, body: parsed, text };
  };

  return {
    url,
    ctx,
    app,
    mailer,
    config,
    request,
    close: async () => {
      await app.close();
      await ctx.close();
      if (dropDatabase) await dropDatabase();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
