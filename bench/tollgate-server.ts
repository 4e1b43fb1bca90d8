import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { toConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { startWorkers } from '../src/workers.js';
import { seedBench } from './seed.js';

/** A Tollgate on SQLite in a fresh data directory, seeded for the bench; prints READY and a key sample. */
const licenses = Number(process.argv[2] ?? 100_000);
const projects = Number(process.argv[3] ?? 1_000);
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-bench-'));
const config = toConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', RATE_LIMIT: 'false' });
const ctx = await createContext(config, { log: pino({ level: 'silent' }) });
const started = Date.now();
const { sample } = await seedBench(ctx, licenses, projects, 5_000);
const seedMs = Date.now() - started;
const app = await buildApp(ctx);
startWorkers(ctx);
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`READY ${JSON.stringify({ port: (app.server.address() as AddressInfo).port, seedMs, sample })}\n`);

process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    await ctx.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
