import { hash, verify, Algorithm } from '@node-rs/argon2';
import type { Config } from '../../config.js';
import type { FieldError } from '../errors.js';

export async function hashPassword(config: Pick<Config, 'passwordHashMemoryKib'>, password: string): Promise<string> {
  return hash(password, { algorithm: Algorithm.Argon2id, memoryCost: config.passwordHashMemoryKib, timeCost: 2, parallelism: 1 });
}

/** A fixed hash to verify against when the account does not exist, so timing does not tell. */
let dummyHash: Promise<string> | null = null;

export async function verifyPassword(
  config: Pick<Config, 'passwordHashMemoryKib'>,
  stored: string | null,
  password: string,
): Promise<boolean> {
  if (!stored) {
    dummyHash ??= hashPassword(config, 'not-a-real-password-0');
    await verify(await dummyHash, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}

export const PASSWORD_RULE = 'Password must be at least 8 characters with uppercase, lowercase, and digit';

export function passwordProblems(password: string): FieldError[] {
  const ok = password.length >= 8 && password.length <= 128 && /[A-Z]/.test(password) && /[a-z]/.test(password) && /\d/.test(password);
  return ok ? [] : [{ field: 'password', message: PASSWORD_RULE, type: 'value_error.password' }];
}
