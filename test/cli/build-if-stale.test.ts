import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const BUILD = fileURLToPath(new URL('../../bin/build.js', import.meta.url));

/**
 * `npm start` runs `bin/build.js --if-stale`. In a scratch project with a "compiler" that
 * only records that it ran (node_modules/typescript/bin/tsc), the script must compile
 * exactly when something it depends on changed since the last build.
 */
function scratchProject() {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tollgate-build-'));
  fs.mkdirSync(path.join(root, 'bin'));
  fs.copyFileSync(BUILD, path.join(root, 'bin', 'build.js'));
  fs.writeFileSync(path.join(root, 'package.json'), '{"type":"module"}');
  fs.mkdirSync(path.join(root, 'src', 'core'), { recursive: true });
  fs.writeFileSync(path.join(root, 'src', 'main.ts'), 'export {};\n');
  fs.writeFileSync(path.join(root, 'src', 'core', 'a.ts'), 'export const a = 1;\n');
  for (const f of ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'])
    fs.writeFileSync(path.join(root, f), '{}');
  const tscDir = path.join(root, 'node_modules', 'typescript', 'bin');
  fs.mkdirSync(tscDir, { recursive: true });
  // The stand-in compiler: counts its server builds and emits dist/src/main.js (the console's type-check run only checks).
  fs.writeFileSync(
    path.join(tscDir, 'tsc'),
    `const fs = require('fs'); if (process.argv.includes('tsconfig.build.json')) { fs.mkdirSync('dist/src', { recursive: true }); fs.writeFileSync('dist/src/main.js', '');
     fs.appendFileSync('compiled.log', 'x'); }`,
  );
  // The console's sources and a stand-in bundler that emits dist/console/index.html.
  fs.mkdirSync(path.join(root, 'console', 'src'), { recursive: true });
  fs.writeFileSync(path.join(root, 'console', 'src', 'main.tsx'), 'export {};\n');
  fs.mkdirSync(path.join(root, 'node_modules', 'vite', 'bin'), { recursive: true });
  fs.writeFileSync(
    path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'),
    `import fs from 'node:fs'; fs.mkdirSync('dist/console', { recursive: true }); fs.writeFileSync('dist/console/index.html', '');`,
  );
  const runs = () =>
    fs.existsSync(path.join(root, 'compiled.log'))
      ? fs.readFileSync(path.join(root, 'compiled.log'), 'utf8').length
      : 0;
  const start = () => {
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'build.js'), '--if-stale'], {
      cwd: root,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
  };
  /** "Built ten seconds ago, edited now". */
  const edit = (rel: string) => {
    const earlier = new Date(Date.now() - 10_000);
    fs.utimesSync(path.join(root, 'dist', '.build-stamp'), earlier, earlier);
    const now = new Date();
    fs.utimesSync(path.join(root, rel), now, now);
  };
  return { root, runs, start, edit };
}

describe('npm start compiles only when dist/ is out of date', () => {
  it('builds on the first start, not on the next ones, and again after a source, a tsconfig or the lockfile changes', () => {
    const p = scratchProject();
    try {
      p.start();
      expect(p.runs()).toBe(1);
      p.start();
      p.start();
      expect(p.runs()).toBe(1);
      p.edit('src/core/a.ts');
      p.start();
      expect(p.runs()).toBe(2);
      p.start();
      expect(p.runs()).toBe(2);
      p.edit('tsconfig.build.json');
      p.start();
      expect(p.runs()).toBe(3);
      p.edit('package-lock.json');
      p.start();
      expect(p.runs()).toBe(4);
      p.edit('console/src/main.tsx');
      p.start();
      expect(p.runs()).toBe(5);
      expect(fs.existsSync(path.join(p.root, 'dist', 'console', 'index.html'))).toBe(true);
    } finally {
      fs.rmSync(p.root, { recursive: true, force: true });
    }
  });

  it('builds again when a source file is deleted, or when dist/ is gone', () => {
    const p = scratchProject();
    try {
      p.start();
      expect(p.runs()).toBe(1);
      fs.rmSync(path.join(p.root, 'src', 'core', 'a.ts'));
      p.edit('src/core');
      p.start();
      expect(p.runs()).toBe(2);
      fs.rmSync(path.join(p.root, 'dist', 'src'), { recursive: true });
      p.start();
      expect(p.runs()).toBe(3);
      expect(fs.existsSync(path.join(p.root, 'dist', 'src', 'main.js'))).toBe(true);
      fs.rmSync(path.join(p.root, 'dist', 'console'), { recursive: true });
      p.start();
      expect(p.runs()).toBe(4);
    } finally {
      fs.rmSync(p.root, { recursive: true, force: true });
    }
  });
});
