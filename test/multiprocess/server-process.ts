import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApp } from '../../src/app.js';
import { readEnv, toConfig } from '../../src/config.js';
import { createContext } from '../../src/compose.js';

/** One more Tollgate process on a shared database (DATABASE_URL, optional REDIS_URL from the environment). */
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-proc-'));
const config = toConfig({ ...readEnv(), DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
const ctx = await createContext(config, { log: pino({ level: 'silent' }) });
const app = await buildApp(ctx);
ctx.workers.startServing();
await app.listen({ port: 0, host: '127.0.0.1' });
process.stdout.write(`READY ${(app.server.address() as AddressInfo).port}\n`);
process.on('SIGTERM', () => {
  void (async () => {
    await app.close();
    await ctx.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  })();
});
