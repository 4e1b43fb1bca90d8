import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

/**
 * `npm run bench`: the paid-install check against a bare node:http server on the same
 * machine, same load generator, same connections. Servers run as child processes so the
 * load generator does not share their event loop. Ends with the one summary line.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 50);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP = 2;

interface Ready {
  port: number;
  seedMs?: number;
  sample?: Array<{ key: string; domain: string }>;
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  errors: number;
}

function start(script: string, args: string[] = []): Promise<{ child: ChildProcess; ready: Ready }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.on('line', (line) => {
      if (line.startsWith('READY ')) resolve({ child, ready: JSON.parse(line.slice(6)) as Ready });
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

async function drive(port: number, sample: Ready['sample'], seconds: number): Promise<Figures> {
  const url = `http://127.0.0.1:${port}`;
  let i = 0;
  const result = await autocannon({
    url,
    connections: CONNECTIONS,
    duration: seconds,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/project/has-paid',
        setupRequest: (req) => {
          // Keys in turn across the whole sample: most checks miss the short-lived cache.
          const s = sample?.length ? sample[i++ % sample.length]! : null;
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
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, non2xx: result.non2xx, errors: result.errors };
}

async function measure(label: string, script: string, args: string[] = []): Promise<Figures> {
  const { child, ready } = await start(script, args);
  try {
    if (ready.seedMs !== undefined) console.log(`${label}: seeded in ${(ready.seedMs / 1000).toFixed(1)} s`);
    // Statistics of a minute are written during the next one: measuring from just after a
    // minute boundary puts that steady-state write load inside the window.
    const warmup = ready.seedMs === undefined ? WARMUP : Math.max(WARMUP, Math.ceil(60 - ((Date.now() / 1000) % 60)) + 1);
    await drive(ready.port, ready.sample, warmup);
    const f = await drive(ready.port, ready.sample, DURATION);
    console.log(
      `${label}: ${Math.round(f.rps)} req/s  p50=${f.p50} ms  p99=${f.p99} ms` + (f.non2xx || f.errors ? `  non-2xx=${f.non2xx} errors=${f.errors}` : ''),
    );
    if (f.non2xx || f.errors) throw new Error(`${label}: the load run saw failed requests`);
    return f;
  } finally {
    await stop(child);
  }
}

console.log(
  `bench: ${CONNECTIONS} connections, ${DURATION} s per run after a warm-up of ${WARMUP} s (has-paid: until just past the next minute), loopback, SQLite`,
);
const bare = await measure('bare node:http', 'bare-server.ts');
const summaries: string[] = [];
for (const licenses of [1_000, 100_000]) {
  const f = await measure(`has-paid, ${licenses} licenses / 1000 projects`, 'tollgate-server.ts', [String(licenses), '1000']);
  const ratio = f.rps / bare.rps;
  console.log(`  ratio vs bare: ${ratio.toFixed(2)}  (goal >= 0.5, p99 < 20 ms)`);
  summaries.push(`has-paid vs bare: ratio=${ratio.toFixed(2)} p99_ms=${f.p99} licenses=${licenses}`);
}
console.log(summaries[0]);
console.log(summaries[1]);
