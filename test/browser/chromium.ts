import { execSync } from 'node:child_process';
import fs from 'node:fs';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

const found = () => CANDIDATES.find((p) => fs.existsSync(p)) ?? null;

/**
 * Debian's chromium for playwright-core: installed with apt when missing and we are root,
 * otherwise null with the reason printed, so the browser tests skip visibly rather than fail.
 */
export function ensureChromium(): string | null {
  const existing = found();
  if (existing) return existing;
  if (process.getuid?.() !== 0) {
    console.log(
      '[browser tests] skipped: chromium is not installed and installing it needs root (apt-get install -y chromium).',
    );
    return null;
  }
  try {
    console.log('[browser tests] installing Debian chromium (apt-get update && apt-get install -y chromium) ...');
    execSync('apt-get update && apt-get install -y chromium', {
      stdio: 'ignore',
      timeout: 15 * 60_000,
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
  } catch (err) {
    console.log(`[browser tests] skipped: installing chromium failed (${(err as Error).message.split('\n')[0]}).`);
    return null;
  }
  const installed = found();
  if (!installed) console.log('[browser tests] skipped: chromium is still missing after apt-get install.');
  return installed;
}
