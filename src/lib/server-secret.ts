import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { directoryFailure, prepareDirectory } from './data-dir.js';

/**
 * The configured secret, or the one generated on first start into the data directory
 * (created exclusively, readable by the owner only).
 */
export function loadServerSecret(configured: string | null, dataDir: string): string {
  if (configured) return configured;
  const file = path.join(dataDir, 'secret.key');
  prepareDirectory(dataDir);
  try {
    fs.writeFileSync(file, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw directoryFailure(err, 'DATA_DIR', dataDir);
  }
  const stat = fs.statSync(file);
  if ((stat.mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  const secret = fs.readFileSync(file, 'utf8').trim();
  if (secret.length < 32) throw new Error(`${file} holds a secret shorter than 32 characters`);
  return secret;
}
