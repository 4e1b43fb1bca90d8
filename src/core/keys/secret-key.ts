import { randomString, sha256Hex } from '../../lib/crypto.js';

export interface NewSecretKey {
  /** The full key: shown once, never stored. */
  key: string;
  hash: string;
  /** The first 8 characters, kept for display ("ak_abc12..."). */
  prefix: string;
}

/** `<prefix>` + 32 URL-safe random characters (192 bits), as cloud-api's key formats say. */
export function newSecretKey(prefix: string): NewSecretKey {
  const key = prefix + randomString(32);
  return { key, hash: hashKey(key), prefix: key.slice(0, 8) };
}

/** Keys are high-entropy, so a fast SHA-256 is the right hash (argon2 would cap the hot path). */
export function hashKey(key: string): string {
  return sha256Hex(key);
}

export const API_KEY_PREFIX = 'ak_';
export const OPERATOR_KEY_PREFIX = 'op_';
