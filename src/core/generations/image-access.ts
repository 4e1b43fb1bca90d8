import type { Context } from '../../context.js';
import { timingSafeEqual } from 'node:crypto';
import { hmacHex } from '../../lib/crypto.js';
import { isUuid } from '../../lib/ids.js';
import type { StoredBlob } from '../../lib/storage/blob-store.js';
import { NotFound } from '../errors.js';
import { toGeneration, type Generation } from './generation.js';

/** "result" or "example-<n>": the images a generation has. */
export type ImageName = string;

export function imagePath(id: string, name: ImageName): string {
  return `/api/v1/generation/images/${id}/${name}`;
}

/** Constant-time comparison of a presented signature with the expected one (both hex). */
function sameSignature(presented: string, expected: string): boolean {
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function signature(ctx: Pick<Context, 'keys'>, id: string, name: ImageName, expires: number): string {
  return hmacHex(ctx.keys.seal, `generation-image:${id}:${name}:${expires}`);
}

/**
 * The URL an image is served at: stable for a public generation, signed and expiring for
 * a private one. The expiry is rounded up to five minutes so that polling clients see the
 * same URL for a while (and browsers can cache it).
 */
export function imageUrl(
  ctx: Pick<Context, 'keys' | 'clock' | 'config'>,
  base: string,
  g: Pick<Generation, 'id' | 'isPublic'>,
  name: ImageName,
): string {
  const url = base + imagePath(g.id, name);
  if (g.isPublic) return url;
  const ttl = ctx.config.generations.signedUrlSeconds;
  const expires = Math.ceil((Math.floor(ctx.clock.now().getTime() / 1000) + ttl) / 300) * 300;
  return `${url}?expires=${expires}&sig=${signature(ctx, g.id, name, expires)}`;
}

/** The image behind a URL imageUrl made, or NotFound for anything else (bad or expired signatures included). */
export async function readImage(
  ctx: Pick<Context, 'db' | 'keys' | 'clock' | 'blobs'>,
  id: string,
  name: ImageName,
  signed: { expires?: string; sig?: string },
): Promise<StoredBlob> {
  if (!isUuid(id)) throw NotFound('image');
  const row = await ctx.db.selectFrom('generations').selectAll().where('id', '=', id).executeTakeFirst();
  if (!row) throw NotFound('image');
  const g = toGeneration(row);
  if (!g.isPublic) {
    const expires = Number(signed.expires);
    const fresh = Number.isInteger(expires) && expires * 1000 >= ctx.clock.now().getTime();
    if (!fresh || typeof signed.sig !== 'string' || !sameSignature(signed.sig, signature(ctx, id, name, expires)))
      throw NotFound('image');
  }
  let key: string | null = null;
  let contentType = 'image/png';
  if (name === 'result') {
    key = g.status === 'completed' ? g.resultKey : null;
    contentType = row.result_content_type ?? contentType;
  } else {
    const m = /^example-([0-4])$/.exec(name);
    const example = m ? g.examples[Number(m[1])] : undefined;
    if (example) {
      key = example.key;
      contentType = example.content_type;
    }
  }
  if (!key) throw NotFound('image');
  const blob = await ctx.blobs.get(key);
  if (!blob) throw NotFound('image');
  return { ...blob, contentType };
}
