import { DomainError, Forbidden, NotFound, Unauthenticated } from '../errors.js';

/** Every error code devices and seats add, in one place, for the error catalogue of core/errors.ts. */
export const DeviceErrors = {
  licenseRequired: () =>
    Unauthenticated('license_required', 'Missing license key: send it in the X-LICENSE-KEY header.'),
  invalidLicense: () => Forbidden('invalid_license', 'Invalid license key.'),
  licenseNotActive: (status: 'revoked' | 'expired') =>
    status === 'revoked'
      ? Forbidden('license_revoked', 'This license is revoked.')
      : Forbidden('license_expired', 'This license is expired.'),
  seatLimit: (max: number) => Forbidden('device_limit', `This license has reached its limit of ${max} device(s).`),
  changeLimit: (limit: number, retryAfterSeconds: number) =>
    new DomainError(
      'rate_limited',
      'device_change_limit',
      `This license has had its ${limit} device activations and deactivations of the last 24 hours.`,
      [],
      retryAfterSeconds,
    ),
  notFound: () => NotFound('device'),
};
