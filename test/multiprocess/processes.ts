import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { nodeArgs } from '../support/node-args.js';
import { REDIS_URL } from '../support/services.js';

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/**
 * One more Tollgate as a real OS process (server-process.ts) on a shared database, with
 * Redis or explicitly without, and any further environment (a shared TOLLGATE_SECRET, say).
 */
export function spawnServer(
  databaseUrl: string,
  opts: { redis?: boolean; env?: Record<string, string> } = {},
): Promise<ServerProcess> {
  const child = spawn(process.execPath, nodeArgs(new URL('./server-process.ts', import.meta.url).pathname), {
    env: { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: opts.redis ? REDIS_URL : '', ...opts.env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.removeAllListeners('exit');
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('READY ')) resolve({ child, url: `http://127.0.0.1:${line.slice(6)}`, stop });
    });
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
}
