import { hash as argon2Hash, verify, Algorithm } from '@node-rs/argon2';
import type { Config } from '../../config.js';
import type { Passwords } from '../../context.js';
import type { FieldError } from '../errors.js';

/** Argon2id hashing with the configured memory cost; one per Context. */
export function createPasswords(config: Pick<Config, 'passwordHashMemoryKib'>): Passwords {
  const hash = (password: string) =>
    argon2Hash(password, {
      algorithm: Algorithm.Argon2id,
      memoryCost: config.passwordHashMemoryKib,
      timeCost: 2,
      parallelism: 1,
    });
  /** A fixed hash to verify against when the account does not exist, so timing does not tell; made on first need. */
  let dummyHash: Promise<string> | null = null;
  return {
    hash,
    async verify(stored, password) {
      if (!stored) {
        dummyHash ??= hash('not-a-real-password-0');
        await verify(await dummyHash, password).catch(() => false);
        return false;
      }
      return verify(stored, password).catch(() => false);
    },
  };
}

export const PASSWORD_RULE = 'Password must be at least 8 characters with uppercase, lowercase, and digit';

export function passwordProblems(password: string): FieldError[] {
  const ok =
    password.length >= 8 &&
    password.length <= 128 &&
    /[A-Z]/.test(password) &&
    /[a-z]/.test(password) &&
    /\d/.test(password);
  return ok ? [] : [{ field: 'password', message: PASSWORD_RULE, type: 'value_error.password' }];
}
