import { createCipheriv, hash, randomBytes, sign } from 'node:crypto';
import type { SigningKey } from '../signing/key-pair.js';

/**
 * The offline license file (issue 20): a signed, and by default encrypted, JSON document the
 * delivered software verifies with the project's public key and no network.
 *
 *   -----BEGIN TOLLGATE LICENSE FILE-----            (MACHINE FILE when bound to a device)
 *   base64 of {"enc", "sig", "alg", "kid"}, in lines of 64
 *   -----END TOLLGATE LICENSE FILE-----
 *
 * `sig` is Ed25519 over "license/" + enc ("machine/" + enc). Encrypted, `enc` is
 * `ciphertext.iv.tag` (base64 each, AES-256-GCM) under SHA-256 of "tollgate/" + license key
 * (+ "/" + fingerprint for a machine file): a key only the holder of the license key can
 * derive, since the server keeps SHA-256 of the bare key, never of these texts.
 */

export interface LicenseFilePlaintext {
  meta: { issued: string; expiry: string; ttl: number; server_time: string; kid: string };
  license: {
    id: string;
    project_id: string;
    status: string;
    expires_at: string | null;
    max_domains: number | null;
    /** Devices and seats come later (a later issue): null until then. */
    max_devices: number | null;
    domains: string[];
    is_test: boolean;
    meta: Record<string, unknown> | null;
  };
  device: { fingerprint: string; name: string | null } | null;
  project: { id: string; name: string; has_paid: boolean };
}

export interface FileOptions {
  key: SigningKey;
  /** The license key, when the file is to be encrypted for its holder; null: signed only. */
  encryptFor: string | null;
  fingerprint: string | null;
}

export const ENCRYPTED = 'aes-256-gcm+ed25519';
export const PLAIN = 'base64+ed25519';

function encrypt(plaintext: Buffer, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', hash('sha256', secret, 'buffer'), iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return [ciphertext, iv, cipher.getAuthTag()].map((b) => b.toString('base64')).join('.');
}

export function licenseFile(plaintext: LicenseFilePlaintext, o: FileOptions): string {
  const kind = o.fingerprint === null ? 'license' : 'machine';
  const bytes = Buffer.from(JSON.stringify(plaintext));
  const secret =
    o.encryptFor === null ? null : `tollgate/${o.encryptFor}${o.fingerprint === null ? '' : `/${o.fingerprint}`}`;
  const enc = secret === null ? bytes.toString('base64') : encrypt(bytes, secret);
  const sig = sign(null, Buffer.from(`${kind}/${enc}`, 'ascii'), o.key.privateKey).toString('base64');
  const body = Buffer.from(
    JSON.stringify({ enc, sig, alg: secret === null ? PLAIN : ENCRYPTED, kid: o.key.kid }),
  ).toString('base64');
  const label = `TOLLGATE ${kind.toUpperCase()} FILE`;
  return `-----BEGIN ${label}-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}
