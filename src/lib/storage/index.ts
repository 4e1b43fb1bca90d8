import type { Config } from '../../config.js';
import type { BlobStore } from './blob-store.js';
import { localStore } from './local-store.js';

/** S3 when S3_BUCKET is set (its SDK loaded only then), else files under DATA_DIR. */
export async function createBlobStore(config: Config): Promise<BlobStore> {
  const s3 = config.generations.s3;
  return s3
    ? (await import('./s3-store.js')).s3Store(s3, config.generations.providerTimeoutMs)
    : localStore(config.dataDir);
}
