import { Transform, type Readable, type TransformCallback } from 'node:stream';
import type { BlobStore } from '../../lib/storage/blob-store.js';
import { sniffImage } from '../../lib/providers/provider.js';
import { invalidField, TooLarge } from '../errors.js';
import { GENERATION_MESSAGES, MAX_IMAGE_BYTES, type StoredImage } from './generation.js';


/**
 * Passes bytes through while checking them: the first 12 decide the type (JPEG, PNG or
 * WebP by magic number, whatever the client declared), and more than `max` bytes stop the
 * stream. Memory stays at one chunk whatever the upload's size.
 */
class ImageGate extends Transform {
  contentType: string | null = null;
  private head = Buffer.alloc(0);
  private seen = 0;
  constructor(private readonly max: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.max) return done(TooLarge('file_too_large', GENERATION_MESSAGES.tooLarge));
    if (this.contentType === null) {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < 12) return done();
      this.contentType = sniffImage(this.head);
      if (!this.contentType) return done(invalidField('files', GENERATION_MESSAGES.format, 'value_error.format'));
      const head = this.head;
      this.head = Buffer.alloc(0);
      return done(null, head);
    }
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    if (this.contentType === null) {
      this.contentType = this.head.length > 0 ? sniffImage(this.head) : null;
      if (!this.contentType) return done(invalidField('files', GENERATION_MESSAGES.format, 'value_error.format'));
      this.push(this.head);
    }
    done();
  }
}

/**
 * Streams one uploaded image into the store under `key`, refusing anything but JPEG, PNG or
 * WebP and anything over 10 MB. On refusal nothing stays stored and the rest of the upload
 * is drained by the caller (multipart needs the stream consumed).
 */
export async function receiveImage(blobs: BlobStore, key: string, upload: Readable, max = MAX_IMAGE_BYTES): Promise<StoredImage> {
  const gate = new ImageGate(max);
  upload.on('error', (err) => gate.destroy(err));
  try {
    await blobs.put(key, upload.pipe(gate), 'application/octet-stream');
  } catch (err) {
    upload.unpipe(gate);
    upload.resume();
    await blobs.delete([key]).catch(() => {});
    throw err;
  }
  // The type is known only once the bytes were seen; stored beside the key in the row.
  return { key, content_type: gate.contentType! };
}
