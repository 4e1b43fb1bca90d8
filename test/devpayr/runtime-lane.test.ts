import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UNKNOWN_KEYS_PER_MINUTE } from '../../src/core/runtime/state.js';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper } from '../support/seed.js';
import { seedDomain, seedLicense, seedProject } from './runtime-fixtures.js';

/**
 * The has-paid fast lane (http/devpayr/runtime.ts) answers exactly as the route does. The
 * same check is sent once plainly (the lane takes it) and once with a query the lane leaves
 * to the router (a percent-escape): status, body and headers must be the same, bar the
 * request id's value and the date.
 */
async function post(url: string, path: string, headers: Record<string, string>, body: string | null = '{}') {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: {
      accept: 'application/json',
      ...(body !== null ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    ...(body !== null ? { body } : {}),
  });
  const text = await res.text();
  const h: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k !== 'date' && k !== 'x-request-id' && k !== 'keep-alive' && k !== 'connection') h[k] = v;
  });
  return { status: res.status, text, headers: h, requestId: res.headers.get('x-request-id') };
}

forEachDatabase('has-paid fast lane', (kind) => {
  let s: TestServer;
  let keys: { paid: string; unpaid: string; revoked: string; expired: string; pinned: string };

  beforeAll(async () => {
    s = await startServer(kind);
    const owner = (await seedDeveloper(s.ctx)).userId;
    const paid = await seedProject(s.ctx, owner, { hasPaid: true });
    const unpaid = await seedProject(s.ctx, owner, { hasPaid: false });
    const withDomain = await seedProject(s.ctx, owner, { hasPaid: true });
    await seedDomain(s.ctx, withDomain, 'shop.example.com');
    keys = {
      paid: (await seedLicense(s.ctx, paid)).key,
      unpaid: (await seedLicense(s.ctx, unpaid)).key,
      revoked: (await seedLicense(s.ctx, paid, { status: 'revoked' })).key,
      expired: (await seedLicense(s.ctx, paid, { expiresAt: new Date(Date.now() - 60_000) })).key,
      pinned: (await seedLicense(s.ctx, withDomain)).key,
    };
  });
  afterAll(async () => s.close());

  const cases: Array<[string, () => Record<string, string>, string | null]> = [
    ['paid', () => ({ 'x-license-key': keys.paid, 'x-devpayr-domain': 'shop.example.com' }), '{}'],
    ['unpaid', () => ({ 'x-license-key': keys.unpaid }), '{}'],
    ['key in the body, PHP-style []', () => ({}), null],
    ['revoked', () => ({ 'x-license-key': keys.revoked }), '[]'],
    ['expired', () => ({ 'x-license-key': keys.expired }), ''],
    ['unknown', () => ({ 'x-license-key': '9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d' }), '{}'],
    ['no key', () => ({}), '{}'],
    ['domain mismatch', () => ({ 'x-license-key': keys.pinned, 'x-devpayr-domain': 'other.example.com' }), '{}'],
    ['domain missing', () => ({ 'x-license-key': keys.pinned }), '{}'],
    ['bad domain', () => ({ 'x-license-key': keys.pinned, 'x-devpayr-domain': 'not a host!' }), '{}'],
    ['project mismatch', () => ({ 'x-license-key': keys.paid }), JSON.stringify({ projectId: 'someone-else' })],
  ];

  for (const [label, headers, body] of cases) {
    it(`${label}: the lane answers as the route does`, async () => {
      const b = label.startsWith('key in the body') ? JSON.stringify({ license: keys.paid }) : body;
      for (const query of ['', '?action=check_project&include=injectables']) {
        const lane = await post(s.url, `/api/v1/project/has-paid${query}`, headers(), b);
        const routed = await post(
          s.url,
          `/api/v1/project/has-paid${query ? `${query}&r=%41` : '?r=%41'}`,
          headers(),
          b,
        );
        expect(lane).toMatchObject({ status: routed.status, text: routed.text, headers: routed.headers });
        expect(lane.requestId).toMatch(/^[\w-]+-[0-9a-z]+$/);
        expect(lane.requestId).not.toBe(routed.requestId);
      }
    });
  }

  it("a malformed, non-UTF-8 or NUL-carrying body is the route's 400 in the envelope, replayed from the lane", async () => {
    for (const raw of ['{"license":', Buffer.from([0x7b, 0xff, 0x7d]).toString('latin1'), '{"license":"a\\u0000b"}']) {
      const res = await fetch(`${s.url}/api/v1/project/has-paid`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: Buffer.from(raw, 'latin1'),
      });
      expect(res.status).toBe(400);
      const body = await res.json();
      expect(body).toMatchObject({ status: 'error', data: null });
      expect(body.message).toBeTruthy();
    }
  });

  it('a check through the lane is counted in the statistics once', async () => {
    const owner = (await seedDeveloper(s.ctx)).userId;
    const project = await seedProject(s.ctx, owner, { hasPaid: true });
    const { key } = await seedLicense(s.ctx, project);
    for (let i = 0; i < 3; i++)
      expect(
        (
          await post(s.url, '/api/v1/project/has-paid', {
            'x-license-key': key,
            'x-devpayr-domain': 'lane.example.com',
          })
        ).status,
      ).toBe(200);
    await s.ctx.runtime.recorder.flush();
    const rows = await s.ctx.db
      .selectFrom('license_check_counts')
      .select(['outcome', 'count'])
      .where('project_id', '=', project)
      .execute();
    expect(rows.map((r) => [r.outcome, Number(r.count)])).toEqual([['paid', 3]]);
  });
});

