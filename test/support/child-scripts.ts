import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The TypeScript a child process may run: src/ and the non-test files of test/. */
function sources(): string[] {
  const under = (dir: string) =>
    (fs.readdirSync(path.join(ROOT, dir), { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts'))
      .map((f) => path.join(ROOT, dir, f));
  return [...under('src'), ...under('test')];
}

/**
 * Compiles src/ and the test helpers to JavaScript once per run, for the OS processes tests
 * start (`tollgate serve`, workers, server-process.ts). They ran under tsx, whose loader hooks
 * doubled each start's CPU (`--help`: 1.7-2.8 s of CPU under tsx, 0.9 s compiled); a suite
 * starts dozens. esbuild is the compiler tsx uses, file by file as tsx does, so the code that
 * runs is the same. The directory mirrors the repository: node_modules and dist/ (the built
 * console) are links to the real ones, so imports and consoleDir() resolve as they do there.
 */
export async function compileChildScripts(): Promise<{
  dir: string;
  rebuild: () => Promise<void>;
  remove: () => void;
}> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-js-'));
  // The real package.json: ES modules, and the version `tollgate --version` reads beside src/.
  for (const link of ['node_modules', 'dist', 'package.json'])
    fs.symlinkSync(path.join(ROOT, link), path.join(dir, link));
  const rebuild = async () => {
    await build({
      entryPoints: sources(),
      outdir: dir,
      outbase: ROOT,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      sourcemap: 'inline',
      logLevel: 'warning',
    });
  };
  await rebuild();
  return { dir, rebuild, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
