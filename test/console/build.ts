import fs from 'node:fs';
import path from 'node:path';
import { build } from 'vite';

const ROOT = path.resolve(import.meta.dirname, '../..');
const OUT = path.join(ROOT, 'dist/console/index.html');
const LOCK = path.join(ROOT, 'dist/.console-build.lock');

function newest(p: string): number {
  const st = fs.statSync(p);
  if (!st.isDirectory()) return st.mtimeMs;
  return Math.max(st.mtimeMs, ...fs.readdirSync(p).map((f) => newest(path.join(p, f))));
}

const stale = () =>
  !fs.existsSync(OUT) ||
  fs.statSync(OUT).mtimeMs < Math.max(newest(path.join(ROOT, 'console')), newest(path.join(ROOT, 'package.json')));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Makes sure dist/console is built from the current sources, as `npm run build` builds it, so
 * browser tests never run against a stale bundle. Test files run in parallel workers: one
 * builds under a lock file while the others wait for it.
 */
export async function buildConsole(): Promise<void> {
  fs.mkdirSync(path.dirname(LOCK), { recursive: true });
  for (;;) {
    if (!stale()) return;
    let fd: number | null = null;
    try {
      fd = fs.openSync(LOCK, 'wx');
    } catch {
      // Someone else is building (or a crashed run left the lock: give it two minutes).
      const held = fs.statSync(LOCK, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) fs.rmSync(LOCK, { force: true });
      await sleep(500);
      continue;
    }
    try {
      if (stale()) await build({ configFile: path.join(ROOT, 'console/vite.config.ts'), logLevel: 'error' });
    } finally {
      fs.closeSync(fd);
      fs.rmSync(LOCK, { force: true });
    }
  }
}
