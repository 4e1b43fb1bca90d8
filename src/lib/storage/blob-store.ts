import type { Readable } from 'node:stream';

export interface StoredBlob {
  body: Readable;
  bytes: number;
  contentType: string;
}

export interface StoreHealth {
  status: 'healthy' | 'unhealthy';
  type: 'local' | 's3';
  writable: boolean;
  accessible: boolean;
  [detail: string]: unknown;
}

/**
 * Where example and result images live. Keys are relative paths we make ourselves
 * (`generations/<id>/example-0`), never user input. `put` streams: a body is never held
 * whole in memory, whatever its size.
 */
export interface BlobStore {
  readonly kind: 'local' | 's3';
  put(key: string, body: Readable, contentType: string): Promise<{ bytes: number }>;
  /** null when there is no such blob. */
  get(key: string): Promise<StoredBlob | null>;
  delete(keys: string[]): Promise<void>;
  health(): Promise<StoreHealth>;
  close?(): void;
}

export function checkKey(key: string): void {
  if (!/^[a-z0-9][a-z0-9/_.-]*$/i.test(key) || key.includes('..')) throw new Error(`bad blob key "${key}"`);
}
