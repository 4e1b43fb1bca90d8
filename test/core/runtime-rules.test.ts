import { describe, expect, it } from 'vitest';
import { IpAllowList } from '../../src/core/runtime/allowed-ips.js';
import { decide, type CheckOutcome, type CheckRequest, type Decision } from '../../src/core/runtime/rules.js';
import type { LicenseSnapshot, RuntimeDomain } from '../../src/core/runtime/snapshot.js';

/**
 * The rules of the paid-install check (core/runtime/rules.ts) as a table: a snapshot, a
 * request and a time in, a decision out. No database, no server: the function is pure, and
 * every case runs on deeply frozen arguments, so a rule that wrote to them would throw.
 */
const NOW = new Date('2030-06-15T12:00:00Z');

function domain(host: string, o: Partial<RuntimeDomain> = {}): RuntimeDomain {
  return { id: `d-${host}`, domain: host, host, environment: 'production', hasPaid: false, isActive: true, ...o };
}

type LicenseOverrides = Partial<LicenseSnapshot['license']>;
function snapshot(
  license: LicenseOverrides = {},
  o: {
    project?: Partial<LicenseSnapshot['project']>;
    domains?: RuntimeDomain[];
    identifiers?: Map<string, string>;
    devices?: LicenseSnapshot['devices'];
  } = {},
): LicenseSnapshot {
  return {
    license: {
      id: 'l1',
      title: 'License',
      status: 'active',
      expiresAt: null,
      domainId: null,
      maxDomains: null,
      maxSubdomainsPerDomain: null,
      maxUsagePerDay: null,
      allowedIps: null,
      allowedCountries: null,
      isTest: false,
      keyRetiresAt: null,
      maxDevices: null,
      componentMatch: 'any',
      ...license,
    },
    project: { id: 'p1', ownerId: 'u1', hasPaid: true, isActive: true, ...o.project },
    domains: o.domains ?? [],
    identifiers: o.identifiers ?? null,
    devices: o.devices ?? null,
  };
}

