import type { NullableTimestamp, Timestamp } from './types.js';

export type SigningKeyStatus = 'active' | 'retiring';

/**
 * A project's Ed25519 signing keys (core/signing): one `active`, and any number `retiring`,
 * which still verify until `retires_at` and are then gone from every list.
 */
export interface SigningKeysTable {
  /** The key's JWK thumbprint (RFC 7638), which is also its `kid`. */
  kid: string;
  project_id: string;
  status: SigningKeyStatus;
  /** SPKI PEM of the public half. */
  public_key: string;
  /** PKCS#8 DER of the private half, sealed with the server secret (lib/crypto.ts sealSecret). */
  private_key_enc: string;
  created_at: Timestamp;
  retires_at: NullableTimestamp;
}

/** Offline license files handed out, counted per license over 24 hours (LICENSE_CHECKOUTS_PER_DAY). */
export interface LicenseCheckoutsTable {
  id: string;
  license_id: string;
  project_id: string;
  kid: string;
  /** The device the file is bound to (a machine file), else null. */
  fingerprint: string | null;
  created_at: Timestamp;
  expires_at: Timestamp;
}
