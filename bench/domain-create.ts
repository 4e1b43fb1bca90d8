import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { toConfig } from '../src/config.js';
import { createContext } from '../src/compose.js';
import { createScratchDatabase } from '../test/support/services.js';
import { seedDeveloper } from '../test/support/seed.js';

/**
 * Domain creation under concurrency, the case a hostile run found slow (p99 2.3 s against
 * 0.2 s for other writes): two Tollgate processes on one PostgreSQL database, CONNECTIONS
 * clients spread over both, each creating domains back to back. The license create of the
 * same project is the comparable write. Prints one line per scenario with exact percentiles.
 *
 *   node --import tsx bench/domain-create.ts
 *   (BENCH_CONNECTIONS=50, BENCH_SECONDS=5, TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test)
 */
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
/** One secret for both processes and the seeding context: a token from one is valid on the other. */
const SECRET = 'domain-create-bench-secret-0123456789abcdef';
const SERVER = fileURLToPath(new URL('../test/multiprocess/server-process.ts', import.meta.url));

function spawnServer(databaseUrl: string): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: '',
      RATE_LIMIT: 'false',
      LOG_LEVEL: 'silent',
      TOLLGATE_SECRET: SECRET,
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) resolve({ child, url: `http://127.0.0.1:${line.slice(6)}` });
    });
    child.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

const stop = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

interface Scenario {
  name: string;
  /** The i-th request of client c against server url. */
  request: (url: string, c: number, i: number) => { url: string; headers: Record<string, string>; body: unknown };
}

/**
 * Samples PostgreSQL every 20 ms for backends of this database waiting on a lock: the
 * figure that says "serialised" whatever the machine's load does to the latencies.
 */
function lockWaitSampler(databaseUrl: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  let samples = 0;
  let waiting = 0;
  let peak = 0;
  let running = true;
  const loop = (async () => {
    await client.connect();
    while (running) {
      const r = await client.query(
        "select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'",
      );
      const n = r.rows[0].n as number;
      samples++;
      waiting += n;
      peak = Math.max(peak, n);
      await new Promise((res) => setTimeout(res, 20));
    }
    await client.end();
  })();
  return async () => {
    running = false;
    await loop;
    return { mean: samples ? waiting / samples : 0, peak };
  };
}

async function run(servers: string[], scenario: Scenario, databaseUrl: string): Promise<void> {
  const sampler = lockWaitSampler(databaseUrl);
  const latencies: number[] = [];
  const statuses = new Map<number, number>();
  const until = performance.now() + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONNECTIONS }, async (_, c) => {
      for (let i = 0; performance.now() < until; i++) {
        const r = scenario.request(servers[c % servers.length]!, c, i);
        const t0 = performance.now();
        const res = await fetch(r.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...r.headers },
          body: JSON.stringify(r.body),
        });
        await res.arrayBuffer();
        latencies.push(performance.now() - t0);
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      }
    }),
  );
  const locks = await sampler();
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!.toFixed(0);
  const codes = [...statuses].map(([s, n]) => `${s}×${n}`).join(' ');
  console.log(
    `${scenario.name.padEnd(44)} ${String(Math.round(latencies.length / SECONDS)).padStart(5)} req/s  p50 ${pct(50).padStart(5)} ms  p99 ${pct(99).padStart(5)} ms  max ${latencies.at(-1)!.toFixed(0).padStart(5)} ms  waiting on a lock: mean ${locks.mean.toFixed(1).padStart(4)} peak ${String(locks.peak).padStart(2)}  [${codes}]`,
  );
}

const scratch = await createScratchDatabase();
const children: ChildProcess[] = [];
try {
  const ctx = await createContext(
    toConfig({
      DATABASE_URL: scratch.url,
      LOG_LEVEL: 'silent',
      PASSWORD_HASH_MEMORY_KIB: '1024',
      TOLLGATE_SECRET: SECRET,
    }),
    {
      log: pino({ level: 'silent' }),
    },
  );
  const dev = await seedDeveloper(ctx, { tier: 'cloud_premium' });
  await ctx.close();
  const servers: string[] = [];
  for (let i = 0; i < 2; i++) {
    const s = await spawnServer(scratch.url);
    children.push(s.child);
    servers.push(s.url);
  }
  const projects: string[] = [];
  for (let i = 0; i < 10; i++) {
    const res = await fetch(`${servers[0]}/api/v1/project`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...dev.apiKeyHeaders },
      body: JSON.stringify({ name: `Bench ${i}` }),
    });
    if (res.status !== 201) throw new Error(`project create: ${res.status} ${await res.text()}`);
    projects.push(((await res.json()) as { data: { id: string } }).data.id);
  }
  const devpayrDomain =
    (project: (c: number) => string, tag: string): Scenario['request'] =>
    (url, c, i) => ({
      url: `${url}/api/v1/project/${project(c)}/domains`,
      headers: dev.apiKeyHeaders,
      body: { domain: `${tag}-${c}-${i}.example.com` },
    });
  console.log(`${CONNECTIONS} clients over 2 processes on PostgreSQL, ${SECONDS} s each`);
  await run(
    servers,
    {
      name: 'devpayr POST license (one project)',
      request: (url, c, i) => ({
        url: `${url}/api/v1/project/${projects[0]}/licenses`,
        headers: dev.apiKeyHeaders,
        body: { title: `L-${c}-${i}` },
      }),
    },
    scratch.url,
  );
  await run(
    servers,
    { name: 'devpayr POST domain (one project)', request: devpayrDomain(() => projects[1]!, 'one') },
    scratch.url,
  );
  await run(
    servers,
    { name: 'devpayr POST domain (10 projects, one owner)', request: devpayrDomain((c) => projects[c % 10]!, 'ten') },
    scratch.url,
  );
  await run(
    servers,
    {
      name: 'devkit POST domain (one project)',
      request: (url, c, i) => ({
        url: `${url}/api/v1/projects/${projects[2]}/domains`,
        headers: dev.headers,
        body: { domain: `kit-${c}-${i}.example.com` },
      }),
    },
    scratch.url,
  );
  await run(
    servers,
    {
      name: 'devpayr POST domain, is_primary (one project)',
      request: (url, c, i) => ({
        url: `${url}/api/v1/project/${projects[3]}/domains`,
        headers: dev.apiKeyHeaders,
        body: { domain: `prim-${c}-${i}.example.com`, is_primary: true },
      }),
    },
    scratch.url,
  );
} finally {
  for (const c of children) await stop(c);
  await scratch.drop();
}
