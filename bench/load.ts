import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import autocannon from 'autocannon';
import pg from 'pg';

/** The pieces every has-paid bench shares: child servers, the load run, CPU and memory readings, medians. */

export interface Sample {
  key: string;
  domain: string;
}
export interface Run {
  rps: number;
  p99: number;
  /** Server CPU microseconds per answered request. */
  cpuUs: number;
}
export interface Server {
  child: ChildProcess;
  port: number;
}

export const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const CLK_TCK = 100;

/**
 * Runs a script (TypeScript under tsx; plain `.mjs` under node alone) from `cwd`, this
 * checkout by default, and waits for its `READY {json}` line.
 */
export function launch(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  cwd?: string,
): Promise<{ child: ChildProcess; ready: any }> {
  const loader = script.endsWith('.mjs') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, script, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...env },
    ...(cwd ? { cwd } : {}),
  });
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) resolve({ child, ready: JSON.parse(line.slice(6)) });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
}

export function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** user + sys CPU of a process in microseconds (/proc/<pid>/stat, fields 14 and 15). */
export function cpuUs(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
}

export function peakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/**
 * `seconds` of POST /api/v1/project/has-paid load, or with `amount`, that many requests (a
 * pass over every sample key). Warm keys cycle through the sample and must all be answered
 * 2xx; unknown keys are fresh random ones and must all be refused — unless `bare`: the bare
 * server gets exactly the requests the Tollgate run beside it gets, and answers each 200.
 */
export async function drive(
  server: Server,
  keys: 'warm' | 'unknown' | 'none',
  sample: Sample[],
  seconds: number,
  amount?: number,
  bare = false,
): Promise<Run> {
  let i = 0;
  const before = cpuUs(server.child.pid!);
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections: CONNECTIONS,
    ...(amount !== undefined ? { amount } : { duration: seconds }),
    requests: [
      {
        method: 'POST',
        path: '/api/v1/project/has-paid',
        setupRequest: (req) => {
          const s =
            keys === 'warm'
              ? sample[i++ % sample.length]!
              : keys === 'unknown'
                ? { key: randomUUID(), domain: 'p1.example.com' }
                : null;
          return {
            ...req,
            headers: {
              'content-type': 'application/json',
              accept: 'application/json',
              ...(s ? { 'x-license-key': s.key, 'x-devpayr-domain': s.domain } : {}),
            },
            body: '{}',
          };
        },
      },
    ],
  });
  const cpu = cpuUs(server.child.pid!) - before;
  const answered = result['2xx'] + result.non2xx;
  const wrong = keys === 'unknown' && !bare ? result['2xx'] : result.non2xx;
  if (wrong || result.errors)
    throw new Error(`load run saw ${wrong} unexpected answers (${keys} keys) and ${result.errors} errors`);
  return { rps: result.requests.average, p99: result.latency.p99, cpuUs: cpu / Math.max(1, answered) };
}

export const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
export const spread = (xs: number[]) => `${Math.min(...xs).toFixed(2)}–${Math.max(...xs).toFixed(2)}`;

/** Builds dist/ of the checkout at `root` when a source changed since its last build (what `npm start` does). */
export function buildIfStale(root: string): void {
  execFileSync(process.execPath, [path.join(root, 'bin', 'build.js'), '--if-stale'], { cwd: root, stdio: 'inherit' });
}

/** The launcher of a checkout's bench server: the compiled one where the checkout has it, else its tsx one. */
export function serverScript(root: string): string {
  const built = path.join(root, 'bench', 'tollgate-server.mjs');
  return fs.existsSync(built) ? built : path.join(root, 'bench', 'tollgate-server.ts');
}

/** Drops the bench's PostgreSQL database (seed-db.ts made it) from the server's `postgres` database. */
export async function dropPostgres(url: string): Promise<void> {
  const name = new URL(url).pathname.slice(1);
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  await client.query(`drop database if exists ${name} with (force)`);
  await client.end();
}
