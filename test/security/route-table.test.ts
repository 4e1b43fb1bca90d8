import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import {
  expectFaceError,
  fill,
  holdingsOf,
  LICENSE_KEY_DEVICE_ROUTES,
  LICENSE_KEY_ROUTES,
  OPEN_ID_ROUTES,
  PROJECT_FILTERS,
  recordIdsOf,
  ROUTES,
  seedEstate,
  seedGeneration,
  signUpEndUser,
  type Auth,
  type Ids,
  type Route,
} from '../support/routes.js';
import { seedDeveloper, seedOperator, type SeededDeveloper } from '../support/seed.js';

/**
 * One table of every route that needs a credential, on both faces, run against every kind
 * of caller that must be refused: none, a malformed one, a revoked key, a disabled account,
 * the wrong kind of credential, an end user, a key scoped to another project, and another
 * developer's perfectly valid credentials on this developer's ids. Each refusal is a 401,
 * 403 or 404 in the face's own error format, never a 500 or a stack trace, and nothing the
 * refused requests asked for has happened.
 */

interface Caller {
  label: string;
  /** Headers by kind of credential a route wants. */
  headers: (auth: Auth) => Record<string, string>;
  /** Which routes this caller is tried on. */
  applies: (route: Route) => boolean;
  expected: (route: Route) => number[];
}

