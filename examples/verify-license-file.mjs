// Verifies (and decrypts) a Tollgate offline license file with node:crypto alone.
// jwks: the project's /.well-known JWKS, kept with the software; state: kept between runs ({} at first),
// it remembers the highest time seen, so that a clock turned back is noticed. Returns the plaintext.
import { createDecipheriv, createHash, createPublicKey, verify } from 'node:crypto';

export function readLicenseFile(text, { licenseKey, fingerprint = null, jwks, state, now = Date.now() }) {
  const file = text.endsWith('\n') ? text : `${text}\n`;
  const armor = /^-----BEGIN TOLLGATE (LICENSE|MACHINE) FILE-----\n([A-Za-z0-9+/=\n]+)\n-----END TOLLGATE \1 FILE-----\n$/.exec(file);
  if (!armor) throw new Error('not a Tollgate license file');
  const kind = armor[1] === 'MACHINE' ? 'machine' : 'license';
  if ((kind === 'machine') !== (fingerprint !== null)) throw new Error(`a ${kind} file, but ${fingerprint ? 'a device' : 'no device'} was given`);
  const json = Buffer.from(armor[2].replace(/\n/g, ''), 'base64').toString('utf8');
  const rearmored = `-----BEGIN TOLLGATE ${armor[1]} FILE-----\n${Buffer.from(json).toString('base64').match(/.{1,64}/g).join('\n')}\n-----END TOLLGATE ${armor[1]} FILE-----\n`;
  if (rearmored !== file) throw new Error('the file has been changed');
  const { enc, sig, alg, kid } = JSON.parse(json);
  const jwk = jwks.keys.find((k) => k.kid === kid);
  if (!jwk) throw new Error('signed by an unknown or retired key');
  const key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
  if (!verify(null, Buffer.from(`${kind}/${enc}`, 'ascii'), key, Buffer.from(sig, 'base64'))) throw new Error('the signature does not verify');
  let plain;
  if (alg === 'aes-256-gcm+ed25519') {
    const [ciphertext, iv, tag] = enc.split('.').map((part) => Buffer.from(part, 'base64'));
    const secret = createHash('sha256').update(`tollgate/${licenseKey}${fingerprint === null ? '' : `/${fingerprint}`}`).digest();
    const decipher = createDecipheriv('aes-256-gcm', secret, iv).setAuthTag(tag);
    plain = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } else if (alg === 'base64+ed25519') plain = Buffer.from(enc, 'base64');
  else throw new Error(`unknown algorithm ${alg}`);
  const data = JSON.parse(plain.toString('utf8'));
  if (data.meta.kid !== kid) throw new Error('the file names another key');
  if (fingerprint !== null && data.device?.fingerprint !== fingerprint) throw new Error('the file is for another device');
  if (Date.parse(data.meta.expiry) <= now) throw new Error('the license file has expired');
  const serverTime = Date.parse(data.meta.server_time);
  if (Math.min(serverTime, now) < (state.highest ?? -Infinity) - 300_000) throw new Error('the clock has been turned back');
  state.highest = Math.max(state.highest ?? -Infinity, serverTime, now);
  return data;
}
