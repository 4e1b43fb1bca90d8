import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * Tollgate's version, from its package.json: the nearest one above this file, which is the
 * same from src/ (tsx) and from dist/src/ (the build).
 */
export function packageVersion(): string {
  if (cached) return cached;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = path.join(dir, 'package.json');
    if (fs.existsSync(file)) {
      const pkg = JSON.parse(fs.readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'tollgate' && pkg.version) return (cached = pkg.version);
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`package.json of tollgate not found above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}
