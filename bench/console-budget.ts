import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * The console's size budget (issue 13): all JavaScript the console ships, gzipped, at most
 * 100 KB. Reads what the build wrote to dist/console; `npm run bench:console` prints it and
 * test/console/budget.test.ts holds the line (with the dashboard's API-call count).
 */
export const JS_BUDGET_BYTES = 100 * 1024;

export function consoleAssetSizes(dir = path.resolve('dist/console')): {
  js: number;
  jsGzip: number;
  css: number;
  cssGzip: number;
  files: string[];
} {
  const assets = path.join(dir, 'assets');
  const out = { js: 0, jsGzip: 0, css: 0, cssGzip: 0, files: [] as string[] };
  // The .br and .gz copies the build writes beside each file are the same files, not more of them.
  for (const f of fs.readdirSync(assets).filter((name) => !/\.(br|gz)$/.test(name))) {
    const body = fs.readFileSync(path.join(assets, f));
    out.files.push(f);
    if (f.endsWith('.js')) {
      out.js += body.length;
      out.jsGzip += gzipSync(body, { level: 9 }).length;
    } else if (f.endsWith('.css')) {
      out.css += body.length;
      out.cssGzip += gzipSync(body, { level: 9 }).length;
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const s = consoleAssetSizes();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  console.log(
    `console JS: ${kb(s.js)} raw, ${kb(s.jsGzip)} gzipped (budget ${kb(JS_BUDGET_BYTES)}); CSS ${kb(s.cssGzip)} gzipped`,
  );
  if (s.jsGzip > JS_BUDGET_BYTES) process.exitCode = 1;
}
