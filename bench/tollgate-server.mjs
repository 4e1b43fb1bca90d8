// A Tollgate serving the database bench/seed-db.ts made (DATABASE_URL, DATA_DIR from the
// environment), run as `npm start` runs it: the compiled dist/ (the bench builds it when
// stale), plain node, no TypeScript loader in the process whose CPU and memory are measured.
// Prints READY once its key filter is filled.
import pino from 'pino';
import { buildApp } from '../dist/src/app.js';
import { toConfig } from '../dist/src/config.js';
import { createContext } from '../dist/src/compose.js';
import { tuneHeap } from '../dist/src/lib/heap.js';

const config = toConfig({ ...process.env, LOG_LEVEL: 'silent', RATE_LIMIT: 'false' });
// As `serve` does (HEAP_GROWING_PERCENT).
tuneHeap(config);
const ctx = await createContext(config, { log: pino({ level: 'silent' }) });
const app = await buildApp(ctx);
ctx.workers.startServing();
await ctx.runtime.start();
await ctx.runtime.ready();
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`READY ${JSON.stringify({ port: app.server.address().port })}\n`);

process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    await ctx.close();
    process.exit(0);
  })();
});
