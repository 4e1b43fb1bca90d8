import type { Selectable } from 'kysely';
import type { Context } from '../../context.js';
import type { LicensesTable } from '../../db/schema/licenses.js';
import { uuidv7 } from '../../lib/ids.js';
import { toIso } from '../../lib/time.js';
import type { Actor } from '../audit/record-audit.js';
import { recordChange } from '../events/record-change.js';
import { dayWindowRetryAfter } from '../licenses/day-window.js';
import { licenseStatus } from '../licenses/license.js';
import { licenseFile, type LicenseFilePlaintext } from './license-file.js';
import { LicensingErrors } from './licensing-errors.js';

type Ctx = Pick<Context, 'db' | 'dialect' | 'clock' | 'config' | 'signingKeys'>;

export const MIN_TTL = 3_600;
export const MAX_TTL = 365 * 86_400;
export const DEFAULT_TTL = 30 * 86_400;

export interface CheckoutInput {
  ttl?: number;
  fingerprint?: string | null;
}

export interface Checkout {
  certificate: string;
  issuedAt: string;
  expiresAt: string;
  ttl: number;
}

/** The project a file names, as read with its license. */
export interface FileProject {
  id: string;
  ownerId: string;
  name: string;
  hasPaid: boolean;
}

/** The hosts the license may run on: its pinned domain, else its project's domains. */
async function domainsOf(ctx: Ctx, license: Selectable<LicensesTable>): Promise<string[]> {
  let q = ctx.db.selectFrom('domains').select('domain').where('project_id', '=', license.project_id);
  if (license.domain_id !== null) q = q.where('id', '=', license.domain_id);
  return (await q.orderBy('domain').execute()).map((d) => d.domain);
}

/**
 * The device a machine file names: for a license with max_devices, one of its active devices
 * (so a file cannot be bound to a machine that holds no seat), with the name it was activated
 * with; else the fingerprint as given.
 */
async function deviceOf(
  ctx: Ctx,
  license: Selectable<LicensesTable>,
  fingerprint: string | null,
): Promise<LicenseFilePlaintext['device']> {
  if (fingerprint === null) return null;
  if (license.max_devices === null) return { fingerprint, name: null };
  const device = await ctx.db
    .selectFrom('license_devices')
    .select(['fingerprint', 'name'])
    .where('license_id', '=', license.id)
    .where('fingerprint', '=', fingerprint)
    .where('status', '=', 'active')
    .executeTakeFirst();
  if (!device) throw LicensingErrors.deviceNotActivated();
  return { fingerprint: device.fingerprint, name: device.name };
}

/** A revoked, expired or unpaid license gets no file. */
function refuseUnless(license: Selectable<LicensesTable>, project: FileProject, now: Date): void {
  const status = licenseStatus(license, now);
  if (status !== 'active') throw LicensingErrors.licenseNotActive(status);
  if (!project.hasPaid) throw LicensingErrors.notPaid();
}

/**
 * Issues one file: counted against LICENSE_CHECKOUTS_PER_DAY in the same transaction as its
 * row and its `license.checked_out` event, with the license row locked on PostgreSQL (SQLite's
 * write lock serializes it), so the limit holds across processes exactly.
 */
export async function issueFile(
  ctx: Ctx,
  actor: Actor,
  license: Selectable<LicensesTable>,
  project: FileProject,
  input: CheckoutInput,
  encryptFor: string | null,
): Promise<Checkout> {
  const now = ctx.clock.now();
  refuseUnless(license, project, now);
  const ttl = input.ttl ?? DEFAULT_TTL;
  if (!Number.isInteger(ttl) || ttl < MIN_TTL || ttl > MAX_TTL) throw LicensingErrors.badTtl(MIN_TTL, MAX_TTL);
  const fingerprint = input.fingerprint ?? null;
  const device = await deviceOf(ctx, license, fingerprint);
  const key = await ctx.signingKeys.project(project.id);
  if (key === null) throw LicensingErrors.projectGone();

  const licenseEnd = license.expires_at === null ? Infinity : new Date(license.expires_at).getTime();
  const expiry = new Date(Math.min(now.getTime() + ttl * 1000, licenseEnd));
  const plaintext: LicenseFilePlaintext = {
    meta: {
      issued: now.toISOString(),
      expiry: expiry.toISOString(),
      ttl,
      server_time: now.toISOString(),
      kid: key.kid,
    },
    license: {
      id: license.id,
      project_id: project.id,
      status: 'active',
      expires_at: toIso(license.expires_at),
      max_domains: license.max_domains === null ? null : Number(license.max_domains),
      max_devices: license.max_devices === null ? null : Number(license.max_devices),
      domains: await domainsOf(ctx, license),
      is_test: Boolean(license.is_test_license),
      meta: { title: license.title },
    },
    device,
    project: { id: project.id, name: project.name, has_paid: project.hasPaid },
  };

  await ctx.db.transaction().execute(async (trx) => {
    if (ctx.dialect === 'postgres')
      await trx.selectFrom('licenses').select('id').where('id', '=', license.id).forUpdate().execute();
    const limit = ctx.config.licenseCheckoutsPerDay;
    const retryAfter = await dayWindowRetryAfter(trx, 'license_checkouts', license.id, limit, now);
    if (retryAfter !== null) throw LicensingErrors.checkoutLimit(limit, retryAfter);
    await trx
      .insertInto('license_checkouts')
      .values({
        id: uuidv7(now.getTime()),
        license_id: license.id,
        project_id: project.id,
        kid: key.kid,
        fingerprint,
        created_at: now,
        expires_at: expiry,
      })
      .execute();
    await recordChange(trx, ctx, actor, {
      type: 'license.checked_out',
      project,
      target: { type: 'license', id: license.id },
      data: {
        license_id: license.id,
        project_id: project.id,
        kid: key.kid,
        device_bound: fingerprint !== null,
        encrypted: encryptFor !== null,
        issued_at: now.toISOString(),
        expires_at: expiry.toISOString(),
      },
    });
  });
  const certificate = licenseFile(plaintext, { key, encryptFor, fingerprint });
  return { certificate, issuedAt: now.toISOString(), expiresAt: expiry.toISOString(), ttl };
}
