import { noteRuntimeChange } from '../../src/core/runtime/changes.js';
import { createDecipheriv, createHash, createHmac, randomUUID } from 'node:crypto';
import type { Context } from '../../src/context.js';
import { hashKey } from '../../src/core/keys/secret-key.js';
import type { Environment } from '../../src/db/schema/domains.js';
import { sealSecret, sha256Hex } from '../../src/lib/crypto.js';
import { uuidv7 } from '../../src/lib/ids.js';

/** Rows the runtime check reads, written straight into their tables (management routes are tested elsewhere). */

export async function seedProject(
  ctx: Context,
  ownerId: string,
  opts: { hasPaid?: boolean; isActive?: boolean } = {},
): Promise<string> {
  const id = uuidv7();
  await ctx.db
    .insertInto('projects')
    .values({
      id,
      owner_id: ownerId,
      name: `Project ${id.slice(-6)}`,
      slug: `project-${id}`,
      description: null,
      default_redirect_url: null,
      webhook_url: null,
      logo_url: null,
      webhook_secret_enc: null,
      meta: null,
      is_active: opts.isActive ?? true,
      has_paid: opts.hasPaid ?? true,
      created_at: ctx.clock.now(),
      updated_at: null,
    })
    .execute();
  return id;
}

export interface LicenseOptions {
  status?: 'active' | 'revoked';
  expiresAt?: Date | null;
  domainId?: string | null;
  maxDomains?: number | null;
  maxSubdomainsPerDomain?: number | null;
  maxUsagePerDay?: number | null;
  allowedIps?: string | null;
  allowedCountries?: string | null;
  isTest?: boolean;
  /** Note the runtime change createLicense notes (default); off for a schema older than migration 009. */
  note?: boolean;
}

export async function seedLicense(
  ctx: Context,
  projectId: string,
  o: LicenseOptions = {},
): Promise<{ id: string; key: string }> {
  const id = uuidv7();
  const key = randomUUID();
  // In a transaction with its runtime change, as createLicense does: the key filter learns the key.
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('licenses')
      .values({
        id,
        project_id: projectId,
        title: `License ${id}`,
        key_hash: hashKey(key),
        key_prefix: key.slice(0, 8),
        status: o.status ?? 'active',
        expires_at: o.expiresAt ?? null,
        domain_id: o.domainId ?? null,
        max_domains: o.maxDomains ?? null,
        max_subdomains_per_domain: o.maxSubdomainsPerDomain ?? null,
        max_usage_per_day: o.maxUsagePerDay ?? null,
        allowed_ips: o.allowedIps ?? null,
        allowed_countries: o.allowedCountries ?? null,
        is_test_license: o.isTest ?? false,
        revoked_at: o.status === 'revoked' ? ctx.clock.now() : null,
        created_at: ctx.clock.now(),
        updated_at: null,
      })
      .execute();
    if (o.note !== false) await noteRuntimeChange(trx, ctx, { projectId, licenseId: id, keyHash: hashKey(key) });
  });
  return { id, key };
}

export async function seedDomain(
  ctx: Context,
  projectId: string,
  domain: string,
  o: { environment?: Environment; hasPaid?: boolean; isActive?: boolean } = {},
): Promise<string> {
  const id = uuidv7();
  await ctx.db
    .insertInto('domains')
    .values({
      id,
      project_id: projectId,
      domain,
      environment: o.environment ?? 'production',
      is_primary: false,
      is_verified: true,
      is_active: o.isActive ?? true,
      has_paid: o.hasPaid ?? false,
      created_at: ctx.clock.now(),
      updated_at: null,
    })
    .execute();
  return id;
}

export async function seedInjectable(
  ctx: Context,
  projectId: string,
  o: { slug: string; content: string; secret: string; onlyIfPaid?: boolean; isActive?: boolean; targetPath?: string },
): Promise<string> {
  const id = uuidv7();
  await ctx.db
    .insertInto('injectables')
    .values({
      id,
      project_id: projectId,
      title: o.slug,
      slug: o.slug,
      type: 'script',
      mode: 'inject',
      target_path: o.targetPath ?? null,
      content_enc: sealSecret(ctx.keys.seal, o.content),
      content_hash: sha256Hex(o.content),
      secret_enc: sealSecret(ctx.keys.seal, o.secret),
      only_if_paid: o.onlyIfPaid ?? true,
      is_active: o.isActive ?? true,
      created_at: ctx.clock.now(),
      updated_at: null,
    })
    .execute();
  return id;
}

/**
 * Opens a delivered item the way the spec says clients do: verify the HMAC of the delivered
 * string, base64-decode it, split IV and ciphertext on "::", AES-256-CBC with SHA-256(secret).
 */
export function openDelivered(delivered: string, signature: string, secret: string): { plaintext: string; iv: Buffer } {
  const expected = createHmac('sha256', secret).update(delivered).digest('hex');
  if (expected !== signature) throw new Error('signature does not verify');
  const raw = Buffer.from(delivered, 'base64');
  const sep = raw.indexOf('::');
  const iv = raw.subarray(0, sep);
  const ciphertext = Buffer.from(raw.subarray(sep + 2).toString('latin1'), 'base64');
  const key = createHash('sha256').update(secret).digest();
  const decipher = createDecipheriv('aes-256-cbc', key, iv);
  return { plaintext: Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8'), iv };
}