forEachDatabase('security: every protected route refuses every wrong caller', (kind) => {
  let s: TestServer;
  let victim: SeededDeveloper;
  let intruder: SeededDeveloper;
  let revoked: SeededDeveloper;
  let disabled: SeededDeveloper;
  let operatorKey: string;
  let endUserToken: string;
  let endUser: Record<string, string>;
  /** Another end user of the victim's project, and an end user of the intruder's own project. */
  let peer: Record<string, string>;
  let intruderEndUser: Record<string, string>;
  let anonymousGenerationId: string;
  let otherProjectId: string;
  let otherProjectKey: string;
  let ids: Ids;
  let before: string;

  const holdings = () => holdingsOf(s, victim);

  beforeAll(async () => {
    s = await startServer(kind, { env: { RATE_LIMIT: 'false' } });
    [victim, intruder, revoked, disabled] = await Promise.all(
      [0, 1, 2, 3].map(() => seedDeveloper(s.ctx, { tier: 'cloud_premium' })),
    );
    operatorKey = (await seedOperator(s.ctx)).key;
    const estate = await seedEstate(s, victim);
    ids = estate.ids;
    const project = { id: ids.project_id! };
    const otherKey = await s.request('POST', `/api/v1/projects/${estate.otherProjectId}/api-keys`, {
      headers: victim.headers,
      body: { name: 'other key' },
    });
    otherProjectKey = otherKey.body.key;

    // An end user of the victim's project, signed in, with a generation of their own (the table's :generation_id).
    endUser = (await signUpEndUser(s, victim, project.id)).headers;
    endUserToken = endUser.authorization!.slice('Bearer '.length);
    peer = (await signUpEndUser(s, victim, project.id)).headers;
    ids.generation_id = await seedGeneration(s, endUser);
    ids.name = 'example-0';
    anonymousGenerationId = await seedGeneration(s, null);
    const intruderProject = await s.request('POST', '/api/v1/project', {
      headers: intruder.apiKeyHeaders,
      body: { name: 'Intruder own project' },
    });
    expect(intruderProject.status).toBe(201);
    intruderEndUser = (await signUpEndUser(s, intruder, intruderProject.body.data.id)).headers;
    otherProjectId = estate.otherProjectId;

    // A developer whose key was revoked (through the API, with a second key), and one whose account is disabled.
    const second = await s.request('POST', '/api/v1/auth/developer-keys', {
      headers: revoked.headers,
      body: { name: 'second' },
    });
    const revokedKey = await s.request('DELETE', `/api/v1/auth/developer-keys/${revoked.developerKeyId}`, {
      headers: { ...revoked.headers, 'x-developer-key': second.body.key },
    });
    expect(revokedKey.status).toBeLessThan(300);
    await s.ctx.db.updateTable('users').set({ is_active: false }).where('id', '=', disabled.userId).execute();

    before = await holdings();
  });
  afterAll(async () => s.close());

  const credentials =
    (dev: SeededDeveloper, endUserOfDev?: () => Record<string, string>) =>
    (auth: Auth): Record<string, string> => {
      if (auth === 'developer') return dev.headers;
      if (auth === 'token') return { authorization: dev.headers.authorization! };
      if (auth === 'api') return dev.apiKeyHeaders;
      // An end user of the developer's own project; without one, the developer's own credentials on an end user's route.
      if (auth === 'endUser') return endUserOfDev ? endUserOfDev() : dev.headers;
      return { 'x-operator-key': dev.developerKey };
    };

  const callers: Caller[] = [
    {
      label: 'no credentials',
      headers: () => ({}),
      applies: () => true,
      expected: () => [401, 403],
    },
    {
      label: 'malformed credentials',
      headers: (auth) =>
        (<Record<Auth, Record<string, string>>>{
          developer: { authorization: 'Bearer not.a.jwt', 'x-user-role': 'developer', 'x-developer-key': 'ak_garbage' },
          token: { authorization: 'Bearer not.a.jwt' },
          api: { 'x-api-key': "ak_' OR 1=1 --" },
          operator: { 'x-operator-key': 'op_garbage' },
          endUser: {
            authorization: 'Bearer not.a.jwt',
            'x-user-role': 'end_user',
            'x-project-id': 'x',
            'x-api-key': 'ak_garbage',
            'x-developer-key': 'ak_garbage',
          },
        })[auth],
      applies: () => true,
      expected: () => [401, 403],
    },
    {
      label: 'a revoked developer key',
      headers: (auth) => credentials(revoked)(auth),
      applies: (r) => r.auth !== 'token',
      expected: () => [401, 403],
    },
    {
      label: 'a disabled account',
      headers: (auth) => credentials(disabled)(auth),
      applies: () => true,
      expected: () => [401, 403],
    },
    {
      label: 'the wrong kind of credential',
      headers: (auth) =>
        (<Record<Auth, Record<string, string>>>{
          // An operator key where a developer key belongs, a developer key where an operator key belongs.
          developer: { ...victim.headers, 'x-developer-key': operatorKey },
          token: { authorization: `Bearer ${victim.developerKey}` },
          api: { 'x-api-key': operatorKey },
          operator: { 'x-operator-key': victim.developerKey },
          // The end user's token with the developer key where the project key belongs.
          endUser: { ...endUser, 'x-api-key': victim.developerKey },
        })[auth],
      applies: () => true,
      expected: () => [401, 403],
    },
    {
      label: 'an end user',
      headers: () => ({
        authorization: `Bearer ${endUserToken}`,
        'x-user-role': 'developer',
        'x-developer-key': victim.developerKey,
      }),
      applies: (r) => r.auth === 'developer' || r.auth === 'operator',
      expected: () => [401, 403],
    },
    {
      label: "another developer's valid credentials",
      // On an end user's route, a signed-in end user of the intruder's own project.
      headers: (auth) => credentials(intruder, () => intruderEndUser)(auth),
      // Routes without the victim's ids act on the intruder's own account: nothing to refuse there.
      applies: (r) => r.path.includes(':') && r.auth !== 'operator',
      expected: () => [404],
    },
    {
      label: 'another end user of the same project',
      headers: () => peer,
      applies: (r) => r.auth === 'endUser' && r.path.includes(':'),
      expected: () => [404],
    },
    {
      label: "a key scoped to the victim's other project",
      headers: () => ({ 'x-api-key': otherProjectKey }),
      applies: (r) => r.face === 'devpayr' && r.path.includes(':project'),
      expected: () => [403],
    },
    {
      label: "an end user presenting another project's key",
      headers: () => ({ ...endUser, 'x-api-key': otherProjectKey }),
      applies: (r) => r.auth === 'endUser',
      expected: () => [403],
    },
    {
      label: 'an end user naming another project',
      headers: () => ({ ...endUser, 'x-project-id': otherProjectId }),
      applies: (r) => r.auth === 'endUser',
      expected: () => [403],
    },
    {
      label: "an end user with another developer's key",
      headers: () => ({ ...endUser, 'x-developer-key': intruder.developerKey }),
      applies: (r) => r.auth === 'endUser',
      expected: () => [403],
    },
  ];

  for (const caller of callers) {
    it(`${caller.label}: refused on every route it applies to`, async () => {
      const routes = ROUTES.filter(caller.applies);
      expect(routes.length).toBeGreaterThan(0);
      for (const route of routes) {
        const res = await s.request(route.method, fill(route.path, ids), {
          headers: caller.headers(route.auth),
          ...(route.body !== undefined ? { body: route.body } : {}),
        });
        expectFaceError(route, res, caller.expected(route), caller.label);
      }
    });
  }

  // Credentials are resolved before the body is read: a caller without them learns nothing from validation.
  for (const [label, bad] of [
    ['a body that breaks the schema', { body: { name: ['x'], not_a_field: { nested: true } } }],
    ['malformed JSON', { rawBody: '{"name": ', headers: { 'content-type': 'application/json' } }],
    ['a malformed multipart body', { rawBody: 'x', headers: { 'content-type': 'multipart/form-data' } }],
  ] as const) {
    it(`no credentials with ${label}: 401/403 before any 400/422, on every route that takes a body`, async () => {
      const routes = ROUTES.filter((r) => r.method !== 'GET' && r.method !== 'DELETE');
      expect(routes.length).toBeGreaterThan(0);
      for (const route of routes) {
        const res = await s.request(route.method, fill(route.path, ids), {
          ...bad,
          headers: { ...('headers' in bad ? bad.headers : {}) },
        });
        expectFaceError(route, res, [401, 403], `no credentials, ${label}`);
      }
    });
  }

  it("the open routes that take a generation id serve none of an end user's: 404, as for an id that does not exist", async () => {
    for (const route of OPEN_ID_ROUTES) {
      for (const id of [ids.generation_id!, '0190a1b2-0000-7000-8000-000000000000']) {
        const res = await s.request(route.method, fill(route.path, { ...ids, generation_id: id }));
        expectFaceError({ ...route, auth: 'endUser' }, res, [404], 'open route');
      }
    }
    // The anonymous generation is there on the status routes and their aliases; its private image still needs the signature.
    for (const route of OPEN_ID_ROUTES) {
      const res = await s.request(route.method, fill(route.path, { ...ids, generation_id: anonymousGenerationId }));
      expect(res.status, route.path).toBe(route.path.includes('/images/') ? 404 : 200);
    }
  });

  // Routes without the victim's ids answer for the caller's own account: another developer's
  // lists (projects, users, deliveries, the audit log ...) hold none of the victim's records.
  it("another developer's own lists hold none of the victim's records, and naming the victim's project in a filter is 404", async () => {
    const theirs = await recordIdsOf(s, victim);
    expect(theirs.length).toBeGreaterThan(20);
    // The intruder has records of their own, so their lists are not empty by default ...
    const mine = await s.request('GET', '/api/v1/projects/', { headers: intruder.headers });
    const listed = Array.isArray(mine.body) ? mine.body : (mine.body.projects ?? mine.body.items ?? []);
    if (listed.length === 0) {
      const own = await s.request('POST', '/api/v1/projects/', {
        headers: intruder.headers,
        body: { name: 'Intruder own project' },
      });
      expect(own.status).toBe(201);
    }
    expect(
      (await s.request('GET', '/api/v1/audit-log', { headers: intruder.headers })).body.entries.length,
    ).toBeGreaterThan(0);
    // ... and the same lists read by the victim do show the victim's records.
    const victimLog = await s.request('GET', '/api/v1/audit-log', { headers: victim.headers });
    expect(theirs.filter((id) => victimLog.text.includes(id)).length).toBeGreaterThan(5);
    const lists = ROUTES.filter(
      (r) => r.method === 'GET' && !r.path.includes(':') && r.auth !== 'operator' && r.auth !== 'endUser',
    );
    expect(lists.map((r) => r.path)).toEqual(expect.arrayContaining(PROJECT_FILTERS.map((f) => f.path)));
    for (const route of lists) {
      const res = await s.request('GET', route.path, { headers: credentials(intruder)(route.auth) });
      expect(res.status, `${route.path}: ${res.text.slice(0, 200)}`).toBe(200);
      for (const id of theirs) expect(res.text, `${route.path} shows the victim's ${id}`).not.toContain(id);
    }
    for (const { path, param } of PROJECT_FILTERS) {
      const res = await s.request('GET', `${path}?${param}=${ids.project_id}`, { headers: intruder.headers });
      expectFaceError(
        { method: 'GET', path, face: 'devkit', auth: 'developer' },
        res,
        [404],
        `${path}?${param}=<victim's project>`,
      );
    }
  });

  it('nothing the refused requests asked for has happened', async () => {
    expect(await holdings()).toBe(before);
  });

  it("the victim's own credentials still work on the same routes (the table is not refusing everyone)", async () => {
    for (const route of ROUTES.filter((r) => r.method === 'GET')) {
      const headers =
        route.auth === 'operator'
          ? { 'x-operator-key': operatorKey }
          : route.auth === 'endUser'
            ? endUser
            : credentials(victim)(route.auth);
      const res = await s.request('GET', fill(route.path, ids), { headers });
      expect(res.status, `${route.method} ${route.path}: ${res.text.slice(0, 200)}`).toBe(200);
    }
  });
});

