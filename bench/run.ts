import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildIfStale,
  CONNECTIONS,
  drive,
  dropPostgres,
  launch,
  median,
  peakRssMb,
  type Run,
  type Sample,
  type Server,
  serverScript,
  spread,
  stop,
} from './load.js';

/**
 * `npm run bench`: the paid-install check against a bare node:http server answering the same
 * JSON to the same requests (the bare run beside a warm-key run gets the same license and
 * domain headers, the one beside an unknown-key run random keys). Both servers stay up and are driven in turn (bare, Tollgate, bare, Tollgate …) for
 * several rounds, so drift of a shared machine hits both alike; each round's Tollgate figure
 * is divided by the bare figure of the run just before it, and the median of those ratios is
 * reported. Beside requests per second (which the load generator, on the same cores,
 * distorts), the server's own CPU time per request (user + sys from /proc, over the requests
 * it answered) is the figure that says what a check costs.
 *
 * Scenarios: SQLite and PostgreSQL, 1,000 and 1,000,000 licenses, and SQLite at 100,000
 * between them; warm keys (a sample of 5,000 real keys, cached after the warm-up) and
 * unknown keys (a fresh random key per request). BENCH_QUICK=1 runs 100,000 instead of
 * 1,000,000 licenses, PostgreSQL only at 1,000, and shorter rounds. BENCH_ONLY=sqlite:1000 runs only the scenarios it names. The last
 * line is the headline: SQLite, warm keys, most licenses.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const QUICK = process.env.BENCH_QUICK === '1';
const SECONDS = Number(process.env.BENCH_SECONDS ?? (QUICK ? 2 : 3));
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? (QUICK ? 3 : 5));
const WARMUP = 2;
// The warm-up also passes once over every sample key before any measured run.
const MID = 100_000;
const BIG = QUICK ? MID : 1_000_000;
const PROJECTS = 1_000;

interface Result {
  db: string;
  licenses: number;
  keys: 'warm' | 'unknown';
  ratio: number;
  cpuRatio: number;
  p99: number;
  bareP99: number;
  cpuUs: number;
  bareCpuUs: number;
}

/** Rounds of bare, Tollgate-warm, bare, Tollgate-unknown; each Tollgate run against the bare run just before it. */
async function compare(
  bare: Server,
  tollgate: Server,
  sample: Sample[],
  db: string,
  licenses: number,
): Promise<Result[]> {
  await drive(bare, 'warm', sample, WARMUP, undefined, true);
  // Every sample key once (so all are cached however slow the machine is), then the timed warm-up.
  await drive(tollgate, 'warm', sample, 0, sample.length);
  await drive(tollgate, 'warm', sample, WARMUP);
  await drive(tollgate, 'unknown', sample, 1);
  const runs: Record<'warm' | 'unknown', Array<{ t: Run; b: Run }>> = { warm: [], unknown: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const keys of ['warm', 'unknown'] as const) {
      // The same requests, headers and all, so the ratio is what Tollgate adds to node:http for them.
      const b = await drive(bare, keys, sample, SECONDS, undefined, true);
      const t = await drive(tollgate, keys, sample, SECONDS);
      runs[keys].push({ t, b });
    }
  }
  return (['warm', 'unknown'] as const).map((keys) => {
    const rs = runs[keys];
    const ratios = rs.map(({ t, b }) => t.rps / b.rps);
    const cpuRatios = rs.map(({ t, b }) => b.cpuUs / t.cpuUs);
    const res: Result = {
      db,
      licenses,
      keys,
      ratio: median(ratios),
      cpuRatio: median(cpuRatios),
      p99: median(rs.map((x) => x.t.p99)),
      bareP99: median(rs.map((x) => x.b.p99)),
      cpuUs: median(rs.map((x) => x.t.cpuUs)),
      bareCpuUs: median(rs.map((x) => x.b.cpuUs)),
    };
    console.log(
      `  ${db} ${licenses} licenses, ${keys} keys: ${Math.round(median(rs.map((x) => x.t.rps)))} req/s (bare ${Math.round(median(rs.map((x) => x.b.rps)))}), ` +
        `cpu ${res.cpuUs.toFixed(1)} µs/req (bare ${res.bareCpuUs.toFixed(1)}), p99 ${res.p99} ms (bare ${res.bareP99}); ` +
        `ratio ${res.ratio.toFixed(2)} [${spread(ratios)}], cpu_ratio ${res.cpuRatio.toFixed(2)} [${spread(cpuRatios)}]`,
    );
    return res;
  });
}

