import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestResponse, type TestServer } from '../support/harness.js';
import {
  fill,
  holdingsOf,
  LICENSE_KEY_ROUTES,
  OPEN_ID_ROUTES,
  ROUTES,
  seedEstate,
  seedGeneration,
  signUpEndUser,
  type Face,
  type Ids,
  type Route,
} from '../support/routes.js';
import { seedDeveloper, seedOperator, type SeededDeveloper } from '../support/seed.js';

/**
 * Bad input, sent with perfectly good credentials to every route of both faces that reads
 * a body, a path id or a query: malformed JSON, invalid UTF-8, bodies over the limit, JSON
 * that is not an object, wrong types for every field, unknown fields, NUL bytes, the wrong
 * media type, prototype-polluting keys, ids that are not ids. Each answer is a 4xx in the
 * face's own format (never a 500, never a stack trace), and afterwards the owner's data is
 * exactly what it was: nothing was half-written.
 */

interface Target {
  method: string;
  path: string;
  face: Face;
  headers: () => Record<string, string>;
  body: Record<string, unknown>;
  optionalBody?: boolean;
  /** Runtime-check bodies come from many client versions; fields they do not know are ignored, not refused. */
  tolerant?: boolean;
  /** The body may be form-encoded as well as JSON (PATCH …/public, as the Starter Kit sends it). */
  form?: boolean;
}

/** Each probe: a label and the raw request it sends, built from a valid body. */
interface Probe {
  label: string;
  applies?: (t: Target) => boolean;
  request: (t: Target) => { rawBody: string | Buffer; contentType: string };
}

const json = (v: unknown) => ({ rawBody: JSON.stringify(v), contentType: 'application/json' });

const PROBES: Probe[] = [
  {
    label: 'malformed JSON',
    request: (t) => ({ rawBody: JSON.stringify(t.body).slice(0, -1), contentType: 'application/json' }),
  },
  {
    label: 'invalid UTF-8',
    request: (t) => {
      const [first] = Object.keys(t.body);
      const text = JSON.stringify({ ...t.body, [first!]: '@@' });
      const at = text.indexOf('@@');
      return {
        rawBody: Buffer.concat([
          Buffer.from(text.slice(0, at)),
          Buffer.from([0xc3, 0x28, 0xff]),
          Buffer.from(text.slice(at + 2)),
        ]),
        contentType: 'application/json',
      };
    },
  },
  {
    label: 'a body over the size limit',
    // 9 MiB: over the general 1 MiB limit and over the injectable routes' larger one.
    request: (t) => json({ ...t.body, [Object.keys(t.body)[0]!]: 'x'.repeat(9 * 1024 * 1024) }),
  },
  { label: 'a JSON array', request: (t) => json([t.body]) },
  { label: 'a JSON string', request: () => json('name') },
  { label: 'a JSON number', request: () => json(42) },
  // A route whose body is optional (FastAPI's `body: Model | None`) takes null as no body.
  { label: 'JSON null', applies: (t) => !t.optionalBody, request: () => json(null) },
  { label: 'an unknown field', applies: (t) => !t.tolerant, request: (t) => json({ ...t.body, is_admin: true }) },
  { label: 'the wrong media type', request: (t) => ({ rawBody: JSON.stringify(t.body), contentType: 'text/plain' }) },
  {
    label: 'form encoding',
    applies: (t) => !t.form,
    request: (t) => ({
      rawBody: new URLSearchParams(t.body as Record<string, string>).toString(),
      contentType: 'application/x-www-form-urlencoded',
    }),
  },
  // Routes that take multipart (injectables; generations) must refuse malformed forms in their format, not 500.
  { label: 'multipart without a boundary', request: () => ({ rawBody: 'x', contentType: 'multipart/form-data' }) },
  {
    label: 'a truncated multipart body',
    request: () => ({
      rawBody: '--b0und\r\nContent-Disposition: form-data; name="title"\r\n\r\nhalf a val',
      contentType: 'multipart/form-data; boundary=b0und',
    }),
  },
  // Routes that take a form: forms that are wrong in every way a form can be.
  ...(
    [
      ['a form with a value that is no boolean', 'is_public=maybe'],
      ['a form with an empty value', 'is_public='],
      ['a form without the field', 'colour=red'],
      ['a form with an unknown field', 'is_public=true&is_admin=true'],
      ['a form with a NUL byte', 'is_public=tr%00ue'],
      ['a form with broken percent-encoding', 'is_public=%zz%'],
      ['a form over its size limit', `is_public=true&pad=${'x'.repeat(8192)}`],
      ['a form that is not a form', '\u0000\u0001{not=a=form'],
    ] as const
  ).map(
    ([label, raw]): Probe => ({
      label,
      applies: (t) => Boolean(t.form),
      request: () => ({ rawBody: raw, contentType: 'application/x-www-form-urlencoded' }),
    }),
  ),
  {
    label: 'a __proto__ key',
    request: (t) => ({
      rawBody: `{"__proto__":{"is_admin":true},${JSON.stringify(t.body).slice(1)}`,
      contentType: 'application/json',
    }),
  },
];