describe('security: the route table covers every protected route', () => {
  const SCHEMES: Record<Auth, string[]> = {
    developer: ['bearer', 'developerKey'],
    token: ['bearer'],
    api: ['apiKey'],
    operator: ['operatorKey'],
    endUser: ['bearer', 'developerKey', 'projectId', 'projectApiKey'],
  };

  it('lists each authenticated route of /docs/json, and the document names the credential each needs', async () => {
    const s = await startServer('sqlite');
    try {
      const doc = (await s.request('GET', '/docs/json')).body as {
        paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>>;
      };
      const open = new Set([
        '/health',
        '/api/v1/health',
        '/api/v1/auth/register',
        '/api/v1/auth/login',
        '/api/v1/auth/refresh',
        '/api/v1/auth/verify-email',
        '/api/v1/auth/request-verification',
      ]);
      const runtime = new Set([
        '/api/v1/project/has-paid',
        '/api/v1/injectable/stream',
        ...[...LICENSE_KEY_ROUTES, ...LICENSE_KEY_DEVICE_ROUTES].map((r) => r.path.replace(/:([a-z_]+)/g, '{$1}')),
      ]);
      // The public keys verifiers fetch, by design without a credential (test/licensing/signing-keys.test.ts).
      for (const p of ['/.well-known/tollgate/jwks.json', '/.well-known/tollgate/{project_id}/jwks.json']) open.add(p);
      // The open generation routes: the public gallery, anonymous creates, and the routes of OPEN_ID_ROUTES (walked above).
      for (const r of OPEN_ID_ROUTES) open.add(r.path.replace(/:([a-z_]+)/g, '{$1}'));
      for (const p of [
        '/api/v1/generation/public-generations-v2',
        '/api/v1/generation/generate-anonymous-v2',
        '/api/v1/generation/generate-anonymous',
        '/generation/generate-anonymous',
      ])
        open.add(p);
      // Stripe's deliveries carry no credential of ours: each is verified by its Stripe-Signature (test/payments/webhooks.test.ts).
      open.add('/api/v1/payments/stripe/webhooks/{project_id}/{mode}');
      // Nor do Replicate's: verified by their webhook-signature (test/generations/replicate-webhook.test.ts).
      open.add('/api/v1/generation/replicate-webhook/{generation_id}');
      const documented = Object.entries(doc.paths)
        .filter(([p]) => !open.has(p) && !p.startsWith('/api/v1/health/') && !runtime.has(p))
        .flatMap(([p, ops]) =>
          Object.entries(ops).map(([m, op]) => ({
            route: `${m.toUpperCase()} ${p.replace(/\{([a-z_]+)\}/g, ':$1')}`,
            op,
          })),
        );
      const tabled = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r]));
      expect(documented.map((d) => d.route).filter((r) => !tabled.has(r))).toEqual([]);
      for (const { route, op } of documented) {
        expect(
          op.security?.map((req) => Object.keys(req).sort()),
          route,
        ).toEqual([SCHEMES[tabled.get(route)!.auth].sort()]);
      }
    } finally {
      await s.close();
    }
  });
});
