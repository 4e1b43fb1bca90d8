import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, type KeyObject } from 'node:crypto';
import { openSecret, sealSecret } from '../../lib/crypto.js';

/** A private key ready to sign with, and the `kid` its signatures name. */
export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

/** What a key pair is stored as: the public half in PEM, the private half sealed. */
export interface StoredKeyPair {
  kid: string;
  publicPem: string;
  privateSealed: string;
}

/** A public key in the form JOSE libraries import as it is (RFC 8037). */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519';
  x: string;
  kid: string;
  alg: 'EdDSA';
  use: 'sig';
}

/** RFC 7638 thumbprint of an Ed25519 public key: a `kid` anyone can recompute from the key. */
function thumbprint(x: string): string {
  return hash('sha256', `{"crv":"Ed25519","kty":"OKP","x":"${x}"}`, 'base64url');
}

/** A fresh Ed25519 pair, its private half sealed with `sealKey` (the server secret's sealing key). */
export function newKeyPair(sealKey: Buffer): StoredKeyPair {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const x = publicKey.export({ format: 'jwk' }).x!;
  return {
    kid: thumbprint(x),
    publicPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    privateSealed: sealSecret(sealKey, privateKey.export({ format: 'der', type: 'pkcs8' })),
  };
}

export function openKeyPair(sealKey: Buffer, kid: string, privateSealed: string): SigningKey {
  return {
    kid,
    privateKey: createPrivateKey({ key: openSecret(sealKey, privateSealed), format: 'der', type: 'pkcs8' }),
  };
}

export function publicJwk(kid: string, publicPem: string): PublicJwk {
  const x = createPublicKey(publicPem).export({ format: 'jwk' }).x!;
  return { kty: 'OKP', crv: 'Ed25519', x, kid, alg: 'EdDSA', use: 'sig' };
}
