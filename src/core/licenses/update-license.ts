import type { Context } from '../../context.js';
import { isUniqueViolation } from '../../lib/db-errors.js';
import { Conflict } from '../errors.js';
import { licenseData } from '../events/event-data.js';
import { givenFields, recordChange } from '../events/record-change.js';
import type { Principal } from '../principal.js';
import { projectInScope } from '../projects/project-in-scope.js';
import { noteRuntimeChange } from '../runtime/changes.js';
import { releaseAt } from '../devices/device.js';
import { findLicenseRow } from './get-license.js';
import { checkLicenseInput, licenseColumns, type LicenseInput } from './license-input.js';
import { checkLicenseRefs, TITLE_TAKEN } from './license-refs.js';
import { toLicense, type License } from './license.js';

/**
 * Changes the writable fields a body gives (PATCH): the others keep their values. The body is
 * checked as a create's would be, over the license's current values, except that a kept
 * expires_at is not asked to be in the future. The runtime is told in the same transaction.
 */
export async function updateLicense(
  ctx: Pick<Context, 'db' | 'clock' | 'runtime'>,
  principal: Principal,
  projectId: string,
  licenseId: string,
  input: LicenseInput,
): Promise<License> {
  const project = await projectInScope(ctx, principal, projectId);
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const row = await findLicenseRow(trx, project.id, licenseId);
      const keep = <T>(given: T | undefined, current: T): T => (given === undefined ? current : given);
      const checked = checkLicenseInput(
        {
          title: keep(input.title, row.title),
          expiresAt: input.expiresAt,
          domainId: keep(input.domainId, row.domain_id),
          maxDomains: keep(input.maxDomains, row.max_domains),
          maxSubdomainsPerDomain: keep(input.maxSubdomainsPerDomain, row.max_subdomains_per_domain),
          maxUsagePerDay: keep(input.maxUsagePerDay, row.max_usage_per_day),
          allowedIps: keep(input.allowedIps, row.allowed_ips),
          allowedCountries: keep(input.allowedCountries, row.allowed_countries),
          isTestLicense: keep(input.isTestLicense, Boolean(row.is_test_license)),
          maxDevices: keep(input.maxDevices, row.max_devices),
          heartbeatInterval: keep(input.heartbeatInterval, row.heartbeat_interval),
          componentMatch: keep(input.componentMatch, row.component_match),
        },
        now,
      );
      await checkLicenseRefs(trx, project.id, checked, row.id);
      const updated = await trx
        .updateTable('licenses')
        .set({
          ...licenseColumns(checked),
          expires_at: input.expiresAt === undefined ? row.expires_at : checked.expiresAt,
          updated_at: now,
        })
        .where('id', '=', row.id)
        .returningAll()
        .executeTakeFirstOrThrow();
      if (input.heartbeatInterval !== undefined) {
        // A new interval counts from now for every active device: none is released for a past silence it was not asked to break.
        await trx
          .updateTable('license_devices')
          .set({ release_at: releaseAt(now, checked.heartbeatInterval) })
          .where('license_id', '=', row.id)
          .where('status', '=', 'active')
          .execute();
      }
      await noteRuntimeChange(trx, ctx, { projectId: project.id, licenseId: row.id });
      const license = toLicense(updated, now);
      await recordChange(trx, ctx, principal, {
        type: 'license.updated',
        project,
        target: { type: 'license', id: row.id },
        data: licenseData(license),
        changedFields: givenFields(input),
      });
      return license;
    });
  } catch (err) {
    if (isUniqueViolation(err, 'title')) throw Conflict('title', 'license_title_taken', TITLE_TAKEN);
    throw err;
  }
}
