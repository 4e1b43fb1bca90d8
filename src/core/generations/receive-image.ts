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
    if (this.seen > this.max) {
      done(TooLarge('file_too_large', GENERATION_MESSAGES.tooLarge));
      return;
    }
    if (this.contentType === null) {
      this.head = Buffer.concat([this.head, chunk]);
      if (this.head.length < 12) {
        done();
        return;
      }
      this.contentType = sniffImage(this.head);
      if (!this.contentType) {
        done(invalidField('files', GENERATION_MESSAGES.format, 'value_error.format'));
        return;
      }
      const head = this.head;
      this.head = Buffer.alloc(0);
      done(null, head);
      return;
    }
    done(null, chunk);
  }
  override _flush(done: TransformCallback): void {
    if (this.contentType === null) {
      this.contentType = this.head.length > 0 ? sniffImage(this.head) : null;
      if (!this.contentType) {
        done(invalidField('files', GENERATION_MESSAGES.format, 'value_error.format'));
        return;
      }
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
export async function receiveImage(
  blobs: BlobStore,
  key: string,
  upload: Readable,
  max = MAX_IMAGE_BYTES,
): Promise<StoredImage> {
  const gate = new ImageGate(max);
  // The gate may refuse before the store starts reading it (a small file arrives whole at
  // once): its own refusal is kept here and wins over the store's report of a broken stream.
  let refusal: unknown = null;
  gate.on('error', (err) => (refusal ??= err));
  const broken = () => invalidField('files', 'The upload ended before the image was complete', 'value_error.multipart');
  upload.on('error', (err) => gate.destroy(err));
  // A body that breaks off: the multipart parser destroys the file stream, with no error of its own.
  upload.on('close', () => {
    if (!upload.readableEnded) gate.destroy(broken());
  });
  if (upload.destroyed && !upload.readableEnded) throw broken();
  try {
    await blobs.put(key, upload.pipe(gate), 'application/octet-stream');
    if (refusal) throw refusal;
  } catch (err) {
    upload.unpipe(gate);
    upload.resume();
    await blobs.delete([key]).catch(() => {});
    throw refusal ?? err;
  }
  // The type is known only once the bytes were seen; stored beside the key in the row.
  return { key, content_type: gate.contentType! };
}