describe('unknown keys per client address', () => {
  let s: TestServer;
  // The server's clock runs at wall-clock speed, and jumps ahead to the start of the next
  // minute when the checks begin: the one-minute window cannot roll over mid-test, with no
  // waiting for a boundary (time only moves forward, as it would while waiting).
  let ahead = 0;
  const clock = { now: () => new Date(Date.now() + ahead) };
  beforeAll(async () => {
    s = await startServer('sqlite', { clock });
  });
  afterAll(async () => s.close());

  it(`past ${UNKNOWN_KEYS_PER_MINUTE} unknown keys a minute, every check from that address is 429 in the envelope with Retry-After`, async () => {
    const owner = (await seedDeveloper(s.ctx)).userId;
    const { key } = await seedLicense(s.ctx, await seedProject(s.ctx, owner, { hasPaid: true }));
    ahead = 60_000 - (Date.now() % 60_000);
    for (let i = 0; i < UNKNOWN_KEYS_PER_MINUTE; i++) {
      const res = await post(s.url, '/api/v1/project/has-paid', { 'x-license-key': crypto.randomUUID() });
      expect(res.status).toBe(403);
    }
    for (const k of [crypto.randomUUID(), key]) {
      const res = await post(s.url, '/api/v1/project/has-paid', { 'x-license-key': k });
      expect(res.status).toBe(429);
      expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(JSON.parse(res.text)).toEqual({
        status: 'error',
        message: 'Too many unknown license keys from this address. Try again later.',
        data: null,
        errors: null,
      });
    }
  });
});

