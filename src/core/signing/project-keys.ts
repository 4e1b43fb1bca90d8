import { sql } from 'kysely';
import type { Context } from '../../context.js';
import { isUuid } from '../../lib/ids.js';
import { toIso } from '../../lib/time.js';
import type { SigningKeyStatus } from '../../db/schema/signing-keys.js';
import { newKeyPair, openKeyPair, type SigningKey } from './key-pair.js';

type Ctx = Pick<Context, 'db' | 'clock' | 'keys'>;

/** A signing key as its project's owner and verifiers see it. */
export interface PublishedKey {
  kid: string;
  alg: 'ed25519';
  publicKey: string;
  status: SigningKeyStatus;
  createdAt: string;
  retiresAt: string | null;
}

/**
 * The keys of a project that still verify: the active one and those retiring whose
 * `retires_at` has not come (a retired key is gone from every list, whether or not its row
 * has been deleted). Newest first. Made on first use, so every existing project has one.
 */
export async function publishedKeys(ctx: Ctx, projectId: string): Promise<PublishedKey[]> {
  await ensureActiveKey(ctx, projectId);
  const now = ctx.clock.now();
  const rows = await ctx.db
    .selectFrom('signing_keys')
    .select(['kid', 'public_key', 'status', 'created_at', 'retires_at'])
    .where('project_id', '=', projectId)
    .where((eb) => eb.or([eb('status', '=', 'active'), eb('retires_at', '>', now)]))
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .execute();
  return rows.map((r) => ({
    kid: r.kid,
    alg: 'ed25519' as const,
    publicKey: r.public_key,
    status: r.status,
    createdAt: toIso(r.created_at),
    retiresAt: toIso(r.retires_at),
  }));
}

/**
 * The project's active key, made when it has none yet; null when there is no such project.
 * Two first uses at once both insert; the one-active index keeps the first and the other reads it.
 */
export async function ensureActiveKey(ctx: Ctx, projectId: string): Promise<SigningKey | null> {
  if (!isUuid(projectId)) return null;
  const active = () =>
    ctx.db
      .selectFrom('signing_keys')
      .select(['kid', 'private_key_enc'])
      .where('project_id', '=', projectId)
      .where('status', '=', 'active')
      .executeTakeFirst();
  let row = await active();
  if (!row) {
    // The conflict target names the partial index by its predicate, which SQLite matches only as a literal.
    const project = await ctx.db.selectFrom('projects').select('id').where('id', '=', projectId).executeTakeFirst();
    if (!project) return null;
    const pair = newKeyPair(ctx.keys.seal);
    await ctx.db
      .insertInto('signing_keys')
      .values({
        kid: pair.kid,
        project_id: projectId,
        status: 'active',
        public_key: pair.publicPem,
        private_key_enc: pair.privateSealed,
        created_at: ctx.clock.now(),
        retires_at: null,
      })
      .onConflict((oc) => oc.column('project_id').where('status', '=', sql.lit('active')).doNothing())
      .execute();
    row = await active();
    if (!row) return null;
  }
  return openKeyPair(ctx.keys.seal, row.kid, row.private_key_enc);
}
