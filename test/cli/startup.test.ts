import { spawn, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { nodeArgs } from '../support/node-args.js';
import { PASSWORD, uniqueEmail } from '../support/seed.js';

const MAIN = fileURLToPath(new URL('../../src/main.ts', import.meta.url));

interface Started {
  url: string;
  lines: Array<Record<string, unknown>>;
  /** The first log line (logged so far or later) that `match` picks; waits for it, no polling. */
  line<T>(match: (line: Record<string, unknown>) => T | undefined): Promise<T>;
  stop(): Promise<number | null>;
}

interface Exited {
  code: number | null;
  output: string;
}

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
});

/** Runs `tollgate serve` the way `npm start` does, with only the given environment on top of a clean one. */
function launch(env: Record<string, string>): ChildProcess {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !/^(DATABASE_URL|REDIS_URL|TOLLGATE_|DATA_DIR|PORT|HOST|SMTP_|LOG_LEVEL|LOG_FORMAT)/.test(k),
    ),
  );
  const child = spawn(process.execPath, [...nodeArgs(MAIN), 'serve'], {
    env: { ...clean, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Starts a server and resolves once its log says where it listens. */
function serve(env: Record<string, string>): Promise<Started> {
  const child = launch(env);
  const lines: Array<Record<string, unknown>> = [];
  const logged = new EventEmitter();
  const line = <T>(match: (l: Record<string, unknown>) => T | undefined): Promise<T> =>
    new Promise((found) => {
      const look = (l: Record<string, unknown>): boolean => {
        const hit = match(l);
        if (hit !== undefined) found(hit);
        return hit !== undefined;
      };
      if (lines.some(look)) return;
      const onLine = (l: Record<string, unknown>) => {
        if (look(l)) logged.off('line', onLine);
      };
      logged.on('line', onLine);
    });
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (text) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(text) as Record<string, unknown>;
      } catch {
        return;
      }
      lines.push(entry);
      logged.emit('line', entry);
      const m = /listening on (http:\/\/[^\s]+) /.exec(String(entry.msg ?? ''));
      if (m) {
        const stop = () =>
          new Promise<number | null>((done) => {
            child.removeAllListeners('exit');
            child.once('exit', (code) => done(code));
            child.kill('SIGTERM');
          });
        resolve({ url: m[1]!, lines, line, stop });
      }
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => reject(new Error(`server exited with ${code} before listening: ${stderr}`)));
  });
}

/** Runs a start that is expected to fail, and returns its exit code and everything it printed. */
function failToServe(env: Record<string, string>): Promise<Exited> {
  const child = launch(env);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    }),
  );
}

const tmpDataDir = () => fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-start-'));

async function json(url: string, init: RequestInit = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    ...init,
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string>) },
  });
  return { status: res.status, body: await res.json() };
}

/** Registers a developer with an operator key; the proof that the key works. */
const registerDeveloper = (url: string, operatorKey: string) =>
  json(`${url}/api/v1/auth/register`, {
    method: 'POST',
    headers: { 'x-operator-key': operatorKey },
    body: JSON.stringify({ email: uniqueEmail('dev'), password: PASSWORD }),
  });