/** For every field of the valid body, each of these in its place. */
const WRONG_VALUES: Array<[string, unknown]> = [
  ['an object', { $ne: null }],
  ['an array', ['x']],
  ['a string with a NUL byte', 'a\u0000b'],
  ['a 100,000-character string', 'y'.repeat(100_000)],
  ['a number too large for any column', 1e300],
];

/** Path segments that are not the id they stand for. */
const BAD_IDS = [
  'not-a-uuid',
  "1' OR '1'='1",
  '%00',
  '..%2F..%2Fetc%2Fpasswd',
  'z'.repeat(3000),
  '0190a1b2-0000-7000-8000-00000000000g',
];

forEachDatabase('security: bad input never gets past the door', (kind) => {
  let s: TestServer;
  let owner: SeededDeveloper;
  let operatorKey: string;
  let ids: Ids;
  let licenseKey: string;
  let endUser: Record<string, string>;
  let before: string;
  let targets: Target[];

  beforeAll(async () => {
    s = await startServer(kind, { env: { RATE_LIMIT: 'false' } });
    owner = await seedDeveloper(s.ctx, { tier: 'cloud_premium' });
    operatorKey = (await seedOperator(s.ctx)).key;
    ids = (await seedEstate(s, owner)).ids;
    const license = await s.request('POST', `/api/v1/project/${ids.project}/licenses`, {
      headers: owner.apiKeyHeaders,
      body: { title: 'Runtime license' },
    });
    licenseKey = license.body.data.uuid;
    expect(licenseKey).toBeTruthy();
    endUser = (await signUpEndUser(s, owner, ids.project!)).headers;
    ids.generation_id = await seedGeneration(s, endUser);
    ids.name = 'example-0';

    const credentials = (route: Route): Record<string, string> => {
      if (route.auth === 'developer') return owner.headers;
      if (route.auth === 'token') return { authorization: owner.headers.authorization! };
      if (route.auth === 'api') return owner.apiKeyHeaders;
      if (route.auth === 'endUser') return endUser;
      return { 'x-operator-key': operatorKey };
    };
    targets = [
      ...ROUTES.filter((r) => r.body !== undefined).map(
        (r): Target => ({
          method: r.method,
          path: fill(r.path, ids),
          face: r.face,
          headers: () => credentials(r),
          body: r.body as Record<string, unknown>,
          optionalBody: /\/(developer-keys|api-keys|cancel-subscription)$/.test(r.path),
          form: r.path.endsWith('/public'),
        }),
      ),
      // The open routes: the account's own doors, and the runtime check.
      {
        method: 'POST',
        path: '/api/v1/auth/register',
        face: 'devkit',
        headers: () => ({ 'x-operator-key': operatorKey }),
        body: { email: 'new-dev@example.com', password: 'Sup3r$ecretPass' },
      },
      {
        method: 'POST',
        path: '/api/v1/auth/login',
        face: 'devkit',
        headers: () => ({}),
        body: { email: 'nobody@example.com', password: 'Sup3r$ecretPass' },
      },
      {
        method: 'POST',
        path: '/api/v1/auth/refresh',
        face: 'devkit',
        headers: () => ({}),
        body: { refresh_token: 'not-a-token' },
      },
      {
        method: 'POST',
        path: '/api/v1/auth/verify-email',
        face: 'devkit',
        headers: () => ({}),
        body: { user_id: owner.userId, verification_token: 'wrong' },
      },
      {
        method: 'POST',
        path: '/api/v1/project/has-paid',
        face: 'devpayr',
        headers: () => ({}),
        body: { license: licenseKey, domain: 'shop.example.com' },
        tolerant: true,
      },
      {
        method: 'POST',
        path: '/api/v1/injectable/stream',
        face: 'devpayr',
        headers: () => ({}),
        body: { license: licenseKey, domain: 'shop.example.com' },
        tolerant: true,
      },
      ...LICENSE_KEY_ROUTES.map((r): Target => ({ ...r, headers: () => ({ 'x-license-key': licenseKey }) })),
    ];
    before = await holdingsOf(s, owner);
  });
  afterAll(async () => s.close());

  const expectRefused = (face: Face, res: TestResponse, label: string) => {
    const where = `${label} -> ${res.status} ${res.text.slice(0, 300)}`;
    expect([400, 401, 403, 404, 405, 413, 414, 415, 422], where).toContain(res.status);
    expect(res.text, where).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
    if (face === 'devkit') {
      // FastAPI form: a sentence, or for 422 the list of {loc, msg, type}.
      const detail = res.body?.detail;
      if (Array.isArray(detail))
        for (const d of detail)
          expect(d, where).toMatchObject({ loc: expect.any(Array), msg: expect.any(String), type: expect.any(String) });
      else expect(typeof detail, where).toBe('string');
    } else {
      expect(res.body, where).toMatchObject({ status: 'error', message: expect.any(String) });
    }
  };

  for (const probe of PROBES) {
    it(`${probe.label}: refused on every route that reads a body`, async () => {
      for (const t of targets.filter(probe.applies ?? (() => true))) {
        const { rawBody, contentType } = probe.request(t);
        const res = await s.request(t.method, t.path, {
          headers: { ...t.headers(), 'content-type': contentType },
          rawBody,
        });
        expectRefused(t.face, res, `${probe.label}: ${t.method} ${t.path}`);
      }
    }, 90_000); // a 9 MiB body to every body route takes over 30 s on a loaded 2-core machine
  }

  it('a wrong value in any field (object, array, NUL byte, 100,000 characters) is refused field by field', async () => {
    for (const t of targets) {
      for (const field of Object.keys(t.body)) {
        for (const [what, value] of WRONG_VALUES) {
          // Injectable content may legitimately be long (up to 5 MB).
          if (field === 'content' && typeof value === 'string' && value.length > 1000) continue;
          const res = await s.request(t.method, t.path, { headers: t.headers(), body: { ...t.body, [field]: value } });
          expectRefused(t.face, res, `${field} as ${what}: ${t.method} ${t.path}`);
        }
      }
    }
  });

  it('ids that are not ids, in every path position, are refused', async () => {
    const credentialed = [
      ...ROUTES.filter((r) => r.path.includes(':')),
      ...OPEN_ID_ROUTES.map((r): Route => ({ ...r, auth: 'endUser' })),
    ];
    for (const route of credentialed) {
      const params = [...route.path.matchAll(/:([a-z_]+)/g)].map((m) => m[1]!);
      for (const param of params) {
        for (const bad of BAD_IDS) {
          const path = fill(route.path, { ...ids, [param]: bad });
          const headers =
            route.auth === 'operator'
              ? { 'x-operator-key': operatorKey }
              : route.auth === 'api'
                ? owner.apiKeyHeaders
                : route.auth === 'endUser'
                  ? endUser
                  : owner.headers;
          const res = await s.request(route.method, path, {
            headers,
            ...(route.body !== undefined ? { body: route.body } : {}),
          });
          expectRefused(route.face, res, `:${param}=${bad.slice(0, 40)}: ${route.method} ${route.path}`);
        }
      }
    }
  }, 90_000); // one request per route, id position and bad id: about 20 s on a quiet machine

  it('paging and filter parameters out of range or of the wrong type are refused, never a 500', async () => {
    const lists = ROUTES.filter(
      (r) => r.method === 'GET' && !/:[a-z_]+$/.test(r.path) && !r.path.endsWith('/me') && !r.path.endsWith('stats'),
    );
    const queries = [
      'page=-1',
      'page=abc',
      'per_page=0',
      'per_page=100000',
      'limit=-5',
      'limit=abc',
      'cursor=%00garbage',
      'skip=-1',
      'page=1e400',
      'page_size=0',
      'page_size=101',
      'test_mode=maybe',
      'project_id=not-a-uuid',
      'status=%00',
    ];
    for (const route of lists) {
      for (const q of queries) {
        const headers = route.auth === 'api' ? owner.apiKeyHeaders : route.auth === 'endUser' ? endUser : owner.headers;
        const res = await s.request('GET', `${fill(route.path, ids)}?${q}`, { headers });
        const label = `${route.path}?${q}`;
        // A parameter the route does not take is ignored; one it takes is checked.
        if (res.status === 200) continue;
        expectRefused(route.face, res, label);
      }
    }
  });

  it("afterwards the owner's data is exactly what it was", async () => {
    expect(await holdingsOf(s, owner)).toBe(before);
  });
});