const allScenarios: Array<{ db: 'sqlite' | 'postgres'; licenses: number }> = [
  { db: 'sqlite', licenses: 1_000 },
  { db: 'postgres', licenses: 1_000 },
  ...(QUICK
    ? []
    : [
        { db: 'sqlite' as const, licenses: MID },
        { db: 'postgres' as const, licenses: BIG },
      ]),
  { db: 'sqlite', licenses: BIG },
];
// BENCH_ONLY=sqlite:1000 (comma-separated db:licenses) runs only those scenarios, for work on one of them.
const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
const scenarios = only ? allScenarios.filter((s) => only.includes(`${s.db}:${s.licenses}`)) : allScenarios;
if (scenarios.length === 0)
  throw new Error(`BENCH_ONLY=${process.env.BENCH_ONLY} names no scenario (db:licenses, e.g. sqlite:1000)`);

console.log(
  `bench: ${CONNECTIONS} connections, loopback; ${ROUNDS} interleaved rounds of ${SECONDS} s per scenario after a ${WARMUP} s warm-up${QUICK ? ' (quick)' : ''}`,
);
buildIfStale(root);
const bareStarted = await launch(path.join(here, 'bare-server.ts'), []);
const bare: Server = { child: bareStarted.child, port: bareStarted.ready.port };
const results: Result[] = [];
const rss: string[] = [];
try {
  for (const s of scenarios) {
    const seeded = await launch(path.join(here, 'seed-db.ts'), [s.db, String(s.licenses), String(PROJECTS)]);
    console.log(
      `${s.db}, ${s.licenses} licenses / ${PROJECTS} projects: seeded in ${(seeded.ready.seedMs / 1000).toFixed(1)} s`,
    );
    const started = await launch(serverScript(root), [], {
      DATABASE_URL: seeded.ready.databaseUrl,
      DATA_DIR: seeded.ready.dataDir,
    });
    const tollgate: Server = { child: started.child, port: started.ready.port };
    try {
      results.push(...(await compare(bare, tollgate, seeded.ready.sample, s.db, s.licenses)));
      const peak = peakRssMb(tollgate.child.pid!);
      rss.push(`${s.db} ${s.licenses}: ${peak.toFixed(0)} MB`);
      console.log(`  peak RSS of the server: ${peak.toFixed(0)} MB`);
    } finally {
      await stop(tollgate.child);
      if (s.db === 'postgres') await dropPostgres(seeded.ready.databaseUrl);
      fs.rmSync(seeded.ready.dataDir, { recursive: true, force: true });
    }
  }
} finally {
  await stop(bare.child);
}

const small = (db: string, keys: string) => results.find((r) => r.db === db && r.keys === keys && r.licenses === 1_000);
console.log('');
console.log(`peak server RSS: ${rss.join(', ')}`);
for (const r of results) {
  const base = r.licenses === 1_000 ? undefined : small(r.db, r.keys);
  const flat = base ? ` vs_1k=${(r.cpuUs / base.cpuUs).toFixed(2)}` : '';
  console.log(
    `has-paid vs bare (${r.db}, ${r.keys} keys): ratio=${r.ratio.toFixed(2)} cpu_ratio=${r.cpuRatio.toFixed(2)} p99_ms=${r.p99} bare_p99_ms=${r.bareP99}${flat} licenses=${r.licenses}`,
  );
}
const headline = results.find((r) => r.db === 'sqlite' && r.keys === 'warm' && r.licenses === BIG);
if (headline)
  console.log(
    `has-paid vs bare: ratio=${headline.ratio.toFixed(2)} cpu_ratio=${headline.cpuRatio.toFixed(2)} p99_ms=${headline.p99} licenses=${headline.licenses}`,
  );
