import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestResponse, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper, seedOperator, uniqueEmail, type SeededDeveloper } from '../support/seed.js';

/**
 * One table of every route that needs a credential, on both faces, run against every kind
 * of caller that must be refused: none, a malformed one, a revoked key, a disabled account,
 * the wrong kind of credential, an end user, a key scoped to another project, and another
 * developer's perfectly valid credentials on this developer's ids. Each refusal is a 401,
 * 403 or 404 in the face's own error format, never a 500 or a stack trace, and nothing the
 * refused requests asked for has happened.
 */

type Face = 'devkit' | 'devpayr';
/** developer: bearer + X-User-Role + X-Developer-Key; token: bearer only; api: X-API-KEY; operator: X-Operator-Key. */
type Auth = 'developer' | 'token' | 'api' | 'operator';

interface Route {
  method: string;
  path: string;
  face: Face;
  auth: Auth;
  body?: unknown;
}

const INJECTABLE = { title: 'Banner', type: 'snippet', mode: 'inject', secret: 'correct-horse-battery', content: 'hello' };

const ROUTES: Route[] = [
  // devkit: the account itself
  { method: 'GET', path: '/api/v1/auth/me', face: 'devkit', auth: 'token' },
  { method: 'GET', path: '/api/v1/auth/developer-keys', face: 'devkit', auth: 'developer' },
  { method: 'POST', path: '/api/v1/auth/developer-keys', face: 'devkit', auth: 'developer', body: { name: 'k' } },
  { method: 'DELETE', path: '/api/v1/auth/developer-keys/:key_id', face: 'devkit', auth: 'developer' },
  // devkit: projects, their keys, statistics and users
  { method: 'GET', path: '/api/v1/projects/', face: 'devkit', auth: 'developer' },
  { method: 'POST', path: '/api/v1/projects/', face: 'devkit', auth: 'developer', body: { name: 'Intruder project' } },
  { method: 'GET', path: '/api/v1/projects/:project_id', face: 'devkit', auth: 'developer' },
  { method: 'PUT', path: '/api/v1/projects/:project_id', face: 'devkit', auth: 'developer', body: { name: 'Renamed by intruder' } },
  { method: 'DELETE', path: '/api/v1/projects/:project_id', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/stats', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/:project_id/stats', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/users', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/:project_id/users', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/:project_id/api-keys', face: 'devkit', auth: 'developer' },
  { method: 'POST', path: '/api/v1/projects/:project_id/api-keys', face: 'devkit', auth: 'developer', body: { name: 'k' } },
  { method: 'DELETE', path: '/api/v1/projects/:project_id/api-keys/:api_key_id', face: 'devkit', auth: 'developer' },
  // devkit: licensing under a project
  { method: 'GET', path: '/api/v1/projects/:project_id/licenses', face: 'devkit', auth: 'developer' },
  { method: 'POST', path: '/api/v1/projects/:project_id/licenses', face: 'devkit', auth: 'developer', body: { title: 'Intruder license' } },
  { method: 'GET', path: '/api/v1/projects/:project_id/licenses/:license_id', face: 'devkit', auth: 'developer' },
  { method: 'DELETE', path: '/api/v1/projects/:project_id/licenses/:license_id', face: 'devkit', auth: 'developer' },
  { method: 'POST', path: '/api/v1/projects/:project_id/licenses/:license_id/revoke', face: 'devkit', auth: 'developer' },
  { method: 'POST', path: '/api/v1/projects/:project_id/licenses/:license_id/reactivate', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/:project_id/domains', face: 'devkit', auth: 'developer' },
  { method: 'POST', path: '/api/v1/projects/:project_id/domains', face: 'devkit', auth: 'developer', body: { domain: 'intruder.example.com' } },
  { method: 'GET', path: '/api/v1/projects/:project_id/domains/:domain_id', face: 'devkit', auth: 'developer' },
  { method: 'PATCH', path: '/api/v1/projects/:project_id/domains/:domain_id', face: 'devkit', auth: 'developer', body: { has_paid: true } },
  { method: 'DELETE', path: '/api/v1/projects/:project_id/domains/:domain_id', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/:project_id/injectables', face: 'devkit', auth: 'developer' },
  { method: 'POST', path: '/api/v1/projects/:project_id/injectables', face: 'devkit', auth: 'developer', body: INJECTABLE },
  { method: 'GET', path: '/api/v1/projects/:project_id/injectables/:injectable_id', face: 'devkit', auth: 'developer' },
  { method: 'PATCH', path: '/api/v1/projects/:project_id/injectables/:injectable_id', face: 'devkit', auth: 'developer', body: { is_active: false } },
  { method: 'DELETE', path: '/api/v1/projects/:project_id/injectables/:injectable_id', face: 'devkit', auth: 'developer' },
  // operator
  { method: 'PUT', path: '/api/v1/operator/developers/:developer/tier', face: 'devkit', auth: 'operator', body: { tier: 'cloud_premium' } },
  // devpayr: projects
  { method: 'GET', path: '/api/v1/projects', face: 'devpayr', auth: 'api' },
  { method: 'POST', path: '/api/v1/project', face: 'devpayr', auth: 'api', body: { name: 'Intruder project' } },
  { method: 'GET', path: '/api/v1/project/:project', face: 'devpayr', auth: 'api' },
  { method: 'PUT', path: '/api/v1/project/:project', face: 'devpayr', auth: 'api', body: { name: 'Renamed by intruder', has_paid: false } },
  { method: 'PATCH', path: '/api/v1/project/:project', face: 'devpayr', auth: 'api', body: { has_paid: false } },
  { method: 'DELETE', path: '/api/v1/project/:project', face: 'devpayr', auth: 'api' },
  { method: 'GET', path: '/api/v1/project/:project/has-paid', face: 'devpayr', auth: 'api' },
  // devpayr: licenses, domains (both spellings), injectables
  { method: 'GET', path: '/api/v1/project/:project/licenses', face: 'devpayr', auth: 'api' },
  { method: 'POST', path: '/api/v1/project/:project/licenses', face: 'devpayr', auth: 'api', body: { title: 'Intruder license' } },
  { method: 'GET', path: '/api/v1/project/:project/licenses/:license', face: 'devpayr', auth: 'api' },
  { method: 'DELETE', path: '/api/v1/project/:project/licenses/:license', face: 'devpayr', auth: 'api' },
  { method: 'POST', path: '/api/v1/project/:project/licenses/:license/revoke', face: 'devpayr', auth: 'api' },
  { method: 'POST', path: '/api/v1/project/:project/licenses/:license/reactivate', face: 'devpayr', auth: 'api' },
  { method: 'GET', path: '/api/v1/project/:project/domains', face: 'devpayr', auth: 'api' },
  { method: 'POST', path: '/api/v1/project/:project/domains', face: 'devpayr', auth: 'api', body: { domain: 'intruder.example.com' } },
  ...['domain', 'domains'].flatMap((segment): Route[] => [
    { method: 'GET', path: `/api/v1/project/:project/${segment}/:domain`, face: 'devpayr', auth: 'api' },
    { method: 'PUT', path: `/api/v1/project/:project/${segment}/:domain`, face: 'devpayr', auth: 'api', body: { has_paid: true } },
    { method: 'PATCH', path: `/api/v1/project/:project/${segment}/:domain`, face: 'devpayr', auth: 'api', body: { has_paid: true } },
    { method: 'DELETE', path: `/api/v1/project/:project/${segment}/:domain`, face: 'devpayr', auth: 'api' },
  ]),
  { method: 'GET', path: '/api/v1/project/:project/injectables', face: 'devpayr', auth: 'api' },
  { method: 'POST', path: '/api/v1/project/:project/injectables', face: 'devpayr', auth: 'api', body: INJECTABLE },
  { method: 'GET', path: '/api/v1/project/:project/injectables/:injectable', face: 'devpayr', auth: 'api' },
  { method: 'PUT', path: '/api/v1/project/:project/injectables/:injectable', face: 'devpayr', auth: 'api', body: { is_active: false } },
  { method: 'PATCH', path: '/api/v1/project/:project/injectables/:injectable', face: 'devpayr', auth: 'api', body: { is_active: false } },
  { method: 'DELETE', path: '/api/v1/project/:project/injectables/:injectable', face: 'devpayr', auth: 'api' },
];

/** What the victim owns, by path parameter name. */
type Ids = Record<string, string>;

function fill(path: string, ids: Ids): string {
  return path.replace(/:([a-z_]+)/g, (_, name: string) => {
    const id = ids[name];
    if (!id) throw new Error(`no id for :${name}`);
    return id;
  });
}

function expectFaceError(route: Route, res: TestResponse, allowed: number[], label: string): void {
  const where = `${label}: ${route.method} ${route.path} -> ${res.status} ${res.text.slice(0, 200)}`;
  expect(allowed, where).toContain(res.status);
  expect(res.text, where).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  if (route.face === 'devkit') {
    expect(typeof res.body?.detail, where).toBe('string');
    expect(res.body.status, where).toBeUndefined();
  } else {
    expect(res.body, where).toMatchObject({ status: 'error' });
    expect(typeof res.body.message, where).toBe('string');
  }
}

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
  let otherProjectKey: string;
  let ids: Ids;
  let before: string;

  /** Everything the victim owns, as one comparable text. */
  const holdings = async (): Promise<string> => {
    const projects = await s.ctx.db.selectFrom('projects').selectAll().where('owner_id', '=', victim.userId).orderBy('id').execute();
    const projectIds = projects.map((p) => p.id);
    const under = async (table: 'licenses' | 'domains' | 'injectables') =>
      s.ctx.db.selectFrom(table).selectAll().where('project_id', 'in', projectIds).orderBy('id').execute();
    const keys = await s.ctx.db.selectFrom('api_keys').select(['id', 'is_active', 'project_id']).where('user_id', '=', victim.userId).orderBy('id').execute();
    const user = await s.ctx.db.selectFrom('users').select(['tier', 'is_active']).where('id', '=', victim.userId).execute();
    return JSON.stringify({ projects, licenses: await under('licenses'), domains: await under('domains'), injectables: await under('injectables'), keys, user });
  };

  beforeAll(async () => {
    s = await startServer(kind, { env: { RATE_LIMIT: 'false' } });
    [victim, intruder, revoked, disabled] = await Promise.all([0, 1, 2, 3].map(() => seedDeveloper(s.ctx, { tier: 'cloud_premium' })));
    operatorKey = (await seedOperator(s.ctx)).key;
    const api = async (method: string, path: string, body?: unknown) => {
      const res = await s.request(method, path, { headers: victim.apiKeyHeaders, ...(body !== undefined ? { body } : {}) });
      if (res.status >= 300) throw new Error(`seeding ${method} ${path}: ${res.status} ${res.text}`);
      return res.body.data;
    };
    const project = await api('POST', '/api/v1/project', { name: 'Victim project', has_paid: true });
    const other = await api('POST', '/api/v1/project', { name: 'Victim other project' });
    const license = await api('POST', `/api/v1/project/${project.id}/licenses`, { title: 'Victim license' });
    const domain = await api('POST', `/api/v1/project/${project.id}/domains`, { domain: 'victim.example.com' });
    const injectable = await api('POST', `/api/v1/project/${project.id}/injectables`, INJECTABLE);
    const projectKey = await s.request('POST', `/api/v1/projects/${project.id}/api-keys`, { headers: victim.headers, body: { name: 'victim key' } });
    const otherKey = await s.request('POST', `/api/v1/projects/${other.id}/api-keys`, { headers: victim.headers, body: { name: 'other key' } });
    const spareDevKey = await s.request('POST', '/api/v1/auth/developer-keys', { headers: victim.headers, body: { name: 'spare' } });
    otherProjectKey = otherKey.body.key;
    ids = {
      project_id: project.id,
      project: project.id,
      license_id: license.id,
      license: license.id,
      domain_id: domain.id,
      domain: domain.id,
      injectable_id: injectable.id,
      injectable: injectable.id,
      api_key_id: projectKey.body.id,
      key_id: spareDevKey.body.id,
      developer: victim.userId,
    };

    // An end user of the victim's project, signed in.
    const endUserEmail = uniqueEmail('user');
    const reg = await s.request('POST', '/api/v1/auth/register', {
      headers: { 'x-developer-key': victim.developerKey, 'x-project-id': project.id },
      body: { email: endUserEmail, password: PASSWORD },
    });
    expect(reg.status).toBe(201);
    const login = await s.request('POST', '/api/v1/auth/login', { headers: { 'x-project-id': project.id }, body: { email: endUserEmail, password: PASSWORD } });
    endUserToken = login.body.access_token;
    expect(endUserToken).toBeTruthy();

    // A developer whose key was revoked (through the API, with a second key), and one whose account is disabled.
    const second = await s.request('POST', '/api/v1/auth/developer-keys', { headers: revoked.headers, body: { name: 'second' } });
    const revokedKey = await s.request('DELETE', `/api/v1/auth/developer-keys/${revoked.developerKeyId}`, {
      headers: { ...revoked.headers, 'x-developer-key': second.body.key },
    });
    expect(revokedKey.status).toBeLessThan(300);
    await s.ctx.db.updateTable('users').set({ is_active: false }).where('id', '=', disabled.userId).execute();

    before = await holdings();
  });
  afterAll(async () => s.close());

  const credentials = (dev: SeededDeveloper) => (auth: Auth): Record<string, string> => {
    if (auth === 'developer') return dev.headers;
    if (auth === 'token') return { authorization: dev.headers.authorization! };
    if (auth === 'api') return dev.apiKeyHeaders;
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
        })[auth],
      applies: () => true,
      expected: () => [401, 403],
    },
    {
      label: 'an end user',
      headers: () => ({ authorization: `Bearer ${endUserToken}`, 'x-user-role': 'developer', 'x-developer-key': victim.developerKey }),
      applies: (r) => r.auth === 'developer' || r.auth === 'operator',
      expected: () => [401, 403],
    },
    {
      label: "another developer's valid credentials",
      headers: (auth) => credentials(intruder)(auth),
      // Routes without the victim's ids act on the intruder's own account: nothing to refuse there.
      applies: (r) => r.path.includes(':') && r.auth !== 'operator',
      expected: () => [404],
    },
    {
      label: "a key scoped to the victim's other project",
      headers: () => ({ 'x-api-key': otherProjectKey }),
      applies: (r) => r.face === 'devpayr' && r.path.includes(':project'),
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

  it('nothing the refused requests asked for has happened', async () => {
    expect(await holdings()).toBe(before);
  });

  it("the victim's own credentials still work on the same routes (the table is not refusing everyone)", async () => {
    for (const route of ROUTES.filter((r) => r.method === 'GET')) {
      const headers = route.auth === 'operator' ? { 'x-operator-key': operatorKey } : credentials(victim)(route.auth);
      const res = await s.request('GET', fill(route.path, ids), { headers });
      expect(res.status, `${route.method} ${route.path}: ${res.text.slice(0, 200)}`).toBe(200);
    }
  });
});

