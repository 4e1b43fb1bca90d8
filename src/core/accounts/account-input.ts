import type { Role } from '../../db/schema/index.js';
import { Invalid } from '../errors.js';
import { passwordProblems } from './passwords.js';

export interface RegisterInput {
  email: string;
  password: string;
  fullName: string | null;
}

/** A freshly registered account; tokens and provisioning are filled by the role that has them. */
export interface Registered {
  id: string;
  email: string;
  fullName: string | null;
  role: Role;
  isActive: boolean;
  createdAt: string;
  projectId: string | null;
  /** Developers: the first project and its keys, in the clear this once. */
  provisioning: { projectId: string; developerKey: string; apiKey: string } | null;
  /** End users: a session straight away (register.mdx). */
  tokens: { accessToken: string; refreshToken: string } | null;
}

const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The one shape check for an email address (after trimming): local@domain.tld, at most 320 characters. */
export function isEmailAddress(email: string): boolean {
  return EMAIL_RE.test(email) && email.length <= 320;
}

/** The form emails are compared and unique in: trimmed, lower case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Every problem at once: a bad email and a weak password are both reported. */
export function checkRegisterInput(input: RegisterInput): void {
  const problems = passwordProblems(input.password);
  const email = input.email.trim();
  if (!isEmailAddress(email)) {
    problems.unshift({ field: 'email', message: 'value is not a valid email address', type: 'value_error.email' });
  }
  if (problems.length) throw Invalid(problems);
}
