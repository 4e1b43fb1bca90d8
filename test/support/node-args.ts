import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/**
 * `node` arguments that run a TypeScript file of this repository (src/main.ts, a test helper)
 * in a child process: its JavaScript as global-setup compiled it (child-scripts.ts), with
 * source maps so that traces name the TypeScript lines.
 */
export function nodeArgs(tsFile: string): string[] {
  const compiled = path.join(inject('childScripts'), path.relative(ROOT, tsFile)).replace(/\.ts$/, '.js');
  return ['--enable-source-maps', compiled];
}
