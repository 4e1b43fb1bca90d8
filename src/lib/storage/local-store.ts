import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkKey, type BlobStore, type StoreHealth } from './blob-store.js';

/**
 * Blobs as files under `<DATA_DIR>/blobs`. A put writes a temporary file and renames it into
 * place, so a reader never sees half an image; the content type sits beside it.
 */
export function localStore(dataDir: string): BlobStore {
  const root = path.join(dataDir, 'blobs');
  // Owner-only, like the rest of DATA_DIR: the images of private generations are in it.
  fs.mkdirSync(root, { recursive: true, mode: 0o700 });
  const file = (key: string) => {
    checkKey(key);
    return path.join(root, key);
  };
  return {
    kind: 'local',
    async put(key: string, body: Readable, contentType: string) {
      const target = file(key);
      await fs.promises.mkdir(path.dirname(target), { recursive: true });
      const tmp = `${target}.${randomBytes(6).toString('hex')}.part`;
      try {
        await pipeline(body, fs.createWriteStream(tmp));
        await fs.promises.writeFile(`${tmp}.type`, contentType);
        await fs.promises.rename(`${tmp}.type`, `${target}.type`);
        await fs.promises.rename(tmp, target);
      } catch (err) {
        await fs.promises.rm(tmp, { force: true });
        await fs.promises.rm(`${tmp}.type`, { force: true });
        throw err;
      }
      return { bytes: (await fs.promises.stat(target)).size };
    },
    async get(key: string) {
      const target = file(key);
      try {
        const stat = await fs.promises.stat(target);
        const contentType = await fs.promises
          .readFile(`${target}.type`, 'utf8')
          .catch(() => 'application/octet-stream');
        return { body: fs.createReadStream(target), bytes: stat.size, contentType };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
    },
    async delete(keys: string[]) {
      const dirs = new Set<string>();
      for (const key of keys) {
        const target = file(key);
        await fs.promises.rm(target, { force: true });
        await fs.promises.rm(`${target}.type`, { force: true });
        dirs.add(path.dirname(target));
      }
      // A generation's folder goes with its last image (rmdir refuses a folder still in use).
      for (const dir of dirs) if (dir !== root) await fs.promises.rmdir(dir).catch(() => {});
    },
    async health(): Promise<StoreHealth> {
      let writable = false;
      try {
        fs.accessSync(root, fs.constants.W_OK);
        writable = true;
      } catch {
        writable = false;
      }
      return { status: writable ? 'healthy' : 'unhealthy', type: 'local', writable, accessible: writable };
    },
  };
}