describe('security: the route table covers every protected route', () => {
  const SCHEMES: Record<Auth, string[]> = { developer: ['bearer', 'developerKey'], token: ['bearer'], api: ['apiKey'], operator: ['operatorKey'] };

  it('lists each authenticated route of /docs/json, and the document names the credential each needs', async () => {
    const s = await startServer('sqlite');
    try {
      const doc = (await s.request('GET', '/docs/json')).body as { paths: Record<string, Record<string, { security?: Array<Record<string, unknown>> }>> };
      const open = new Set(['/health', '/api/v1/health', '/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/verify-email', '/api/v1/auth/request-verification']);
      const runtime = new Set(['/api/v1/project/has-paid', '/api/v1/injectable/stream']);
      const documented = Object.entries(doc.paths)
        .filter(([p]) => !open.has(p) && !p.startsWith('/api/v1/health/') && !runtime.has(p))
        .flatMap(([p, ops]) => Object.entries(ops).map(([m, op]) => ({ route: `${m.toUpperCase()} ${p.replace(/\{([a-z_]+)\}/g, ':$1')}`, op })));
      const tabled = new Map(ROUTES.map((r) => [`${r.method} ${r.path}`, r]));
      expect(documented.map((d) => d.route).filter((r) => !tabled.has(r))).toEqual([]);
      for (const { route, op } of documented) {
        expect(op.security?.map((req) => Object.keys(req).sort()), route).toEqual([SCHEMES[tabled.get(route)!.auth].sort()]);
      }
    } finally {
      await s.close();
    }
  });
});
