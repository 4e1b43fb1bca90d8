import { randomUUID } from 'node:crypto';
import type { Context } from '../src/context.js';
import { hashKey } from '../src/core/keys/secret-key.js';
import { uuidv7 } from '../src/lib/ids.js';

export interface BenchSeed {
  /** A sample of keys with the domain each may be checked from. */
  sample: Array<{ key: string; domain: string }>;
}

/** Rows per INSERT: 17 columns x 1,500 stays under PostgreSQL's 65,535 parameters. */
const CHUNK = 1_500;

/**
 * One developer, `projects` paid projects each with one registered production domain, and
 * `licenses` licenses spread over them, written in batches inside one transaction.
 */
export async function seedBench(
  ctx: Pick<Context, 'db' | 'clock'>,
  licenses: number,
  projects: number,
  sampleSize: number,
): Promise<BenchSeed> {
  const now = ctx.clock.now();
  const ownerId = uuidv7();
  const projectIds = Array.from({ length: projects }, () => uuidv7());
  const sample: BenchSeed['sample'] = [];
  const every = Math.max(1, Math.floor(licenses / sampleSize));
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('users')
      .values({
        id: ownerId,
        email: 'bench@example.com',
        email_scope: 'global',
        email_lower: 'bench@example.com',
        password_hash: 'not-a-login',
        full_name: 'Bench',
        role: 'developer',
        project_id: null,
        tier: 'free_starter',
        is_active: true,
        email_verified_at: now,
        created_at: now,
      })
      .execute();
    for (let i = 0; i < projects; i += CHUNK) {
      const ids = projectIds.slice(i, i + CHUNK);
      await trx
        .insertInto('projects')
        .values(
          ids.map((id, j) => ({
            id,
            owner_id: ownerId,
            name: `Bench ${i + j}`,
            slug: `bench-${i + j}`,
            description: null,
            default_redirect_url: null,
            webhook_url: null,
            logo_url: null,
            webhook_secret_enc: null,
            meta: null,
            is_active: true,
            has_paid: true,
            created_at: now,
            updated_at: null,
          })),
        )
        .execute();
      await trx
        .insertInto('domains')
        .values(
          ids.map((id, j) => ({
            id: uuidv7(),
            project_id: id,
            domain: `p${i + j}.example.com`,
            environment: 'production' as const,
            is_primary: true,
            is_verified: true,
            is_active: true,
            has_paid: true,
            created_at: now,
            updated_at: null,
          })),
        )
        .execute();
    }
    for (let i = 0; i < licenses; i += CHUNK) {
      const rows = [];
      for (let n = i; n < Math.min(licenses, i + CHUNK); n++) {
        const key = randomUUID();
        const p = n % projects;
        if (n % every === 0 && sample.length < sampleSize) sample.push({ key, domain: `p${p}.example.com` });
        rows.push({
          id: uuidv7(),
          project_id: projectIds[p]!,
          title: `License ${n}`,
          key_hash: hashKey(key),
          key_prefix: key.slice(0, 8),
          status: 'active' as const,
          expires_at: null,
          domain_id: null,
          max_domains: null,
          max_subdomains_per_domain: null,
          max_usage_per_day: null,
          allowed_ips: null,
          allowed_countries: null,
          is_test_license: false,
          revoked_at: null,
          created_at: now,
          updated_at: null,
        });
      }
      await trx.insertInto('licenses').values(rows).execute();
    }
  });
  return { sample };
}
