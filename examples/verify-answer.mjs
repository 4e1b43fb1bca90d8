// Verifies a signed Tollgate answer (RFC 9421 signature, RFC 9530 Content-Digest) with node:crypto alone.
// answer: {status, headers: Headers, body: Buffer}; request: {method, url, headers}; jwks: the project's and/or
// the instance's /.well-known JWKS; nonce: the one sent in Accept-Signature (letters, digits, - and _ only).
import { createHash, createPublicKey, verify } from 'node:crypto';

export function verifyAnswer(answer, request, jwks, { nonce, now = Date.now(), maxAgeSeconds = 300 }) {
  const header = (name) => answer.headers.get(name) ?? '';
  const digest = `sha-256=:${createHash('sha256').update(answer.body).digest('base64')}:`;
  if (header('content-digest') !== digest) throw new Error('the body does not match its Content-Digest');
  const input = /^([a-z*][a-z0-9_.*-]*)=(\(([^()]*)\)(;[^,]*))$/.exec(header('signature-input'));
  if (!input) throw new Error('no Signature-Input');
  const [, label, params, list, rest] = input;
  const param = (name) => new RegExp(`;${name}=(?:"([^"\\\\]*)"|(\\d+))(?=;|$)`).exec(rest)?.slice(1).find((v) => v !== undefined);
  const licenseKey = request.headers?.['x-license-key'];
  const value = {
    '"@status"': String(answer.status), '"content-digest"': digest, '"@method";req': request.method.toUpperCase(),
    '"@path";req': new URL(request.url).pathname, '"@query";req': new URL(request.url).search || '?', '"x-license-key";req': licenseKey,
  };
  const components = list.split(' ');
  const needed = Object.keys(value).filter((c) => value[c] !== undefined);
  if (!needed.every((c) => components.includes(c)) || components.some((c) => value[c] === undefined)) {
    throw new Error('the signature does not cover this answer and its request');
  }
  if (param('alg') !== 'ed25519') throw new Error('not an Ed25519 signature');
  if (param('nonce') !== nonce) throw new Error('not the nonce this request sent');
  const age = now / 1000 - Number(param('created'));
  if (!(age <= maxAgeSeconds && age >= -60)) throw new Error('the signature is too old, or from the future');
  const jwk = jwks.keys.find((k) => k.kid === param('keyid'));
  if (!jwk) throw new Error('signed by an unknown or retired key');
  const base = [...components.map((c) => `${c}: ${value[c]}`), `"@signature-params": ${params}`].join('\n');
  const signature = new RegExp(`^${label.replace(/[.*]/g, '\\$&')}=:([A-Za-z0-9+/]+=*):$`).exec(header('signature'));
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
  if (!signature || !verify(null, Buffer.from(base), key, Buffer.from(signature[1], 'base64'))) throw new Error('the signature does not verify');
  return { kid: jwk.kid, created: Number(param('created')) };
}
