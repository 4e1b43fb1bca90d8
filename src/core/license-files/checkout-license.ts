import { timingSafeEqual } from 'node:crypto';
import type { Context } from '../../context.js';
import type { Actor } from '../audit/record-audit.js';
import { NotFound } from '../errors.js';
import { hashKey } from '../keys/secret-key.js';
import { findLicenseRow } from '../licenses/get-license.js';
import { projectInScope } from '../projects/project-in-scope.js';
import type { Principal } from '../principal.js';
import { issueFile, type Checkout, type CheckoutInput, type FileProject } from './issue-file.js';
import { LicensingErrors } from './licensing-errors.js';

type Ctx = Parameters<typeof issueFile>[0];

/**
 * The license holder's checkout, once the runtime check has let the key through here (the
 * face runs it: key, domain binding, address rules, as for has-paid). Encrypted for that key
 * unless `encrypt: false`.
 */
export async function checkoutForHolder(
  ctx: Ctx,
  actor: Actor,
  licenseKey: string,
  input: CheckoutInput & { encrypt?: boolean },
): Promise<Checkout> {
  const hash = hashKey(licenseKey);
  // A rerolled license's old key too: the runtime check before this has refused it past its overlap.
  const row = await ctx.db
    .selectFrom('licenses')
    .selectAll()
    .where((eb) => eb.or([eb('key_hash', '=', hash), eb('previous_key_hash', '=', hash)]))
    .executeTakeFirst();
  if (!row) throw NotFound('license');
  const project = await ctx.db
    .selectFrom('projects')
    .select(['id', 'owner_id', 'name', 'has_paid'])
    .where('id', '=', row.project_id)
    .executeTakeFirst();
  if (!project) throw NotFound('license');
  const fileProject: FileProject = {
    id: project.id,
    ownerId: project.owner_id,
    name: project.name,
    hasPaid: Boolean(project.has_paid),
  };
  return issueFile(ctx, actor, row, fileProject, input, input.encrypt === false ? null : licenseKey);
}

/**
 * The developer's checkout of one of their licenses, for a customer without a network. The
 * server keeps only a hash of the license key, so the file is encrypted only when the body
 * carries that license's key (checked against the hash); without it the file is signed only.
 */
export async function checkoutForOwner(
  ctx: Ctx & Pick<Context, 'db'>,
  principal: Principal,
  projectId: string,
  licenseId: string,
  input: CheckoutInput & { encrypt?: boolean; licenseKey?: string | null },
): Promise<Checkout> {
  const project = await projectInScope(ctx, principal, projectId);
  const row = await findLicenseRow(ctx.db, project.id, licenseId);
  const key = input.licenseKey ?? null;
  if (key !== null && !timingSafeEqual(Buffer.from(hashKey(key)), Buffer.from(row.key_hash)))
    throw LicensingErrors.licenseKeyMismatch();
  if (key === null && input.encrypt === true) throw LicensingErrors.encryptionNeedsKey();
  const encryptFor = key !== null && input.encrypt !== false ? key : null;
  return issueFile(ctx, principal, row, project, input, encryptFor);
}
