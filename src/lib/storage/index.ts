import type { Config } from '../../config.js';
import type { BlobStore } from './blob-store.js';
import { localStore } from './local-store.js';
import { s3Store } from './s3-store.js';

/** S3 when S3_BUCKET is set, else files under DATA_DIR. */
export function createBlobStore(config: Config): BlobStore {
  const s3 = config.generations.s3;
  return s3 ? s3Store(s3, config.generations.providerTimeoutMs) : localStore(config.dataDir);
}
