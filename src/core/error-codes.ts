import type { ErrorKind } from './errors.js';
import type { RefusalOutcome } from './runtime/rules.js';

/**
 * Every error code Tollgate answers with, once: its kind (which each face turns into a status,
 * http/framework-errors.ts) and what it means. The factories of errors.ts take only these codes,
 * /docs shows this table (http/error-codes-doc.ts), and test/http/error-codes.test.ts fails when
 * src/ uses a code that is not here, or this lists one nothing uses.
 *
 * `malformed` and `internal` are not domain errors: a body or URL we cannot read (400, or 413 /
 * 415 for its size or media type) and an unexpected failure (500); the console names them.
 */
type Kind = ErrorKind | 'malformed' | 'internal';
interface Entry {
  kind: Kind;
  meaning: string;
}
const e = (kind: Kind, meaning: string): Entry => ({ kind, meaning });

export const ERROR_CODES = {
  // Input and framework
  invalid: e('invalid', 'The input breaks a rule; the field errors say which fields and why.'),
  malformed: e(
    'malformed',
    'The body or URL cannot be read: malformed JSON or multipart, invalid UTF-8, a NUL character, too large, or an unsupported media type.',
  ),
  internal: e('internal', 'An unexpected failure on the server; the answer carries the request id to quote.'),
  not_found: e('not_found', 'No such route.'),
  rate_limited: e('rate_limited', "Too many requests for the caller's plan; retry after the Retry-After seconds."),

  // Credentials (http/auth.ts)
  not_authenticated: e('unauthenticated', 'No bearer token was sent.'),
  bad_token: e(
    'unauthenticated',
    'The bearer token is invalid, expired, or its account is disabled or signed out everywhere.',
  ),
  role_required: e('forbidden', 'The X-User-Role header is missing.'),
  developer_required: e('forbidden', 'Only a developer may do this.'),
  end_user_required: e('forbidden', 'Only an end user may do this.'),
  operator_required: e('forbidden', 'Only a platform operator may do this.'),
  developer_key_required: e('forbidden', 'The X-Developer-Key header is missing.'),
  bad_developer_key: e('forbidden', "The developer key is unknown, revoked, or not the caller's."),
  api_key_required: e('unauthenticated', 'The X-API-KEY (or X-API-Key) header is missing.'),
  bad_api_key: e('forbidden', 'The API key is unknown, revoked, expired, or not of this project.'),
  operator_key_required: e('unauthenticated', 'The X-Operator-Key header is missing.'),
  bad_operator_key: e('forbidden', 'The operator key is unknown or revoked.'),
  project_mismatch: e('forbidden', "X-Project-ID is not the end user's project."),
  project_id_required: e('bad_request', 'X-Project-ID is required to sign in or register an end user.'),
  bad_project_id: e('bad_request', 'X-Project-ID is not a project id.'),
  registration_closed: e(
    'forbidden',
    'Public registration is off: register with X-Operator-Key, or an end user with X-Developer-Key and X-Project-ID.',
  ),
  insufficient: e('forbidden', 'An end user may not change or delete a project.'),
  project_scope: e('forbidden', 'A project-scoped API key used on another project.'),
  project_scoped_key: e('forbidden', 'A project-scoped API key may not create projects; use a global key.'),

  // Accounts and sessions
  bad_credentials: e('unauthenticated', 'Wrong email or password.'),
  not_activated: e('bad_request', 'The account is not active yet (email not verified).'),
  bad_verification_token: e('bad_request', 'The email verification token is wrong, used or expired.'),
  bad_refresh_token: e('unauthenticated', 'The refresh token is unknown, revoked, or its account disabled.'),
  refresh_token_reused: e('unauthenticated', 'A refresh token was used twice: the session is revoked.'),
  email_taken: e('conflict', 'An account with this email exists.'),
  key_taken: e('conflict', 'TOLLGATE_OPERATOR_KEY is already the key of another account.'),
  user_not_found: e('not_found', 'No such account.'),
  developer_not_found: e('not_found', 'No such developer.'),
  end_user_not_found: e('not_found', "No such end user in the caller's projects."),
  setting_not_found: e(
    'not_found',
    'Instance settings are for operators only (others are answered as if there were none).',
  ),

  // Console (http/console)
  not_signed_in: e('unauthenticated', 'No console session, or it has ended.'),
  csrf_header: e('forbidden', 'A console change without its anti-CSRF header.'),
  csrf_origin: e('forbidden', 'A console change from another origin.'),
  sign_up_closed: e('forbidden', 'Sign-up from the console is off on this instance.'),
  session_not_found: e('not_found', 'No such session of the signed-in account.'),

  // Keys
  developer_key_limit: e('limit_reached', 'The developer already has the most active developer keys allowed (10).'),
  developer_key_in_use: e('forbidden', 'The developer key making the request cannot revoke itself.'),
  developer_key_inactive: e('bad_request', 'The developer key is already revoked or inactive.'),
  developer_key_not_found: e('not_found', 'No such developer key.'),
  api_key_limit: e('limit_reached', 'The project has the most active API keys its plan allows.'),
  api_key_inactive: e('bad_request', 'The API key is already revoked or inactive.'),
  api_key_not_found: e('not_found', 'No such API key in this project.'),

  // Projects and end users
  project_not_found: e('not_found', 'No such project for this caller.'),
  project_limit: e('limit_reached', 'The developer has as many projects as the plan allows.'),
  project_name_taken: e('conflict', 'The developer already has a project of this name.'),
  project_slug_taken: e('conflict', 'A project with this slug exists.'),
  end_user_limit: e('limit_reached', 'The project has as many end users as the plan allows.'),

  // Licenses, domains, injectables
  license_not_found: e('not_found', 'No such license in this project.'),
  license_title_taken: e('conflict', 'The project has a license of this title.'),
  license_not_active: e('forbidden', 'Only an active license can be revoked.'),
  license_not_revoked: e('forbidden', 'Only a revoked, unexpired license can be reactivated.'),
  domain_not_found: e('not_found', 'No such domain in this project.'),
  domain_taken: e('conflict', 'The project has this domain already.'),
  domain_pinned: e('conflict', 'A license is pinned to this domain: unpin or delete it first.'),
  injectable_not_found: e('not_found', 'No such injectable in this project.'),
  injectable_slug_taken: e('conflict', 'The project has an injectable with this slug.'),

  // The runtime check (core/licenses/check-license.ts; its outcomes, lower-cased)
  license_required: e('unauthenticated', 'No license key was sent.'),
  invalid_license: e('forbidden', 'The license key is unknown.'),
  too_many_unknown_keys: e('rate_limited', 'Too many unknown license keys from this address; retry later.'),
  revoked: e('forbidden', 'The license is revoked.'),
  expired: e('forbidden', 'The license has expired.'),
  project_inactive: e('forbidden', "The license's project is inactive."),
  domain_required: e('bad_request', 'The license is pinned to a domain and the check sent none.'),
  bad_domain: e('bad_request', 'The domain sent is not a host name or address.'),
  domain_mismatch: e('forbidden', 'The license is not for this domain.'),
  domain_inactive: e('forbidden', 'The domain is inactive.'),
  test_license_domain: e('forbidden', 'A test license used on a production domain.'),
  environment_mismatch: e('forbidden', "The domain's environment does not match the license."),
  domain_limit: e('forbidden', 'The license has reached its number of domains.'),
  subdomain_limit: e('forbidden', 'The license has reached its number of subdomains for this domain.'),
  ip_not_allowed: e('forbidden', "The caller's address is not in the license's allowed IPs."),
  country_unverifiable: e('forbidden', "The license allows some countries only and the caller's cannot be told."),
  usage_limit: e('rate_limited', 'The license has used its checks for the day.'),
  device_not_activated: e(
    'forbidden',
    'The license has max_devices and the check names no active device of it (X-Device-Fingerprint).',
  ),
  bad_device_components: e('bad_request', 'X-Device-Components is not a JSON array of {name, fingerprint}.'),
  device_mismatch: e(
    'forbidden',
    "The device's components do not match its activation by the license's component_match rule.",
  ),

  // Webhooks
  delivery_not_found: e('not_found', 'No such webhook delivery in this project.'),
  webhook_not_found: e(
    'not_found',
    'Provider callbacks are not set up on this instance (no signing secret or public URL).',
  ),

  // Generations
  generation_not_found: e('not_found', 'No such generation for this caller.'),
  image_not_found: e('not_found', 'No such image, or its signed link is wrong or expired.'),
  file_too_large: e('too_large', 'An uploaded image is over 10 MB.'),
  generation_quota: e('rate_limited', 'The generation quota of the plan (or of anonymous use) is spent for now.'),
  anonymous_generation_disabled: e('forbidden', 'Anonymous generation is off on this instance.'),
  signature_missing: e('bad_request', 'A provider or Stripe callback without its signature header.'),
  bad_signature: e('bad_request', 'A provider or Stripe callback whose signature does not verify.'),
  stale_signature: e('bad_request', 'A provider callback signed too long ago.'),
  bad_payload: e('bad_request', 'A provider or Stripe callback whose body cannot be read.'),

  // Payments (Stripe)
  stripe_failed: e('upstream', 'Stripe failed or did not answer in time.'),
  stripe_invalid_request: e('bad_request', 'Stripe refused the request (an unknown price, say).'),
  stripe_not_configured: e('not_found', 'Stripe is not configured for this project in this mode.'),
  stripe_configuration_not_found: e('not_found', 'The project has no Stripe configuration.'),
  stripe_no_url: e('bad_request', 'Stripe answered without a checkout URL.'),
  subscription_exists: e('bad_request', 'The end user has an active subscription already.'),
  no_active_subscription: e('not_found', 'No active subscription to change or cancel.'),
  no_stripe_customer: e('not_found', 'The end user is not a Stripe customer yet.'),
  webhook_not_configured: e('bad_request', 'A Stripe webhook for a mode without a webhook secret.'),
  wrong_mode: e('bad_request', 'A Stripe event of the other mode (test or live).'),
  bad_mode: e('bad_request', 'The webhook mode is neither test nor live.'),

  // Signed licensing: signed answers and offline license files (core/license-files/licensing-errors.ts)
  bad_accept_signature: e('bad_request', 'Accept-Signature is not a structured dictionary of signature requests.'),
  license_revoked: e('forbidden', 'The license is revoked: it gets no license file.'),
  license_expired: e('forbidden', 'The license has expired: it gets no license file.'),
  not_paid: e('forbidden', 'The project has not been paid for: its licenses get no license file.'),
  project_gone: e('forbidden', 'The project of this license no longer exists.'),
  checkout_limit: e(
    'rate_limited',
    'The license had its LICENSE_CHECKOUTS_PER_DAY license files in the last 24 hours; retry after Retry-After.',
  ),

  // Devices and seats (core/devices/device-errors.ts)
  device_limit: e('forbidden', 'The license has reached its max_devices active devices.'),
  device_change_limit: e(
    'rate_limited',
    'The license had its DEVICE_CHANGES_PER_DAY activations and deactivations in the last 24 hours; retry after Retry-After.',
  ),
  device_not_found: e('not_found', 'No such device of this license.'),

  // The command line
  operator_not_found: e('not_found', 'No operator with that email (tollgate rotate-operator-key).'),
} as const satisfies Record<string, Entry>;

export type ErrorCode = keyof typeof ERROR_CODES;

type SubjectOf<C> = C extends `${infer S}_not_found` ? S : never;
type ServiceOf<C> = C extends `${infer S}_failed` ? Capitalize<S> : never;
/** The subjects NotFound(subject) takes: each makes the code `${subject}_not_found`. */
export type NotFoundSubject = SubjectOf<ErrorCode>;
/** The services UpstreamFailed(service) names: each makes the code `${service}_failed`, lower-cased. */
export type UpstreamService = ServiceOf<ErrorCode>;

// The runtime face answers each refusal with its outcome lower-cased: all of them must be listed.
const runtimeCodesListed: Lowercase<RefusalOutcome> extends ErrorCode ? true : never = true;
void runtimeCodesListed;