function request(o: Partial<CheckRequest> & { host?: string } = {}): CheckRequest {
  const { host, ...rest } = o;
  const identifier = host === undefined ? null : { host, base: host.split('.').slice(-2).join('.') };
  return {
    licenseKey: 'key',
    domain: host ?? null,
    identifier,
    ip: '127.0.0.1',
    action: null,
    projectId: null,
    barredFor: 0,
    ...rest,
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

const shop = domain('shop.example.com', { hasPaid: true });
const pinned = snapshot({ domainId: shop.id }, { domains: [shop, domain('other.example.com')] });
const limited = snapshot(
  { maxDomains: 1, maxSubdomainsPerDomain: 1 },
  { identifiers: new Map([['a.example.com', 'example.com']]) },
);

const parts = [
  { name: 'cpu', fingerprint: 'c1' },
  { name: 'disk', fingerprint: 'd1' },
  { name: 'mac', fingerprint: 'm1' },
];
const seated = (componentMatch: 'any' | 'all' | 'majority' = 'any', o: LicenseOverrides = {}) =>
  snapshot(
    { maxDevices: 2, componentMatch, ...o },
    {
      devices: new Map([
        ['dev-1', parts],
        ['dev-2', null],
      ]),
    },
  );
/** X-Device-Components naming the first `n` parts as activated and the rest changed. */
const sent = (n: number) => JSON.stringify(parts.map((p, i) => (i < n ? p : { ...p, fingerprint: 'changed' })));

type Case = [
  label: string,
  snap: LicenseSnapshot | null,
  req: CheckRequest,
  expected: CheckOutcome | 'need:registration' | 'need:usage',
  now?: Date,
];
const cases: Case[] = [
  ['a paid project', snapshot(), request(), 'VALID'],
  ['an unpaid project', snapshot({}, { project: { hasPaid: false } }), request({ host: 'a.example.com' }), 'NOT_PAID'],
  [
    'the matched domain decides with another action',
    snapshot({}, { domains: [domain('b.example.com', { hasPaid: false })] }),
    request({ host: 'b.example.com', action: 'check_domain' }),
    'NOT_PAID',
  ],
  ['no key', null, request({ licenseKey: null }), 'LICENSE_REQUIRED'],
  ['no such license', null, request(), 'INVALID_LICENSE'],
  ['an address barred for guessing keys', snapshot(), request({ barredFor: 30 }), 'TOO_MANY_UNKNOWN_KEYS'],
  ['revoked', snapshot({ status: 'revoked' }), request(), 'REVOKED'],
  [
    "a rerolled license's old key at the end of its overlap",
    snapshot({ keyRetiresAt: NOW }),
    request(),
    'INVALID_LICENSE',
  ],
  [
    "a rerolled license's old key a second before",
    snapshot({ keyRetiresAt: NOW }),
    request(),
    'VALID',
    new Date(NOW.getTime() - 1000),
  ],
  ['expired at this very moment', snapshot({ expiresAt: NOW }), request(), 'EXPIRED'],
  ['not expired a second before', snapshot({ expiresAt: NOW }), request(), 'VALID', new Date(NOW.getTime() - 1000)],
  ['another project named', snapshot(), request({ projectId: 'p2' }), 'PROJECT_MISMATCH'],
  ['its own project named', snapshot(), request({ projectId: 'p1' }), 'VALID'],
  ['an inactive project', snapshot({}, { project: { isActive: false } }), request(), 'PROJECT_INACTIVE'],
  ['a pinned domain without the header', pinned, request(), 'DOMAIN_REQUIRED'],
  ['a malformed header', snapshot(), request({ identifier: 'malformed', domain: 'not a host!' }), 'BAD_DOMAIN'],
  ['the pinned domain', pinned, request({ host: 'shop.example.com' }), 'VALID'],
  [
    "another of the project's domains than the pinned one",
    pinned,
    request({ host: 'other.example.com' }),
    'DOMAIN_MISMATCH',
  ],
  [
    'a host the project has not registered',
    snapshot({}, { domains: [shop] }),
    request({ host: 'evil.example.com' }),
    'DOMAIN_MISMATCH',
  ],
  [
    'an inactive domain',
    snapshot({}, { domains: [domain('shop.example.com', { isActive: false })] }),
    request({ host: 'shop.example.com' }),
    'DOMAIN_INACTIVE',
  ],
  [
    'a staging domain',
    snapshot({}, { domains: [domain('shop.example.com', { environment: 'staging' })] }),
    request({ host: 'shop.example.com' }),
    'ENVIRONMENT_MISMATCH',
  ],
  [
    'a test license on a real host',
    snapshot({ isTest: true }),
    request({ host: 'shop.example.com' }),
    'TEST_LICENSE_DOMAIN',
  ],
  [
    'a test license on localhost',
    snapshot({ isTest: true }, { domains: [shop] }),
    request({ host: 'localhost' }),
    'VALID',
  ],
  ['a known identifier within limits', limited, request({ host: 'a.example.com' }), 'VALID'],
  ['a new identifier under limits: ask the database', limited, request({ host: 'b.example.com' }), 'need:registration'],
  ['which says it fits', limited, request({ host: 'b.example.com', registration: { ok: true } }), 'VALID'],
  [
    'which says: over the domain limit',
    limited,
    request({ host: 'x.other.com', registration: { ok: false, code: 'domain_limit', message: 'm' } }),
    'DOMAIN_LIMIT',
  ],
  [
    'which says: over the subdomain limit',
    limited,
    request({ host: 'b.example.com', registration: { ok: false, code: 'subdomain_limit', message: 'm' } }),
    'SUBDOMAIN_LIMIT',
  ],
  [
    'an address outside allowed_ips',
    snapshot({ allowedIps: IpAllowList.parse(['10.0.0.0/8']) }),
    request(),
    'IP_NOT_ALLOWED',
  ],
  [
    'an address inside an allowed range',
    snapshot({ allowedIps: IpAllowList.parse(['127.0.0.0/8']) }),
    request(),
    'VALID',
  ],
  ['a country restriction', snapshot({ allowedCountries: ['NG'] }), request(), 'COUNTRY_UNVERIFIABLE'],
  ['a daily limit: ask the database', snapshot({ maxUsagePerDay: 2 }), request(), 'need:usage'],
  ['within it', snapshot({ maxUsagePerDay: 2 }), request({ usedToday: 2 }), 'VALID'],
  ['past it', snapshot({ maxUsagePerDay: 2 }), request({ usedToday: 3 }), 'USAGE_LIMIT'],
  ['max_devices without X-Device-Fingerprint', seated(), request(), 'DEVICE_NOT_ACTIVATED'],
  ['max_devices and a device that is not active', seated(), request({ device: 'dev-9' }), 'DEVICE_NOT_ACTIVATED'],
  ['max_devices and an active device', seated(), request({ device: 'dev-1' }), 'VALID'],
  ['an active device that sends no components', seated('all'), request({ device: 'dev-1' }), 'VALID'],
  [
    'an active device activated without components',
    seated('all'),
    request({ device: 'dev-2', deviceComponents: sent(0) }),
    'VALID',
  ],
  [
    'components that are not a JSON array',
    seated(),
    request({ device: 'dev-1', deviceComponents: '{"cpu":1}' }),
    'BAD_DEVICE_COMPONENTS',
  ],
  [
    'components that are not JSON',
    seated(),
    request({ device: 'dev-1', deviceComponents: 'cpu=c1' }),
    'BAD_DEVICE_COMPONENTS',
  ],
  ['any: one of three matches', seated('any'), request({ device: 'dev-1', deviceComponents: sent(1) }), 'VALID'],
  ['any: none matches', seated('any'), request({ device: 'dev-1', deviceComponents: sent(0) }), 'DEVICE_MISMATCH'],
  [
    'majority: two of three match',
    seated('majority'),
    request({ device: 'dev-1', deviceComponents: sent(2) }),
    'VALID',
  ],
  [
    'majority: one of three matches',
    seated('majority'),
    request({ device: 'dev-1', deviceComponents: sent(1) }),
    'DEVICE_MISMATCH',
  ],
  ['all: every one matches', seated('all'), request({ device: 'dev-1', deviceComponents: sent(3) }), 'VALID'],
  [
    'all: two of three match',
    seated('all'),
    request({ device: 'dev-1', deviceComponents: sent(2) }),
    'DEVICE_MISMATCH',
  ],
  [
    'no max_devices: the device headers are not read',
    snapshot(),
    request({ device: 'anything', deviceComponents: 'not json' }),
    'VALID',
  ],
  [
    'a device without a seat is not counted against the daily limit',
    seated('any', { maxUsagePerDay: 2 }),
    request({ device: 'dev-9' }),
    'DEVICE_NOT_ACTIVATED',
  ],
  // The order of the spec: the first rule that refuses names the outcome.
  ['revoked and expired', snapshot({ status: 'revoked', expiresAt: NOW }), request(), 'REVOKED'],
  [
    'inactive project and bad header',
    snapshot({}, { project: { isActive: false } }),
    request({ identifier: 'malformed' }),
    'PROJECT_INACTIVE',
  ],
];

const label = (d: Decision) => ('need' in d ? `need:${d.need}` : d.outcome);

describe('the rules of the paid-install check', () => {
  for (const [name, snap, req, expected, now] of cases) {
    it(`${name}: ${expected}`, () => {
      expect(label(decide(deepFreeze(snap), deepFreeze(req), now ?? NOW))).toBe(expected);
    });
  }

  it('the table names every outcome code', () => {
    // A Record over the union: a new code that is not listed here fails to compile.
    const every: Record<CheckOutcome, true> = {
      VALID: true,
      NOT_PAID: true,
      LICENSE_REQUIRED: true,
      INVALID_LICENSE: true,
      TOO_MANY_UNKNOWN_KEYS: true,
      REVOKED: true,
      EXPIRED: true,
      PROJECT_MISMATCH: true,
      PROJECT_INACTIVE: true,
      DOMAIN_REQUIRED: true,
      BAD_DOMAIN: true,
      DOMAIN_MISMATCH: true,
      DOMAIN_INACTIVE: true,
      TEST_LICENSE_DOMAIN: true,
      ENVIRONMENT_MISMATCH: true,
      DOMAIN_LIMIT: true,
      SUBDOMAIN_LIMIT: true,
      IP_NOT_ALLOWED: true,
      COUNTRY_UNVERIFIABLE: true,
      USAGE_LIMIT: true,
      DEVICE_NOT_ACTIVATED: true,
      BAD_DEVICE_COMPONENTS: true,
      DEVICE_MISMATCH: true,
    };
    expect(new Set(cases.map((c) => c[3]))).toEqual(
      new Set([...Object.keys(every), 'need:registration', 'need:usage']),
    );
  });

  it('a pass says which project and identifier it is for; a refusal gives its message and, for limits, when to retry', () => {
    expect(decide(snapshot(), request({ host: 'a.example.com' }), NOW)).toEqual({
      valid: true,
      outcome: 'VALID',
      hasPaid: true,
      projectId: 'p1',
      domain: null,
      identifier: 'a.example.com',
    });
    const over = decide(snapshot({ maxUsagePerDay: 2 }), request({ usedToday: 3 }), NOW);
    expect(over).toMatchObject({
      valid: false,
      message: 'This license has reached its limit of 2 checks per day.',
      retryAfterSeconds: 12 * 3600,
    });
  });

  it('the same arguments give the same decision', () => {
    const snap = deepFreeze(snapshot({}, { domains: [shop] }));
    const req = deepFreeze(request({ host: 'shop.example.com', action: 'check_domain' }));
    expect(decide(snap, req, NOW)).toEqual(decide(snap, req, NOW));
  });
});
