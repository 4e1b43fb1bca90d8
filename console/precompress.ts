import fs from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Text the server sends often enough to be worth compressing; images are compressed already. */
const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;
/** Below this, a compressed copy saves less than its own headers. */
const MIN_BYTES = 1024;

/**
 * Writes a brotli (quality 11) and a gzip (level 9) copy beside each compressible file of the
 * build, once, so the server only picks one per request (http/console/static.ts) instead of
 * compressing on every answer: the script is 129 KB as built, about 40 KB as brotli.
 */
export function precompress(): Plugin {
  return {
    name: 'tollgate-precompress',
    apply: 'build',
    writeBundle(options) {
      const walk = (dir: string): string[] =>
        fs
          .readdirSync(dir, { withFileTypes: true })
          .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
      for (const file of walk(options.dir!)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const body = fs.readFileSync(file);
        if (body.length < MIN_BYTES) continue;
        fs.writeFileSync(
          `${file}.br`,
          brotliCompressSync(body, {
            params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
          }),
        );
        fs.writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
      }
    },
  };
}
