import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  buildIfStale,
  drive,
  launch,
  median,
  type Run,
  type Sample,
  type Server,
  serverScript,
  spread,
  stop,
} from './load.js';

/**
 * `npm run bench:revision -- [rev] [licenses]`: the paid-install check of this tree against the
 * same check at another git revision (default 1a1a653, the last commit before the request path
 * of issue 8), both on SQLite with the same number of licenses, both servers up and driven in
 * turn (before, after, before, after …) so drift of a shared machine hits both alike. Reports
 * the median ratio of requests per second (after / before) and of server CPU per request
 * (before / after: above 1 means this tree spends less), with warm and with unknown keys.
 *
 * The other revision is checked out in a temporary git worktree beside this one (node_modules
 * hard-linked from this checkout) and removed at the end. A revision whose bench has
 * seed-db.ts is seeded with it; an older one seeds inside its tollgate-server.ts. Each side
 * runs its own bench launcher (compiled where the checkout has tollgate-server.mjs).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const REV = process.argv[2] ?? '1a1a653';
const LICENSES = Number(process.argv[3] ?? 100_000);
const PROJECTS = 1_000;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);

interface Side {
  server: Server;
  sample: Sample[];
  cleanup: () => Promise<void>;
}

/** Seeds and starts the Tollgate of the checkout at `dir`. */
async function startTollgate(dir: string): Promise<Side> {
  const bench = path.join(dir, 'bench');
  if (fs.existsSync(path.join(bench, 'seed-db.ts'))) {
    const seeded = await launch(
      path.join(bench, 'seed-db.ts'),
      ['sqlite', String(LICENSES), String(PROJECTS)],
      {},
      dir,
    );
    const started = await launch(
      serverScript(dir),
      [],
      { DATABASE_URL: seeded.ready.databaseUrl, DATA_DIR: seeded.ready.dataDir },
      dir,
    );
    return {
      server: { child: started.child, port: started.ready.port },
      sample: seeded.ready.sample,
      cleanup: async () => {
        await stop(started.child);
        fs.rmSync(seeded.ready.dataDir, { recursive: true, force: true });
      },
    };
  }
  const started = await launch(path.join(bench, 'tollgate-server.ts'), [String(LICENSES), String(PROJECTS)], {}, dir);
  return {
    server: { child: started.child, port: started.ready.port },
    sample: started.ready.sample,
    cleanup: () => stop(started.child),
  };
}

async function warmUp(side: Side): Promise<void> {
  await drive(side.server, 'warm', side.sample, 0, side.sample.length);
  await drive(side.server, 'warm', side.sample, 2);
  await drive(side.server, 'unknown', side.sample, 1);
}

const worktree = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-rev-'));
fs.rmSync(worktree, { recursive: true });
execFileSync('git', ['worktree', 'add', '--detach', worktree, REV], { cwd: root, stdio: 'ignore' });
execFileSync('cp', ['-al', path.join(root, 'node_modules'), path.join(worktree, 'node_modules')]);
const sides: Side[] = [];
buildIfStale(root);
if (fs.existsSync(path.join(worktree, 'bench', 'tollgate-server.mjs'))) buildIfStale(worktree);
try {
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: worktree, encoding: 'utf8' }).trim();
  const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  console.log(
    `bench:revision: ${head} (this tree) vs ${commit}, SQLite, ${LICENSES} licenses / ${PROJECTS} projects; ${ROUNDS} interleaved rounds of ${SECONDS} s`,
  );
  const before = await startTollgate(worktree);
  sides.push(before);
  const after = await startTollgate(root);
  sides.push(after);
  await warmUp(before);
  await warmUp(after);
  for (const keys of ['warm', 'unknown'] as const) {
    const runs: Array<{ b: Run; a: Run }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const b = await drive(before.server, keys, before.sample, SECONDS);
      const a = await drive(after.server, keys, after.sample, SECONDS);
      runs.push({ b, a });
    }
    const ratios = runs.map(({ a, b }) => a.rps / b.rps);
    const cpuRatios = runs.map(({ a, b }) => b.cpuUs / a.cpuUs);
    const m = (f: (r: { a: Run; b: Run }) => number) => median(runs.map(f));
    console.log(
      `has-paid ${head} vs ${commit} (sqlite, ${keys} keys): ratio=${median(ratios).toFixed(2)} [${spread(ratios)}] cpu_ratio=${median(cpuRatios).toFixed(2)} [${spread(cpuRatios)}] ` +
        `req_s=${Math.round(m((r) => r.a.rps))} (was ${Math.round(m((r) => r.b.rps))}) cpu_us=${m((r) => r.a.cpuUs).toFixed(1)} (was ${m((r) => r.b.cpuUs).toFixed(1)}) ` +
        `p99_ms=${m((r) => r.a.p99)} (was ${m((r) => r.b.p99)}) licenses=${LICENSES}`,
    );
  }
} finally {
  for (const side of sides) await side.cleanup();
  execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: root, stdio: 'ignore' });
}
