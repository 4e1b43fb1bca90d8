import { createCipheriv, createDecipheriv, createHmac, hash, randomBytes } from 'node:crypto';

const URL_SAFE = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Uniform random string over an alphabet of at most 256 symbols (rejection sampling, no modulo bias). */
export function randomString(length: number, alphabet = URL_SAFE): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

export function sha256Hex(value: string | Buffer): string {
  // The one-shot form: no Hash object per call (the runtime check hashes every key it sees).
  return hash('sha256', value, 'hex');
}

export function hmacHex(key: string | Buffer, value: string): string {
  return createHmac('sha256', key).update(value).digest('hex');
}

/** A purpose-bound 32-byte key derived from the server secret. */
export function deriveKey(serverSecret: string, purpose: string): Buffer {
  return createHmac('sha256', serverSecret).update(`tollgate:${purpose}`).digest();
}

/**
 * Authenticated encryption for secrets the server must read back later (webhook secrets,
 * injectable content). Format: "v1." + base64url(iv | tag | ciphertext).
 */
export function sealSecret(key: Buffer, plaintext: string | Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return `v1.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

export function openSecret(key: Buffer, sealed: string): Buffer {
  if (!sealed.startsWith('v1.')) throw new Error('unknown sealed-secret format');
  const raw = Buffer.from(sealed.slice(3), 'base64url');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]);
}
