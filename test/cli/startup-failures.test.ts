import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureBuilt, tmpDir, tollgate, type Run, type RunOptions } from './built-cli.js';

beforeAll(ensureBuilt, 180_000);

/** The user `nobody`: the tests run as root, who may write anywhere. */
const NOBODY = 65534;

/** One line on stderr, naming what went wrong and what to do; no stack trace; exit code 1. */
function expectOneClearLine(run: Run, cause: RegExp, remedy: RegExp): void {
  const detail = JSON.stringify(run);
  expect(run.code, detail).toBe(1);
  expect(run.stderr, detail).toMatch(/^tollgate: [^\n]+\n$/);
  expect(run.stderr, detail).not.toMatch(/^\s+at /m);
  expect(run.stderr, detail).toMatch(cause);
  expect(run.stderr, detail).toMatch(remedy);
  expect(run.stdout, detail).toBe('');
}

const serve = (env: Record<string, string>, options?: RunOptions) =>
  tollgate(['serve'], { HOST: '127.0.0.1', PORT: '0', ...env }, options);

// Generous: each case is a Node process loading the app, several at once on a busy machine.
describe.concurrent('start-up failures: one clear line, exit code 1, no stack trace', { timeout: 120_000 }, () => {
  const busy = net.createServer();
  let busyPort = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as net.AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => busy.close(() => resolve())));

  it('PostgreSQL unreachable', async () => {
    const run = await serve({ DATA_DIR: tmpDir(), DATABASE_URL: 'postgres://postgres@127.0.0.1:1/tollgate' });
    expectOneClearLine(run, /cannot reach PostgreSQL at 127\.0\.0\.1:1 \(connection refused\)/, /DATABASE_URL/);
  });

  it('PostgreSQL without the database', async ({ skip }) => {
    if (!inject('postgres')) skip('PostgreSQL is not reachable');
    const run = await serve({
      DATA_DIR: tmpDir(),
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/tollgate_no_such_db',
    });
    expectOneClearLine(
      run,
      /PostgreSQL at 127\.0\.0\.1:5432 has no database "tollgate_no_such_db"/,
      /create it .*or .*DATABASE_URL/,
    );
  });

  it('PostgreSQL with a role that does not exist, and the password never printed', async ({ skip }) => {
    if (!inject('postgres')) skip('PostgreSQL is not reachable');
    const run = await serve({
      DATA_DIR: tmpDir(),
      DATABASE_URL: 'postgres://no_such_role:hunter2-secret@127.0.0.1:5432/test',
    });
    expectOneClearLine(run, /PostgreSQL at 127\.0\.0\.1:5432 refused the user "no_such_role"/, /DATABASE_URL/);
    expect(run.stderr).not.toContain('hunter2-secret');
  });

  it('port in use: found before any file is written (before the slow work)', async () => {
    const dataDir = path.join(tmpDir(), 'data');
    const run = await serve({ DATA_DIR: dataDir, PORT: String(busyPort) });
    expectOneClearLine(run, new RegExp(`port ${busyPort} on 127\\.0\\.0\\.1 is already in use`), /PORT/);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('DATA_DIR not writable, naming the path', async () => {
    const parent = tmpDir();
    const dataDir = path.join(parent, 'data');
    const asRoot = process.getuid?.() === 0;
    if (!asRoot) fs.chmodSync(parent, 0o500);
    const run = await serve({ DATA_DIR: dataDir }, asRoot ? { uid: NOBODY, gid: NOBODY } : {});
    expectOneClearLine(run, new RegExp(`DATA_DIR ${dataDir} .*permission denied`), /DATA_DIR|permissions/);
  });

  it('DATA_DIR under a file, naming the path', async () => {
    const file = path.join(tmpDir(), 'a-file');
    fs.writeFileSync(file, '');
    const run = await serve({ DATA_DIR: path.join(file, 'data') });
    expectOneClearLine(run, new RegExp(`DATA_DIR ${file}/data .*not a directory`), /set DATA_DIR/);
  });

  it('DATA_DIR holding a database it cannot open, naming the file', async () => {
    const dataDir = tmpDir();
    fs.writeFileSync(path.join(dataDir, 'tollgate.sqlite'), 'these bytes are not an SQLite database'.repeat(200));
    const run = await serve({ DATA_DIR: dataDir });
    expectOneClearLine(
      run,
      new RegExp(`cannot open the SQLite database ${dataDir}/tollgate\\.sqlite \\(file is not a database\\)`),
      /DATA_DIR|DATABASE_URL/,
    );
  });

  it('PORT=99999, refused before any file is created', async () => {
    const dataDir = path.join(tmpDir(), 'data');
    const run = await serve({ DATA_DIR: dataDir, PORT: '99999' });
    expectOneClearLine(run, /PORT must be an integer from 0 to 65535, got "99999"/, /PORT/);
    expect(fs.existsSync(dataDir)).toBe(false);
  });

  it('Redis unreachable names the refused connection, not "Connection is closed."', async () => {
    const run = await serve({ DATA_DIR: tmpDir(), REDIS_URL: 'redis://127.0.0.1:1' });
    expectOneClearLine(run, /cannot reach Redis at 127\.0\.0\.1:1 \(connection refused\)/, /REDIS_URL/);
  });

  it('LOG_LEVEL=verbose', async () => {
    const run = await serve({ DATA_DIR: tmpDir(), LOG_LEVEL: 'verbose' });
    expectOneClearLine(
      run,
      /LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "verbose"/,
      /LOG_LEVEL/,
    );
  });

  it('HOST=999.1.1.1', async () => {
    const run = await serve({ DATA_DIR: tmpDir(), HOST: '999.1.1.1' });
    expectOneClearLine(run, /HOST must be an IP address or a host name, got "999\.1\.1\.1"/, /HOST/);
  });

  it('HOST that is not an address of this machine', async () => {
    const run = await serve({ DATA_DIR: tmpDir(), HOST: '192.0.2.1' });
    expectOneClearLine(run, /HOST=192\.0\.2\.1 is not an address of this machine/, /0\.0\.0\.0/);
  });

  it('SMTP_URL=notaurl', async () => {
    const run = await serve({ DATA_DIR: tmpDir(), SMTP_URL: 'notaurl' });
    expectOneClearLine(run, /SMTP_URL must be a URL such as smtp:\/\/user:pass@mail\.example\.com:587/, /SMTP_URL/);
  });

  it('LOG_LEVEL=debug shows the stack trace as well', async () => {
    const run = await serve({ DATA_DIR: tmpDir(), LOG_LEVEL: 'debug', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^tollgate: cannot reach Redis at 127\.0\.0\.1:1/);
    expect(run.stderr).toMatch(/^\s+at /m);
  });
});
