import { execFile, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';

const ROOT = path.resolve(import.meta.dirname, '../..');
/** The command as installed: bin/tollgate.js, which runs the built dist/src/main.js. */
export const TOLLGATE = path.join(ROOT, 'bin', 'tollgate.js');
const LOCK = path.join(ROOT, 'dist', '.cli-build.lock');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Builds dist/ when a source changed since the last build (`bin/build.js --if-stale`, what
 * `npm start` runs), so these tests never run an old build. Test files run in parallel
 * workers: one builds under a lock file while the others wait for it.
 */
export async function ensureBuilt(): Promise<void> {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    let fd: number;
    try {
      fd = fs.openSync(LOCK, 'wx');
    } catch {
      const held = fs.statSync(LOCK, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 180_000) fs.rmSync(LOCK, { force: true });
      await new Promise((r) => setTimeout(r, 500));
      continue;
    }
    try {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'build.js'), '--if-stale'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`build failed: ${r.stdout}${r.stderr}`);
      return;
    } finally {
      fs.closeSync(fd);
      fs.rmSync(LOCK, { force: true });
    }
  }
}

/** The environment of a user's shell: ours without any Tollgate setting. */
export function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) =>
        !/^(DATABASE_URL|REDIS_URL|TOLLGATE_|DATA_DIR|PORT|HOST|SMTP_|LOG_LEVEL|LOG_FORMAT|PUBLIC_URL|S3_)/.test(k),
    ),
  );
}

export interface RunOptions {
  cwd?: string;
  /** Run as this user and group (the tests run as root, who may write anywhere). */
  uid?: number;
  gid?: number;
}

/** Runs `tollgate <args>` with only `env` on top of a clean environment. */
export function tollgate(args: string[], env: Record<string, string> = {}, options: RunOptions = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [TOLLGATE, ...args],
      {
        env: { ...cleanEnv(), LOG_FORMAT: 'json', ...env },
        cwd: options.cwd ?? os.tmpdir(),
        uid: options.uid,
        gid: options.gid,
        timeout: 60_000,
      },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export const tmpDir = (prefix = 'tollgate-cli-') => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

export interface Serving {
  url: string;
  /** The log entry that says where the server listens. */
  listening: Record<string, unknown>;
  stop(): Promise<number | null>;
}

/** Runs `tollgate serve` on a free loopback port and resolves once its log says where it listens. */
export function startServe(env: Record<string, string>): Promise<Serving> {
  const child = spawn(process.execPath, [TOLLGATE, 'serve'], {
    env: { ...cleanEnv(), LOG_FORMAT: 'json', HOST: '127.0.0.1', PORT: '0', ...env },
    cwd: os.tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) return resolve(child.exitCode);
      child.removeAllListeners('exit');
      child.once('exit', (code) => resolve(code));
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => reject(new Error(`tollgate serve exited with ${code} before listening: ${stderr}`)));
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        return;
      }
      const m = /listening on (http:\/\/\S+) /.exec(String(entry.msg ?? ''));
      if (m) resolve({ url: m[1]!, listening: entry, stop });
    });
  });
}
