import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApp } from '../src/app.js';
import { toConfig } from '../src/config.js';
import { createContext } from '../src/context.js';
import { startWorkers } from '../src/workers.js';

/** A Tollgate serving the database bench/seed-db.ts made (DATABASE_URL, DATA_DIR from the environment); prints READY once its key filter is filled. */
const config = toConfig({ ...process.env, LOG_LEVEL: 'silent', RATE_LIMIT: 'false' });
const ctx = await createContext(config, { log: pino({ level: 'silent' }) });
const app = await buildApp(ctx);
startWorkers(ctx);
await ctx.runtime.start();
await ctx.runtime.ready();
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`READY ${JSON.stringify({ port: (app.server.address() as AddressInfo).port })}\n`);

process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    await ctx.close();
    process.exit(0);
  })();
});
