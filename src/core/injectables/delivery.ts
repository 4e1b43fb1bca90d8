import { createCipheriv, createHash } from 'node:crypto';
import type { Context } from '../../context.js';
import type { InjectablesTable } from '../../db/schema/injectables.js';
import { hmacHex, openSecret, randomString, sha256Hex } from '../../lib/crypto.js';

/**
 * The injectable "delivery form" of specs/devpayr.md: what SDKs decrypt and verify.
 * AES-256-CBC with key = SHA-256(secret), delivered = base64(IV + "::" + base64(ciphertext)),
 * signature = hex HMAC-SHA256(delivered, secret).
 */
export interface DeliveredInjectable {
  id: string;
  slug: string;
  name: string;
  title: string | null;
  type: string;
  mode: string;
  target_path: string | null;
  path: string | null;
  encrypted_content: string;
  content: string;
  signature: string;
  content_hash: string;
}

/**
 * IV bytes are drawn from an alphanumeric alphabet: one client splits the decoded string on
 * "::" (so no ':' may appear) and another reads the IV as UTF-8 text.
 */
const IV_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function encryptForDelivery(
  plaintext: string | Buffer,
  secret: string,
): { delivered: string; signature: string } {
  const iv = Buffer.from(randomString(16, IV_ALPHABET), 'latin1');
  const key = createHash('sha256').update(secret, 'utf8').digest();
  const cipher = createCipheriv('aes-256-cbc', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]).toString('base64');
  const delivered = Buffer.concat([iv, Buffer.from(`::${ciphertext}`, 'latin1')]).toString('base64');
  return { delivered, signature: hmacHex(secret, delivered) };
}

export type SealedInjectable = Pick<
  InjectablesTable,
  'id' | 'slug' | 'title' | 'type' | 'mode' | 'target_path' | 'content_enc' | 'content_hash' | 'secret_enc'
>;

/** Opens the row's sealed content and secret, and re-encrypts for the wire with a fresh IV. */
export function deliverInjectable(sealKey: Buffer, row: SealedInjectable): DeliveredInjectable {
  const content = openSecret(sealKey, row.content_enc);
  const secret = openSecret(sealKey, row.secret_enc).toString('utf8');
  const { delivered, signature } = encryptForDelivery(content, secret);
  return {
    id: row.id,
    slug: row.slug,
    name: row.slug,
    title: row.title,
    type: row.type,
    mode: row.mode,
    target_path: row.target_path,
    path: row.target_path,
    encrypted_content: delivered,
    content: delivered,
    signature,
    content_hash: row.content_hash || sha256Hex(content),
  };
}

/**
 * The project's active injectables in delivery form; `only_if_paid` ones only when paid.
 * The project comes from a license that passed the runtime check, never from the caller.
 */
export async function deliverableInjectables(
  ctx: Pick<Context, 'db' | 'keys'>,
  projectId: string,
  paid: boolean,
): Promise<DeliveredInjectable[]> {
  let q = ctx.db
    .selectFrom('injectables')
    .select(['id', 'slug', 'title', 'type', 'mode', 'target_path', 'content_enc', 'content_hash', 'secret_enc'])
    .where('project_id', '=', projectId)
    .where('is_active', '=', true)
    .orderBy('id', 'asc');
  if (!paid) q = q.where('only_if_paid', '=', false);
  const rows = await q.execute();
  return rows.map((row) => deliverInjectable(ctx.keys.seal, row));
}
