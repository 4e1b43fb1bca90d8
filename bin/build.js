#!/usr/bin/env node
// Compiles src/ to dist/ (tsc, incremental), type-checks the console and builds it into
// dist/console (Vite; issue 13). With --if-stale (what `npm start` runs) it
// compiles only when a source, a tsconfig or the lockfile changed since the last build: a
// start on a current dist/ costs a directory walk (milliseconds), not a type-check (seconds).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');
const buildInfo = path.join(dist, '.tsbuildinfo');

const mtime = (p) => {
  try {
    return fs.statSync(p).mtimeMs;
  } catch {
    return 0;
  }
};

/** The newest change under dir: files and the directories themselves (a deleted or renamed file changes its directory). */
function newest(dir) {
  let latest = mtime(dir);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(p) : mtime(p));
  }
  return latest;
}

function isStale() {
  const built = mtime(stamp);
  if (
    !built ||
    !fs.existsSync(path.join(dist, 'src', 'main.js')) ||
    !fs.existsSync(path.join(dist, 'console', 'index.html'))
  )
    return true;
  const inputs = [
    newest(path.join(root, 'src')),
    newest(path.join(root, 'console')),
    ...['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'].map((f) => mtime(path.join(root, f))),
  ];
  return Math.max(...inputs) > built;
}

if (process.argv.includes('--if-stale') && !isStale()) process.exit(0);

const started = new Date();
// Outputs gone but the build info left: tsc would think everything is emitted.
if (!fs.existsSync(path.join(dist, 'src', 'main.js'))) fs.rmSync(buildInfo, { force: true });
const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
const r = spawnSync(
  process.execPath,
  [tsc, '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', buildInfo],
  { cwd: root, stdio: 'inherit' },
);
if (r.status !== 0) process.exit(r.status ?? 1);
// The console: type-checked by the same tsc (its own tsconfig: DOM, JSX), then bundled.
for (const args of [
  [tsc, '-p', 'console/tsconfig.json'],
  [path.join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'console/vite.config.ts'],
]) {
  const step = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (step.status !== 0) process.exit(step.status ?? 1);
}
fs.writeFileSync(stamp, '');
// The time the build started: a source saved during the build makes the next start build again.
fs.utimesSync(stamp, started, started);
