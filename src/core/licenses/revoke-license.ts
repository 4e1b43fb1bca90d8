import type { Context } from '../../context.js';
import { Forbidden } from '../errors.js';
import type { Principal } from '../principal.js';
import { licenseStatus, type License } from './license.js';
import { setLicenseStatus } from './set-license-status.js';

/** Revokes an active license; anything else is 403 (set-license-status.ts). */
export function revokeLicense(
  ctx: Pick<Context, 'db' | 'clock' | 'runtime'>,
  principal: Principal,
  projectId: string,
  licenseId: string,
): Promise<License> {
  return setLicenseStatus(ctx, principal, projectId, licenseId, {
    from: 'active',
    to: 'revoked',
    event: 'license.revoked',
    refusal: (row, now) =>
      Forbidden(
        'license_not_active',
        `Only an active license can be revoked; this license is ${licenseStatus(row, now)}.`,
      ),
  });
}
