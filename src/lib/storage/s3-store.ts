import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import type { GenerationConfig } from '../../config.js';
import { checkKey, type BlobStore, type StoreHealth } from './blob-store.js';

type S3Settings = NonNullable<GenerationConfig['s3']>;

/**
 * Any S3-compatible store through the official client. PutObject needs a length up front,
 * so an upload of unknown length is spooled to a temporary file first and sent from there:
 * still never held whole in memory.
 */
export function s3Store(s3: S3Settings, timeoutMs: number): BlobStore {
  const client = new S3Client({
    region: s3.region,
    ...(s3.endpoint ? { endpoint: s3.endpoint } : {}),
    forcePathStyle: s3.forcePathStyle,
    ...(s3.accessKeyId && s3.secretAccessKey
      ? { credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } }
      : {}),
    requestHandler: { requestTimeout: timeoutMs, connectionTimeout: Math.min(timeoutMs, 10_000) },
    maxAttempts: 2,
    // Checksums only where S3 requires them: the default's aws-chunked uploads with trailing
    // checksums are not understood by many S3-compatible stores, which then keep the chunk framing.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  return {
    kind: 's3',
    async put(key: string, body: Readable, contentType: string) {
      checkKey(key);
      const spool = path.join(os.tmpdir(), `tollgate-s3-${randomBytes(8).toString('hex')}`);
      try {
        await pipeline(body, fs.createWriteStream(spool));
        const bytes = (await fs.promises.stat(spool)).size;
        await client.send(
          new PutObjectCommand({
            Bucket: s3.bucket,
            Key: key,
            Body: fs.createReadStream(spool),
            ContentLength: bytes,
            ContentType: contentType,
          }),
        );
        return { bytes };
      } finally {
        await fs.promises.rm(spool, { force: true });
      }
    },
    async get(key: string) {
      checkKey(key);
      try {
        const r = await client.send(new GetObjectCommand({ Bucket: s3.bucket, Key: key }));
        return {
          body: r.Body as Readable,
          bytes: Number(r.ContentLength ?? 0),
          contentType: r.ContentType ?? 'application/octet-stream',
        };
      } catch (err) {
        const name = (err as { name?: string }).name;
        if (name === 'NoSuchKey' || name === 'NotFound') return null;
        throw err;
      }
    },
    async delete(keys: string[]) {
      if (keys.length === 0) return;
      keys.forEach(checkKey);
      await client.send(
        new DeleteObjectsCommand({ Bucket: s3.bucket, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
      );
    },
    async health(): Promise<StoreHealth> {
      try {
        await client.send(new HeadBucketCommand({ Bucket: s3.bucket }));
        return { status: 'healthy', type: 's3', writable: true, accessible: true, bucket: s3.bucket };
      } catch {
        // The client's error text may name the endpoint or keys: it stays out of the answer.
        return {
          status: 'unhealthy',
          type: 's3',
          writable: false,
          accessible: false,
          bucket: s3.bucket,
          error: 'S3 bucket is not reachable',
        };
      }
    },
    close: () => client.destroy(),
  };
}