forEachDatabase('has-paid fast lane behind a proxy (TRUST_PROXY)', (kind) => {
  const servers: Record<string, TestServer> = {};
  let key: string;

  beforeAll(async () => {
    for (const trust of ['off', '1', '127.0.0.1/8']) {
      servers[trust] = await startServer(kind, { env: trust === 'off' ? {} : { TRUST_PROXY: trust } });
    }
  });
  afterAll(async () => {
    for (const s of Object.values(servers)) await s.close();
  });

  it('names the client as the router does: the forwarded address only when the proxy is trusted', async () => {
    for (const [trust, s] of Object.entries(servers)) {
      const owner = (await seedDeveloper(s.ctx)).userId;
      key = (
        await seedLicense(s.ctx, await seedProject(s.ctx, owner, { hasPaid: true }), { allowedIps: '203.0.113.7' })
      ).key;
      for (const [from, allowed] of [
        ['203.0.113.7', trust !== 'off'],
        ['198.51.100.1', false],
      ] as const) {
        const headers = { 'x-license-key': key, 'x-forwarded-for': from };
        const lane = await post(s.url, '/api/v1/project/has-paid', headers);
        const routed = await post(s.url, '/api/v1/project/has-paid?r=%41', headers);
        expect(lane, `TRUST_PROXY=${trust}, from ${from}`).toMatchObject({
          status: allowed ? 200 : 403,
          text: routed.text,
          headers: routed.headers,
        });
        expect(routed.status).toBe(lane.status);
      }
    }
  });
});

forEachDatabase('allowed_ips: addresses and CIDR ranges, on the lane and the route (issue 18)', (kind) => {
  let direct: TestServer;
  let proxied: TestServer;

  beforeAll(async () => {
    direct = await startServer(kind);
    // Behind a trusted proxy the client is X-Forwarded-For: any address, IPv6 and IPv4-mapped ones included.
    proxied = await startServer(kind, { env: { TRUST_PROXY: 'loopback' } });
  });
  afterAll(async () => {
    await direct.close();
    await proxied.close();
  });

  /** The status of one check from `from` (the socket's own 127.0.0.1 when null), the lane's and the route's alike. */
  async function statusFor(s: TestServer, allowedIps: string, from: string | null): Promise<number> {
    const owner = (await seedDeveloper(s.ctx)).userId;
    const { key } = await seedLicense(s.ctx, await seedProject(s.ctx, owner, { hasPaid: true }), { allowedIps });
    const headers = { 'x-license-key': key, ...(from ? { 'x-forwarded-for': from } : {}) };
    const lane = await post(s.url, '/api/v1/project/has-paid', headers);
    const routed = await post(s.url, '/api/v1/project/has-paid?r=%41', headers);
    expect(lane, `${allowedIps} from ${from ?? 'the socket'}`).toMatchObject({
      status: routed.status,
      text: routed.text,
      headers: routed.headers,
    });
    if (lane.status === 403)
      expect(JSON.parse(lane.text).message).toBe('This license is not authorized for this IP address.');
    return lane.status;
  }

  const cases: Array<[string, string | null, 200 | 403]> = [
    ['127.0.0.0/8', null, 200],
    ['127.0.0.1/32', null, 200],
    ['10.0.0.0/8, 127.0.0.1/32', null, 200],
    ['127.0.0.1', null, 200],
    ['10.0.0.0/8', null, 403],
    ['::1/128', null, 403],
    ['0.0.0.0/0', null, 200],
    ['::ffff:127.0.0.0/104', null, 200],
    ['127.0.0.0/8', '::ffff:127.0.0.1', 200],
    ['10.1.0.0/16', '::ffff:10.1.2.3', 200],
    ['10.2.0.0/16', '::ffff:10.1.2.3', 403],
    ['10.1.2.3', '::ffff:10.1.2.3', 200],
    ['2001:db8::/32', '2001:db8::5', 200],
    ['2001:db8::/32', '2001:db9::5', 403],
    ['2001:db8::5/128', '2001:db8:0:0::5', 200],
    ['2001:db8::/32', '10.1.2.3', 403],
    ['203.0.113.0/24', '203.0.113.200', 200],
    ['203.0.113.0/25', '203.0.113.200', 403],
  ];
  for (const [allowed, from, status] of cases) {
    it(`${allowed} from ${from ?? '127.0.0.1'}: ${status}`, async () => {
      expect(await statusFor(from === null ? direct : proxied, allowed, from)).toBe(status);
    });
  }
});
