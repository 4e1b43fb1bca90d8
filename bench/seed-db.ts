import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pino from 'pino';
import { toConfig } from '../src/config.js';
import { createContext } from '../src/compose.js';
import { seedBench } from './seed.js';

/**
 * A database seeded for the bench, in its own process (the server's peak memory then is the
 * server's own): `seed-db.ts <sqlite|postgres> <licenses> <projects>`. Prints READY with the
 * DATABASE_URL, the data directory, the seeding time and a sample of keys.
 */
const [kind = 'sqlite', licensesArg = '1000', projectsArg = '1000'] = process.argv.slice(2);
const licenses = Number(licensesArg);
const projects = Number(projectsArg);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-bench-'));
let databaseUrl = `sqlite:${path.join(dataDir, 'bench.sqlite')}`;
if (kind === 'postgres') {
  const admin = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `tollgate_bench_${process.pid}_${Date.now()}`;
  const client = new pg.Client({ connectionString: admin });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const url = new URL(admin);
  url.pathname = `/${name}`;
  databaseUrl = url.toString();
}
const ctx = await createContext(toConfig({ DATA_DIR: dataDir, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' }), {
  log: pino({ level: 'silent' }),
});
const started = Date.now();
const { sample } = await seedBench(ctx, licenses, projects, 5_000);
const seedMs = Date.now() - started;
await ctx.close();
process.stdout.write(`READY ${JSON.stringify({ databaseUrl, dataDir, seedMs, sample })}\n`);
