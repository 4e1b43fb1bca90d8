import { Invalid, type FieldError } from '../errors.js';

/** Fields a project can be created or updated with; undefined = not given. */
export interface ProjectInput {
  name?: string;
  slug?: string | null;
  description?: string | null;
  defaultRedirectUrl?: string | null;
  webhookUrl?: string | null;
  logoUrl?: string | null;
  webhookSecret?: string | null;
  meta?: Record<string, unknown> | null;
  hasPaid?: boolean;
  isActive?: boolean;
}

export const SLUG_RE = /^[A-Za-z0-9_-]+$/;

/**
 * The invariants every face allows (the devkit face is stricter on name and description
 * at its own edge). Throws Invalid with every problem found, not just the first.
 */
export function checkProjectInput(input: ProjectInput, creating: boolean): void {
  const problems: FieldError[] = [];
  const add = (field: string, message: string, type: string) => problems.push({ field, message, type });
  if (input.name !== undefined || creating) {
    const name = input.name?.trim() ?? '';
    if (!name) add('name', 'The name field is required.', 'missing');
    else if (name.length > 255) add('name', 'The name may not be greater than 255 characters.', 'too_long');
  }
  if (input.slug !== undefined && input.slug !== null) {
    if (input.slug.length > 255) add('slug', 'The slug may not be greater than 255 characters.', 'too_long');
    else if (!SLUG_RE.test(input.slug))
      add('slug', 'The slug may only contain letters, numbers, dashes and underscores.', 'alpha_dash');
  }
  if (input.description && input.description.length > 1000) {
    add('description', 'The description may not be greater than 1000 characters.', 'too_long');
  }
  for (const [field, value] of [
    ['default_redirect_url', input.defaultRedirectUrl],
    ['webhook_url', input.webhookUrl],
    ['logo_url', input.logoUrl],
  ] as const) {
    if (value && !isHttpUrl(value)) add(field, `The ${field.replace(/_/g, ' ')} must be a valid URL.`, 'url');
  }
  if (input.webhookSecret && input.webhookSecret.length > 255) {
    add('webhook_secret', 'The webhook secret may not be greater than 255 characters.', 'too_long');
  }
  if (problems.length) throw Invalid(problems);
}

export function isHttpUrl(value: string): boolean {
  if (value.length > 2048) return false;
  try {
    const u = new URL(value);
    return (u.protocol === 'http:' || u.protocol === 'https:') && !!u.hostname;
  } catch {
    return false;
  }
}

/** "My SaaS App!" -> "my-saas-app"; never empty. */
export function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 200);
  return base || 'project';
}
