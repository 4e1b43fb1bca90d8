import type { Environment } from '../../db/schema/index.js';
import { Invalid, type FieldError } from '../errors.js';
import { validateDomainInput } from './normalize.js';

export const ENVIRONMENTS: readonly Environment[] = ['production', 'staging', 'development'];
export const DOMAIN_TAKEN = 'The domain has already been taken.';

/** Fields a domain is created or updated with; undefined = not given. */
export interface DomainInput {
  domain?: string;
  environment?: Environment;
  isPrimary?: boolean;
  isVerified?: boolean;
  isActive?: boolean;
  hasPaid?: boolean;
}

/** Checks the body and returns the normalised domain (undefined when not given on update). */
export function checkDomainInput(input: DomainInput, creating: boolean): { domain: string | undefined } {
  const problems: FieldError[] = [];
  let domain: string | undefined;
  if (input.domain !== undefined || creating) {
    const r = validateDomainInput(input.domain ?? '');
    if (r.ok) domain = r.domain;
    else problems.push({ field: 'domain', message: r.message, type: 'format' });
  }
  if (input.environment !== undefined && !ENVIRONMENTS.includes(input.environment)) {
    problems.push({ field: 'environment', message: 'The selected environment is invalid.', type: 'enum' });
  }
  if (problems.length) throw Invalid(problems);
  return { domain };
}
