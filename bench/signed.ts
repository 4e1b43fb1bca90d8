import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import {
  buildIfStale,
  CONNECTIONS,
  cpuUs,
  launch,
  median,
  type Sample,
  type Server,
  serverScript,
  spread,
  stop,
} from './load.js';

/**
 * `npm run bench:signed`: the server CPU of a signed has-paid answer (Accept-Signature: RFC
 * 9421 signature, Content-Digest, through the router) beside the unsigned one (the fast
 * lane), the same warm keys on one SQLite server, driven in turn (unsigned, signed …) so that
 * drift of a shared machine hits both. BENCH_SECONDS (3), BENCH_ROUNDS (5), BENCH_LICENSES (1000).
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const LICENSES = Number(process.env.BENCH_LICENSES ?? 1000);

/** Warm has-paid checks for SECONDS; signed ones ask with a fresh nonce each. Server CPU µs per answer. */
async function run(server: Server, sample: Sample[], signed: boolean): Promise<number> {
  let i = 0;
  const before = cpuUs(server.child.pid!);
  const result = await autocannon({
    url: `http://127.0.0.1:${server.port}`,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path: '/api/v1/project/has-paid',
        setupRequest: (req) => {
          const s = sample[i++ % sample.length]!;
          const ask = signed
            ? {
                'accept-signature': `sig1=("@status" "content-digest");nonce="${randomBytes(12).toString('base64url')}"`,
              }
            : {};
          return {
            ...req,
            headers: {
              'content-type': 'application/json',
              accept: 'application/json',
              'x-license-key': s.key,
              'x-devpayr-domain': s.domain,
              ...ask,
            },
            body: '{}',
          };
        },
      },
    ],
  });
  if (result.non2xx || result.errors)
    throw new Error(`${result.non2xx} unexpected answers and ${result.errors} errors`);
  return (cpuUs(server.child.pid!) - before) / Math.max(1, result['2xx']);
}

buildIfStale(root);
const seeded = await launch(path.join(here, 'seed-db.ts'), [
  'sqlite',
  String(LICENSES),
  String(Math.min(1000, LICENSES)),
]);
const started = await launch(serverScript(root), [], {
  DATABASE_URL: seeded.ready.databaseUrl,
  DATA_DIR: seeded.ready.dataDir,
});
const server: Server = { child: started.child, port: started.ready.port };
const sample: Sample[] = seeded.ready.sample;
try {
  await run(server, sample, false);
  await run(server, sample, true);
  const unsigned: number[] = [];
  const signed: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    unsigned.push(await run(server, sample, false));
    signed.push(await run(server, sample, true));
  }
  const ratios = signed.map((s, k) => s / unsigned[k]!);
  console.log(
    `has-paid, SQLite, ${LICENSES} licenses, warm keys, ${ROUNDS} rounds of ${SECONDS} s, server CPU per answer:`,
  );
  console.log(`  unsigned ${median(unsigned).toFixed(1)} µs [${spread(unsigned)}]`);
  console.log(`  signed   ${median(signed).toFixed(1)} µs [${spread(signed)}]`);
  console.log(`  signed / unsigned ${median(ratios).toFixed(2)} [${spread(ratios)}]`);
} finally {
  await stop(server.child);
  fs.rmSync(seeded.ready.dataDir, { recursive: true, force: true });
}
