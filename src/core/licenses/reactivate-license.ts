import type { Context } from '../../context.js';
import { Forbidden } from '../errors.js';
import type { Principal } from '../principal.js';
import { licenseStatus, type License } from './license.js';
import { setLicenseStatus } from './set-license-status.js';

/** Reactivates a revoked license that has not expired meanwhile; anything else is 403 (set-license-status.ts). */
export function reactivateLicense(
  ctx: Pick<Context, 'db' | 'clock' | 'runtime'>,
  principal: Principal,
  projectId: string,
  licenseId: string,
): Promise<License> {
  return setLicenseStatus(ctx, principal, projectId, licenseId, {
    from: 'revoked',
    to: 'active',
    event: 'license.reactivated',
    refusal: (row, now) => {
      const why = row.status === 'revoked' ? 'it has expired' : `it is ${licenseStatus(row, now)}`;
      return Forbidden('license_not_revoked', `Only a revoked, unexpired license can be reactivated; ${why}.`);
    },
  });
}
