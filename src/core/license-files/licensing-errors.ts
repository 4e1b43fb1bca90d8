import { BadRequest, DomainError, Forbidden, invalidField } from '../errors.js';

/**
 * Every error code signed licensing (signing keys, signed answers, license files) adds, in one
 * place, for the error catalogue of core/errors.ts.
 */
export const LicensingErrors = {
  badAcceptSignature: () =>
    BadRequest(
      'bad_accept_signature',
      'Accept-Signature must be a structured dictionary such as sig1=("@status" "content-digest");nonce="<nonce>".',
    ),
  licenseNotActive: (status: 'revoked' | 'expired') =>
    status === 'revoked'
      ? Forbidden('license_revoked', 'This license is revoked: it gets no license file.')
      : Forbidden('license_expired', 'This license is expired: it gets no license file.'),
  notPaid: () => Forbidden('not_paid', 'This project has not been paid for: it gets no license file.'),
  projectGone: () => Forbidden('project_gone', 'The project of this license no longer exists.'),
  checkoutLimit: (limit: number, retryAfterSeconds: number) =>
    new DomainError(
      'rate_limited',
      'checkout_limit',
      `This license has had its ${limit} license files of the last 24 hours.`,
      [],
      retryAfterSeconds,
    ),
  deviceNotActivated: () => Forbidden('device_not_activated', 'This device is not activated for this license.'),
  badTtl: (min: number, max: number) => invalidField('ttl', `The ttl must be between ${min} and ${max} seconds.`),
  licenseKeyMismatch: () => invalidField('license_key', "The license_key is not this license's key.", 'mismatch'),
  encryptionNeedsKey: () =>
    invalidField('encrypt', "Encrypting a license file needs the license's license_key in the body.", 'missing'),
};