describe('start-up: what a new user sees on the embedded default', () => {
  it('creates its database and an owner-only secret in DATA_DIR, says where it listens and how to create an operator, and answers', async () => {
    const dataDir = tmpDataDir();
    const server = await serve({ DATA_DIR: dataDir });
    try {
      const listening = server.lines.find((l) => /listening on/.test(String(l.msg)))!;
      expect(listening.msg).toContain('npm run tollgate -- create-operator --email');
      expect(listening.msg).toContain('/docs');
      expect(listening.redis).toBe('not configured');
      expect(listening.database).toBe(path.join(dataDir, 'tollgate.sqlite'));

      expect(fs.existsSync(path.join(dataDir, 'tollgate.sqlite'))).toBe(true);
      const secret = fs.statSync(path.join(dataDir, 'secret.key'));
      expect(secret.mode & 0o777).toBe(0o600);
      const secretText = fs.readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim();
      expect(secretText.length).toBeGreaterThanOrEqual(32);
      // The secret itself is never logged.
      expect(JSON.stringify(server.lines)).not.toContain(secretText);

      const health = await json(`${server.url}/health`);
      expect(health.status).toBe(200);
      expect(health.body.status).toBe('healthy');
    } finally {
      expect(await server.stop()).toBe(0);
    }
    // A second start on the same directory keeps the same secret (tokens stay valid across restarts).
    const before = fs.readFileSync(path.join(dataDir, 'secret.key'), 'utf8');
    const again = await serve({ DATA_DIR: dataDir });
    await again.stop();
    expect(fs.readFileSync(path.join(dataDir, 'secret.key'), 'utf8')).toBe(before);
  });

  it('tightens a secret file that others can read', async () => {
    const dataDir = tmpDataDir();
    fs.writeFileSync(path.join(dataDir, 'secret.key'), `${'x'.repeat(64)}\n`, { mode: 0o644 });
    fs.chmodSync(path.join(dataDir, 'secret.key'), 0o644);
    const server = await serve({ DATA_DIR: dataDir });
    await server.stop();
    expect(fs.statSync(path.join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600);
  });
});

describe('start-up: the operator from TOLLGATE_OPERATOR_EMAIL and TOLLGATE_OPERATOR_KEY', () => {
  const KEY = 'op_' + 'scripted-setup-key-0123456789';

  it('exists after the first start with that key, and later starts leave it as it is', async () => {
    const dataDir = tmpDataDir();
    const email = uniqueEmail('ops');
    const env = { DATA_DIR: dataDir, TOLLGATE_OPERATOR_EMAIL: email, TOLLGATE_OPERATOR_KEY: KEY };

    const first = await serve(env);
    try {
      expect(first.lines.find((l) => l.operator === email)?.outcome).toBe('created');
      // With an operator configured, the log does not tell the user to create one.
      expect(String(first.lines.find((l) => /listening on/.test(String(l.msg)))!.msg)).not.toContain('create-operator');
      expect(JSON.stringify(first.lines)).not.toContain(KEY);
      expect((await registerDeveloper(first.url, KEY)).status).toBe(201);
      expect((await registerDeveloper(first.url, KEY.replace(/.$/, 'x'))).status).toBe(403);
    } finally {
      await first.stop();
    }

    const second = await serve(env);
    try {
      expect(second.lines.find((l) => l.operator === email)?.outcome).toBe('unchanged');
      expect((await registerDeveloper(second.url, KEY)).status).toBe(201);
    } finally {
      await second.stop();
    }

    // The first start's bootstrap is audited as the server's own work (system, no actor id); the unchanged second start wrote nothing.
    const db = new Database(path.join(dataDir, 'tollgate.sqlite'), { readonly: true });
    try {
      const operator = db.prepare('select id from users where email = ?').get(email) as { id: string };
      const rows = db
        .prepare(
          "select action, actor_type, actor_id, owner_id from audit_log where action like 'operator%' order by action",
        )
        .all();
      expect(rows).toEqual([
        { action: 'operator.created', actor_type: 'system', actor_id: null, owner_id: null },
        { action: 'operator_key.created', actor_type: 'system', actor_id: null, owner_id: null },
      ]);
      expect(db.prepare("select target_id from audit_log where action = 'operator.created'").get()).toEqual({
        target_id: operator.id,
      });
    } finally {
      db.close();
    }
  });

  it('without SMTP_URL, mail goes to the log: a verification code read there activates the account', async () => {
    const dataDir = tmpDataDir();
    const server = await serve({
      DATA_DIR: dataDir,
      TOLLGATE_OPERATOR_EMAIL: uniqueEmail('ops'),
      TOLLGATE_OPERATOR_KEY: KEY,
      REQUIRE_EMAIL_VERIFICATION: 'true',
    });
    try {
      const email = uniqueEmail('logged');
      const reg = await json(`${server.url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'x-operator-key': KEY },
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(reg.status).toBe(201);
      expect(reg.body.is_active).toBe(false);
      // The mail is logged when it is sent (after the answer, perhaps): wait for its line.
      const logged = await server.line((l) => {
        const mail = l.mail as { to: string; text: string } | undefined;
        return mail?.to === email ? mail : undefined;
      });
      expect(logged, 'the mail was written to the log').toBeDefined();
      const token = /Your verification code: (\S+)/.exec(logged!.text)![1]!;
      const verify = await json(`${server.url}/api/v1/auth/verify-email`, {
        method: 'POST',
        body: JSON.stringify({ user_id: reg.body.id, verification_token: token }),
      });
      expect(verify.status).toBe(200);
      const login = await json(`${server.url}/api/v1/auth/login`, {
        method: 'POST',
        body: JSON.stringify({ email, password: PASSWORD }),
      });
      expect(login.status).toBe(200);
    } finally {
      await server.stop();
    }
  });

  // One process per test (each start costs seconds on a busy machine; five in one test timed out).
  it.each<{ name: string; env: Record<string, string>; says: RegExp }>([
    {
      name: 'an operator email without a key',
      env: { TOLLGATE_OPERATOR_EMAIL: 'ops@example.com' },
      says: /TOLLGATE_OPERATOR_EMAIL and TOLLGATE_OPERATOR_KEY must be set together/,
    },
    { name: 'an operator key without an email', env: { TOLLGATE_OPERATOR_KEY: KEY }, says: /must be set together/ },
    {
      name: 'a short operator key',
      env: { TOLLGATE_OPERATOR_EMAIL: 'ops@example.com', TOLLGATE_OPERATOR_KEY: 'short' },
      says: /TOLLGATE_OPERATOR_KEY must be at least 24 characters/,
    },
    { name: 'a port that is not a number', env: { PORT: 'eighty' }, says: /PORT/ },
    {
      name: 'a short secret',
      env: { TOLLGATE_SECRET: 'too-short' },
      says: /TOLLGATE_SECRET must be at least 32 characters/,
    },
  ])(
    'refuses to start, with a clear message and no stack trace, when the settings cannot be honoured: $name',
    async (c) => {
      const run = await failToServe({ DATA_DIR: tmpDataDir(), ...c.env });
      expect(run.code, run.output).toBe(1);
      expect(run.output).toMatch(/tollgate: configuration error: /);
      expect(run.output).toMatch(c.says);
      expect(run.output).not.toMatch(/\n\s+at /);
    },
  );

  it('will not turn an existing developer into an operator, or take over a key another operator holds', async () => {
    const dataDir = tmpDataDir();
    const server = await serve({
      DATA_DIR: dataDir,
      TOLLGATE_OPERATOR_EMAIL: uniqueEmail('ops'),
      TOLLGATE_OPERATOR_KEY: KEY,
    });
    const developerEmail = uniqueEmail('dev');
    try {
      const reg = await json(`${server.url}/api/v1/auth/register`, {
        method: 'POST',
        headers: { 'x-operator-key': KEY },
        body: JSON.stringify({ email: developerEmail, password: PASSWORD }),
      });
      expect(reg.status).toBe(201);
    } finally {
      await server.stop();
    }

    const asDeveloper = await failToServe({
      DATA_DIR: dataDir,
      TOLLGATE_OPERATOR_EMAIL: developerEmail,
      TOLLGATE_OPERATOR_KEY: 'op_another-key-0123456789abcdef',
    });
    expect(asDeveloper.code).toBe(1);
    expect(asDeveloper.output).toMatch(/belongs to an account that is not an operator/);
    expect(asDeveloper.output).not.toMatch(/\n\s+at /);

    const stolenKey = await failToServe({
      DATA_DIR: dataDir,
      TOLLGATE_OPERATOR_EMAIL: uniqueEmail('ops2'),
      TOLLGATE_OPERATOR_KEY: KEY,
    });
    expect(stolenKey.code).toBe(1);
    expect(stolenKey.output).toMatch(/TOLLGATE_OPERATOR_KEY is already in use by another account/);
  });
});

describe('start-up in a terminal: `tollgate` with no command serves, and logs read as text', () => {
  it('serves without a command and writes readable lines (not JSON) when stdout is a terminal', async () => {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !/^(DATABASE_URL|REDIS_URL|TOLLGATE_|DATA_DIR|PORT|HOST|SMTP_|LOG_LEVEL|LOG_FORMAT)/.test(k),
      ),
    );
    // `script` runs the command on a pseudo-terminal: stdout is a TTY, as in a user's shell.
    const child = spawn('script', ['-qfec', [process.execPath, ...nodeArgs(MAIN)].join(' '), '/dev/null'], {
      env: { ...clean, HOST: '127.0.0.1', PORT: '0', DATA_DIR: tmpDataDir() },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    children.add(child);
    let output = '';
    try {
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout!.on('data', (d: Buffer) => {
          output += d.toString();
          // eslint-disable-next-line no-control-regex
          const m = /listening on (http:\/\/\S+) /.exec(output.replace(/\x1b\[[0-9;]*m/g, ''));
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited with ${code}: ${output}`)));
      });
      expect((await json(`${url}/health`)).status).toBe(200);
      // eslint-disable-next-line no-control-regex
      const lines = output
        .replace(/\x1b\[[0-9;]*m/g, '')
        .split(/\r?\n/)
        .filter((l) => l.trim());
      const listening = lines.find((l) => l.includes('Tollgate listening on'))!;
      expect(listening).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: Tollgate listening on http:\/\/127\.0\.0\.1:\d+ /);
      expect(lines.some((l) => l.trimStart().startsWith('{'))).toBe(false);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(-child.pid!, 'SIGTERM');
      await exited;
      children.delete(child);
    }
  });
});
