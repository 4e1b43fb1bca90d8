import { expect } from 'vitest';
import type { TestResponse, TestServer } from './harness.js';
import { image, postGeneration } from '../generations/fixtures.js';
import { PASSWORD, uniqueEmail, type SeededDeveloper } from './seed.js';

/**
 * Every route of both faces that needs a credential, with a valid body where it takes one:
 * the one table the security suites (test/security) walk.
 */

export type Face = 'devkit' | 'devpayr';
/**
 * developer: bearer + X-User-Role + X-Developer-Key; token: bearer only; api: X-API-KEY; operator: X-Operator-Key;
 * endUser: an end user's bearer + X-User-Role: end_user + X-Project-ID + X-API-Key + X-Developer-Key of that project.
 */
export type Auth = 'developer' | 'token' | 'api' | 'operator' | 'endUser';

export interface Route {
  method: string;
  path: string;
  face: Face;
  auth: Auth;
  body?: unknown;
}

export const INJECTABLE = {
  title: 'Banner',
  type: 'snippet',
  mode: 'inject',
  secret: 'correct-horse-battery',
  content: 'hello',
};

export const ROUTES: Route[] = [
  // devkit: the account itself
  { method: 'GET', path: '/api/v1/auth/me', face: 'devkit', auth: 'token' },
  { method: 'GET', path: '/api/v1/auth/developer-keys', face: 'devkit', auth: 'developer' },
  { method: 'POST', path: '/api/v1/auth/developer-keys', face: 'devkit', auth: 'developer', body: { name: 'k' } },
  { method: 'DELETE', path: '/api/v1/auth/developer-keys/:key_id', face: 'devkit', auth: 'developer' },
  {
    method: 'POST',
    path: '/api/v1/auth/developer-keys/:key_id/reroll',
    face: 'devkit',
    auth: 'developer',
    body: { overlap_seconds: 0 },
  },
  // devkit: projects, their keys, statistics and users
  { method: 'GET', path: '/api/v1/projects/', face: 'devkit', auth: 'developer' },
  { method: 'POST', path: '/api/v1/projects/', face: 'devkit', auth: 'developer', body: { name: 'Intruder project' } },
  { method: 'GET', path: '/api/v1/projects/:project_id', face: 'devkit', auth: 'developer' },
  {
    method: 'PUT',
    path: '/api/v1/projects/:project_id',
    face: 'devkit',
    auth: 'developer',
    body: { name: 'Renamed by intruder' },
  },
  { method: 'DELETE', path: '/api/v1/projects/:project_id', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/stats', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/:project_id/stats', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/users', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/:project_id/users', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/:project_id/api-keys', face: 'devkit', auth: 'developer' },
  {
    method: 'POST',
    path: '/api/v1/projects/:project_id/api-keys',
    face: 'devkit',
    auth: 'developer',
    body: { name: 'k' },
  },
  { method: 'DELETE', path: '/api/v1/projects/:project_id/api-keys/:api_key_id', face: 'devkit', auth: 'developer' },
  {
    method: 'POST',
    path: '/api/v1/projects/:project_id/api-keys/:api_key_id/reroll',
    face: 'devkit',
    auth: 'developer',
    body: { overlap_seconds: 0 },
  },
  // devkit: licensing under a project
  { method: 'GET', path: '/api/v1/projects/:project_id/licenses', face: 'devkit', auth: 'developer' },
  {
    method: 'POST',
    path: '/api/v1/projects/:project_id/licenses',
    face: 'devkit',
    auth: 'developer',
    body: { title: 'Intruder license' },
  },
  { method: 'GET', path: '/api/v1/projects/:project_id/licenses/:license_id', face: 'devkit', auth: 'developer' },
  { method: 'DELETE', path: '/api/v1/projects/:project_id/licenses/:license_id', face: 'devkit', auth: 'developer' },
  {
    method: 'POST',
    path: '/api/v1/projects/:project_id/licenses/:license_id/revoke',
    face: 'devkit',
    auth: 'developer',
  },
  {
    method: 'POST',
    path: '/api/v1/projects/:project_id/licenses/:license_id/reactivate',
    face: 'devkit',
    auth: 'developer',
  },
  { method: 'GET', path: '/api/v1/projects/:project_id/domains', face: 'devkit', auth: 'developer' },
  {
    method: 'POST',
    path: '/api/v1/projects/:project_id/domains',
    face: 'devkit',
    auth: 'developer',
    body: { domain: 'intruder.example.com' },
  },
  { method: 'GET', path: '/api/v1/projects/:project_id/domains/:domain_id', face: 'devkit', auth: 'developer' },
  {
    method: 'PATCH',
    path: '/api/v1/projects/:project_id/domains/:domain_id',
    face: 'devkit',
    auth: 'developer',
    body: { has_paid: true },
  },
  { method: 'DELETE', path: '/api/v1/projects/:project_id/domains/:domain_id', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/projects/:project_id/injectables', face: 'devkit', auth: 'developer' },
  {
    method: 'POST',
    path: '/api/v1/projects/:project_id/injectables',
    face: 'devkit',
    auth: 'developer',
    body: INJECTABLE,
  },
  { method: 'GET', path: '/api/v1/projects/:project_id/injectables/:injectable_id', face: 'devkit', auth: 'developer' },
  {
    method: 'PATCH',
    path: '/api/v1/projects/:project_id/injectables/:injectable_id',
    face: 'devkit',
    auth: 'developer',
    body: { is_active: false },
  },
  {
    method: 'DELETE',
    path: '/api/v1/projects/:project_id/injectables/:injectable_id',
    face: 'devkit',
    auth: 'developer',
  },
  // devkit: webhooks and the audit log
  {
    method: 'PUT',
    path: '/api/v1/projects/:project_id/webhook',
    face: 'devkit',
    auth: 'developer',
    body: { url: 'http://hooks.invalid/intruder', secret: 'intruder-secret' },
  },
  { method: 'GET', path: '/api/v1/projects/:project_id/webhook-deliveries', face: 'devkit', auth: 'developer' },
  {
    method: 'GET',
    path: '/api/v1/projects/:project_id/webhook-deliveries/:delivery_id',
    face: 'devkit',
    auth: 'developer',
  },
  {
    method: 'POST',
    path: '/api/v1/projects/:project_id/webhook-deliveries/:delivery_id/resend',
    face: 'devkit',
    auth: 'developer',
  },
  { method: 'POST', path: '/api/v1/projects/:project_id/webhook-test', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/audit-log', face: 'devkit', auth: 'developer' },
  // devkit: payments, for the developer (validate-credentials' key is of the other mode: refused before any call to Stripe)
  { method: 'GET', path: '/api/v1/payments/stripe/projects/:project_id/config', face: 'devkit', auth: 'developer' },
  {
    method: 'PUT',
    path: '/api/v1/payments/stripe/projects/:project_id/config',
    face: 'devkit',
    auth: 'developer',
    body: { test_publishable_key: 'pk_test_51intruderKey00' },
  },
  { method: 'DELETE', path: '/api/v1/payments/stripe/projects/:project_id/config', face: 'devkit', auth: 'developer' },
  {
    method: 'GET',
    path: '/api/v1/payments/stripe/projects/:project_id/webhook-urls',
    face: 'devkit',
    auth: 'developer',
  },
  {
    method: 'POST',
    path: '/api/v1/payments/stripe/projects/:project_id/validate-credentials',
    face: 'devkit',
    auth: 'developer',
    body: { secret_key: 'sk_live_51neverSentAnywhere', is_test_mode: true },
  },
  {
    method: 'GET',
    path: '/api/v1/payments/stripe/projects/:project_id/subscriptions',
    face: 'devkit',
    auth: 'developer',
  },
  { method: 'GET', path: '/api/v1/payments/stripe/projects/:project_id/payments', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/payments/subscriptions', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/payments/transactions', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/payments/projects', face: 'devkit', auth: 'developer' },
  { method: 'GET', path: '/api/v1/payments/stats', face: 'devkit', auth: 'developer' },
  // devkit: payments, for the project's end users (the project has no Stripe configuration here: nothing reaches Stripe)
  {
    method: 'POST',
    path: '/api/v1/payments/stripe/checkout-session',
    face: 'devkit',
    auth: 'endUser',
    body: { price_id: 'price_x', success_url: 'https://a.example/ok', cancel_url: 'https://a.example/no' },
  },
  { method: 'GET', path: '/api/v1/payments/stripe/my-subscription', face: 'devkit', auth: 'endUser' },
  { method: 'GET', path: '/api/v1/payments/stripe/my-payments', face: 'devkit', auth: 'endUser' },
  {
    method: 'POST',
    path: '/api/v1/payments/stripe/customer-portal',
    face: 'devkit',
    auth: 'endUser',
    body: { return_url: 'https://a.example/billing' },
  },
  {
    method: 'POST',
    path: '/api/v1/payments/stripe/cancel-subscription',
    face: 'devkit',
    auth: 'endUser',
    body: { cancel_immediately: true },
  },
  {
    method: 'POST',
    path: '/api/v1/payments/stripe/update-subscription',
    face: 'devkit',
    auth: 'endUser',
    body: { new_price_id: 'price_x' },
  },
  // devkit: generations, for the project's end users (:generation_id is the victim end user's generation)
  { method: 'GET', path: '/api/v1/generation/generations-v2', face: 'devkit', auth: 'endUser' },
  {
    method: 'POST',
    path: '/api/v1/generation/generate-v2',
    face: 'devkit',
    auth: 'endUser',
    body: { instructions: 'a lighthouse' },
  },
  { method: 'GET', path: '/api/v1/generation/generations-v2/:generation_id/status', face: 'devkit', auth: 'endUser' },
  {
    method: 'PATCH',
    path: '/api/v1/generation/generations-v2/:generation_id/public',
    face: 'devkit',
    auth: 'endUser',
    body: { is_public: true },
  },
  { method: 'DELETE', path: '/api/v1/generation/generations-v2/:generation_id', face: 'devkit', auth: 'endUser' },
  // operator
  {
    method: 'PUT',
    path: '/api/v1/operator/developers/:developer/tier',
    face: 'devkit',
    auth: 'operator',
    body: { tier: 'cloud_premium' },
  },
  // devpayr: projects
  { method: 'GET', path: '/api/v1/projects', face: 'devpayr', auth: 'api' },
  { method: 'POST', path: '/api/v1/project', face: 'devpayr', auth: 'api', body: { name: 'Intruder project' } },
  { method: 'GET', path: '/api/v1/project/:project', face: 'devpayr', auth: 'api' },
  {
    method: 'PUT',
    path: '/api/v1/project/:project',
    face: 'devpayr',
    auth: 'api',
    body: { name: 'Renamed by intruder', has_paid: false },
  },
  { method: 'PATCH', path: '/api/v1/project/:project', face: 'devpayr', auth: 'api', body: { has_paid: false } },
  { method: 'DELETE', path: '/api/v1/project/:project', face: 'devpayr', auth: 'api' },
  { method: 'GET', path: '/api/v1/project/:project/has-paid', face: 'devpayr', auth: 'api' },
  // devpayr: licenses, domains (both spellings), injectables
  { method: 'GET', path: '/api/v1/project/:project/licenses', face: 'devpayr', auth: 'api' },
  {
    method: 'POST',
    path: '/api/v1/project/:project/licenses',
    face: 'devpayr',
    auth: 'api',
    body: { title: 'Intruder license' },
  },
  { method: 'GET', path: '/api/v1/project/:project/licenses/:license', face: 'devpayr', auth: 'api' },
  { method: 'DELETE', path: '/api/v1/project/:project/licenses/:license', face: 'devpayr', auth: 'api' },
  { method: 'POST', path: '/api/v1/project/:project/licenses/:license/revoke', face: 'devpayr', auth: 'api' },
  {
    method: 'POST',
    path: '/api/v1/project/:project/licenses/:license/reroll',
    face: 'devpayr',
    auth: 'api',
    body: { overlap_seconds: 0 },
  },
  {
    method: 'PATCH',
    path: '/api/v1/project/:project/licenses/:license',
    face: 'devpayr',
    auth: 'api',
    body: { max_devices: 5 },
  },
  { method: 'GET', path: '/api/v1/project/:project/licenses/:license/devices', face: 'devpayr', auth: 'api' },
  {
    method: 'DELETE',
    path: '/api/v1/project/:project/licenses/:license/devices/:device',
    face: 'devpayr',
    auth: 'api',
  },
  { method: 'POST', path: '/api/v1/project/:project/licenses/:license/reactivate', face: 'devpayr', auth: 'api' },
  { method: 'GET', path: '/api/v1/project/:project/domains', face: 'devpayr', auth: 'api' },
  {
    method: 'POST',
    path: '/api/v1/project/:project/domains',
    face: 'devpayr',
    auth: 'api',
    body: { domain: 'intruder.example.com' },
  },
  ...['domain', 'domains'].flatMap((segment): Route[] => [
    { method: 'GET', path: `/api/v1/project/:project/${segment}/:domain`, face: 'devpayr', auth: 'api' },
    {
      method: 'PUT',
      path: `/api/v1/project/:project/${segment}/:domain`,
      face: 'devpayr',
      auth: 'api',
      body: { has_paid: true },
    },
    {
      method: 'PATCH',
      path: `/api/v1/project/:project/${segment}/:domain`,
      face: 'devpayr',
      auth: 'api',
      body: { has_paid: true },
    },
    { method: 'DELETE', path: `/api/v1/project/:project/${segment}/:domain`, face: 'devpayr', auth: 'api' },
  ]),
  { method: 'GET', path: '/api/v1/project/:project/injectables', face: 'devpayr', auth: 'api' },
  { method: 'POST', path: '/api/v1/project/:project/injectables', face: 'devpayr', auth: 'api', body: INJECTABLE },
  { method: 'GET', path: '/api/v1/project/:project/injectables/:injectable', face: 'devpayr', auth: 'api' },
  {
    method: 'PUT',
    path: '/api/v1/project/:project/injectables/:injectable',
    face: 'devpayr',
    auth: 'api',
    body: { is_active: false },
  },
  {
    method: 'PATCH',
    path: '/api/v1/project/:project/injectables/:injectable',
    face: 'devpayr',
    auth: 'api',
    body: { is_active: false },
  },
  { method: 'DELETE', path: '/api/v1/project/:project/injectables/:injectable', face: 'devpayr', auth: 'api' },
  // devpayr: webhooks and the audit log
  { method: 'GET', path: '/api/v1/project/:project/webhook-deliveries', face: 'devpayr', auth: 'api' },
  { method: 'GET', path: '/api/v1/project/:project/webhook-deliveries/:delivery', face: 'devpayr', auth: 'api' },
  {
    method: 'POST',
    path: '/api/v1/project/:project/webhook-deliveries/:delivery/resend',
    face: 'devpayr',
    auth: 'api',
  },
  { method: 'POST', path: '/api/v1/project/:project/webhook-test', face: 'devpayr', auth: 'api' },
  { method: 'GET', path: '/api/v1/project/:project/audit-log', face: 'devpayr', auth: 'api' },
  // devpayr: signing keys and offline license files (issue 20)
  { method: 'GET', path: '/api/v1/project/:project/signing-keys', face: 'devpayr', auth: 'api' },
  {
    method: 'POST',
    path: '/api/v1/project/:project/signing-keys/rotate',
    face: 'devpayr',
    auth: 'api',
    body: { grace_days: 1 },
  },
  {
    method: 'POST',
    path: '/api/v1/project/:project/licenses/:license/checkout',
    face: 'devpayr',
    auth: 'api',
    body: { ttl: 3600 },
  },
];

/**
 * Routes whose credential is a license key (X-LICENSE-KEY) and whose body is checked
 * strictly: the bad-input suite sends them the key of a license of a paid project.
 */
export const LICENSE_KEY_ROUTES: Array<Omit<Route, 'auth'> & { body: Record<string, unknown> }> = [
  { method: 'POST', path: '/api/v1/license/checkout', face: 'devpayr', body: { ttl: 3600 } },
  {
    method: 'POST',
    path: '/api/v1/license/devices',
    face: 'devpayr',
    body: { fingerprint: 'bad-input-device', name: 'Device', platform: 'linux' },
  },
];

/** License-key routes without a body, naming the holder's device by its fingerprint. */
export const LICENSE_KEY_DEVICE_ROUTES: Array<Omit<Route, 'auth'>> = [
  { method: 'POST', path: '/api/v1/license/devices/:fingerprint/heartbeat', face: 'devpayr' },
  { method: 'DELETE', path: '/api/v1/license/devices/:fingerprint', face: 'devpayr' },
];

/**
 * Open routes (no credential) that take the id of a generation: the anonymous status route,
 * the Starter Kit's aliases of it, and the image route (a private image needs its signed URL).
 * Anyone may call them, but a generation they do not serve (an end user's, or a private
 * image without its signature) is a 404, the same as an id that does not exist.
 */
export const OPEN_ID_ROUTES: Array<Omit<Route, 'auth'>> = [
  { method: 'GET', path: '/api/v1/generation/anonymous-generations-v2/:generation_id/status', face: 'devkit' },
  { method: 'GET', path: '/api/v1/generation/anonymous-generations/:generation_id/status', face: 'devkit' },
  { method: 'GET', path: '/generation/anonymous-generations/:generation_id/status', face: 'devkit' },
  { method: 'GET', path: '/api/v1/generation/images/:generation_id/:name', face: 'devkit' },
];

/**
 * Lists with no id in the path that take a project as a query filter: named with another
 * developer's project, each answers 404 (never an empty page, which would confirm nothing).
 */
export const PROJECT_FILTERS: Array<{ path: string; param: string }> = [
  { path: '/api/v1/audit-log', param: 'project_id' },
  { path: '/api/v1/projects/users', param: 'project_id' },
];

/**
 * The ids of everything a developer owns or caused, their webhook deliveries and audit
 * entries included: none may appear in another developer's answers.
 */
export async function recordIdsOf(s: TestServer, owner: SeededDeveloper): Promise<string[]> {
  const db = s.ctx.db;
  const projects = (await db.selectFrom('projects').select('id').where('owner_id', '=', owner.userId).execute()).map(
    (r) => r.id,
  );
  const under = async (table: 'licenses' | 'domains' | 'injectables' | 'users') =>
    projects.length
      ? (await db.selectFrom(table).select('id').where('project_id', 'in', projects).execute()).map((r) => r.id)
      : [];
  const byOwner = async (table: 'webhook_deliveries' | 'audit_log' | 'events') =>
    (await db.selectFrom(table).select('id').where('owner_id', '=', owner.userId).execute()).map((r) => r.id);
  const keys = (await db.selectFrom('api_keys').select('id').where('user_id', '=', owner.userId).execute()).map(
    (r) => r.id,
  );
  const ids = [
    owner.userId,
    ...projects,
    ...keys,
    ...(await under('licenses')),
    ...(await under('domains')),
    ...(await under('injectables')),
    ...(await under('users')),
  ];
  return [
    ...ids,
    ...(await byOwner('webhook_deliveries')),
    ...(await byOwner('audit_log')),
    ...(await byOwner('events')),
  ];
}

/** What the victim owns, by path parameter name. */
export type Ids = Record<string, string>;

export function fill(path: string, ids: Ids): string {
  return path.replace(/:([a-z_]+)/g, (_, name: string) => {
    const id = ids[name];
    if (!id) throw new Error(`no id for :${name}`);
    return id;
  });
}

export function expectFaceError(route: Route, res: TestResponse, allowed: number[], label: string): void {
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

/**
 * Gives a developer one of everything the table's ids name: two projects (the first paid),
 * a license, a domain and an injectable under the first, a project API key and a spare
 * developer key. Made through the API, as a customer would.
 */
export async function seedEstate(s: TestServer, owner: SeededDeveloper): Promise<{ ids: Ids; otherProjectId: string }> {
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await s.request(method, path, {
      headers: owner.apiKeyHeaders,
      ...(body !== undefined ? { body } : {}),
    });
    if (res.status >= 300) throw new Error(`seeding ${method} ${path}: ${res.status} ${res.text}`);
    return res.body.data;
  };
  const project = await api('POST', '/api/v1/project', { name: 'Victim project', has_paid: true });
  const other = await api('POST', '/api/v1/project', { name: 'Victim other project' });
  const license = await api('POST', `/api/v1/project/${project.id}/licenses`, { title: 'Victim license' });
  const domain = await api('POST', `/api/v1/project/${project.id}/domains`, { domain: 'victim.example.com' });
  const activated = await s.request('POST', '/api/v1/license/devices', {
    headers: { 'x-license-key': license.uuid },
    body: { fingerprint: 'victim-device' },
  });
  if (activated.status !== 201) throw new Error(`seeding device: ${activated.text}`);
  const injectable = await api('POST', `/api/v1/project/${project.id}/injectables`, INJECTABLE);
  const projectKey = await s.request('POST', `/api/v1/projects/${project.id}/api-keys`, {
    headers: owner.headers,
    body: { name: 'victim key' },
  });
  const spareDevKey = await s.request('POST', '/api/v1/auth/developer-keys', {
    headers: owner.headers,
    body: { name: 'spare' },
  });
  if (projectKey.status !== 201 || spareDevKey.status !== 201)
    throw new Error(`seeding keys: ${projectKey.text} ${spareDevKey.text}`);
  // A webhook delivery (to a host that never resolves), then no endpoint, so nothing is sent anywhere.
  const hook = (url: string | null) =>
    s.request('PUT', `/api/v1/projects/${project.id}/webhook`, {
      headers: owner.headers,
      body: { url, secret: 'victim-webhook-secret' },
    });
  if ((await hook('http://hooks.invalid/victim')).status !== 200) throw new Error('seeding webhook');
  const delivery = await api('POST', `/api/v1/project/${project.id}/webhook-test`);
  if ((await hook(null)).status !== 200) throw new Error('clearing webhook');
  return {
    otherProjectId: other.id,
    ids: {
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
      developer: owner.userId,
      delivery_id: delivery.id,
      delivery: delivery.id,
      device: activated.body.data.id,
    },
  };
}

/** The full end-user headers for an end user's access token in a project (a new project key of it is made). */
export async function endUserHeaders(
  s: TestServer,
  owner: SeededDeveloper,
  projectId: string,
  accessToken: string,
): Promise<Record<string, string>> {
  const key = await s.request('POST', `/api/v1/projects/${projectId}/api-keys`, {
    headers: owner.headers,
    body: { name: 'end-user app' },
  });
  if (key.status !== 201) throw new Error(`project key: ${key.text}`);
  return {
    authorization: `Bearer ${accessToken}`,
    'x-user-role': 'end_user',
    'x-project-id': projectId,
    'x-api-key': key.body.key,
    'x-developer-key': owner.developerKey,
  };
}

/** An end user who signed up in the project and logged in, as an app would. */
export interface SignedUpEndUser {
  userId: string;
  /** Their five end-user headers. */
  headers: Record<string, string>;
}

/** An end user signs up in the project and logs in, as an app would: their id and headers. */
export async function signUpEndUser(
  s: TestServer,
  owner: SeededDeveloper,
  projectId: string,
): Promise<SignedUpEndUser> {
  const email = uniqueEmail('user');
  const reg = await s.request('POST', '/api/v1/auth/register', {
    headers: { 'x-developer-key': owner.developerKey, 'x-project-id': projectId },
    body: { email, password: PASSWORD },
  });
  if (reg.status !== 201) throw new Error(`end user sign-up: ${reg.status} ${reg.text}`);
  const login = await s.request('POST', '/api/v1/auth/login', {
    headers: { 'x-project-id': projectId },
    body: { email, password: PASSWORD },
  });
  if (!login.body?.access_token) throw new Error(`end user login: ${login.status} ${login.text}`);
  return { userId: reg.body.id, headers: await endUserHeaders(s, owner, projectId, login.body.access_token) };
}

/** A generation made through the API (multipart, one small image): an end user's with their headers, an anonymous one without. */
export async function seedGeneration(s: TestServer, headers: Record<string, string> | null): Promise<string> {
  const path = headers ? '/api/v1/generation/generate-v2' : '/api/v1/generation/generate-anonymous-v2';
  const res = await postGeneration(
    s.url,
    headers ?? {},
    { images: [await image()], instructions: 'a seeded generation' },
    path,
  );
  if (res.status !== 200) throw new Error(`seeding a generation: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id;
}

/** An end user of the project and a generation of theirs: the ids the console's end-user and gallery routes take. */
export async function seedEndUserGeneration(s: TestServer, owner: SeededDeveloper, projectId: string): Promise<Ids> {
  const user = await signUpEndUser(s, owner, projectId);
  return { end_user_id: user.userId, generation_id: await seedGeneration(s, user.headers) };
}

/** Everything a developer owns, as one comparable text. */
export async function holdingsOf(s: TestServer, owner: SeededDeveloper): Promise<string> {
  // Without the delivery loop's own bookkeeping (webhook_failing_since), which no request changes.
  const projects = (
    await s.ctx.db.selectFrom('projects').selectAll().where('owner_id', '=', owner.userId).orderBy('id').execute()
  ).map(({ webhook_failing_since: _f, ...p }) => p);
  const projectIds = projects.map((p) => p.id);
  const under = async (table: 'licenses' | 'domains' | 'injectables') =>
    projectIds.length
      ? s.ctx.db.selectFrom(table).selectAll().where('project_id', 'in', projectIds).orderBy('id').execute()
      : [];
  const keys = await s.ctx.db
    .selectFrom('api_keys')
    .select(['id', 'is_active', 'project_id'])
    .where('user_id', '=', owner.userId)
    .orderBy('id')
    .execute();
  const user = await s.ctx.db
    .selectFrom('users')
    .select(['tier', 'is_active', 'full_name', 'password_hash'])
    .where('id', '=', owner.userId)
    .execute();
  const stripe = projectIds.length
    ? await s.ctx.db
        .selectFrom('stripe_configs')
        .selectAll()
        .where('project_id', 'in', projectIds)
        .orderBy('id')
        .execute()
    : [];
  // Generations without their job's progress (a job may finish meanwhile): which exist, whose, and whether public.
  const generations = projectIds.length
    ? await s.ctx.db
        .selectFrom('generations')
        .select(['id', 'project_id', 'user_id', 'is_public', 'instructions'])
        .where('project_id', 'in', projectIds)
        .orderBy('id')
        .execute()
    : [];
  // Signing keys: a rotation leaves a retiring one (an active key is made on first use, by reads too); license files handed out.
  const retiring = projectIds.length
    ? await s.ctx.db
        .selectFrom('signing_keys')
        .select('kid')
        .where('project_id', 'in', projectIds)
        .where('status', '=', 'retiring')
        .orderBy('kid')
        .execute()
    : [];
  const checkouts = projectIds.length
    ? await s.ctx.db
        .selectFrom('license_checkouts')
        .select('id')
        .where('project_id', 'in', projectIds)
        .orderBy('id')
        .execute()
    : [];
  const devices = projectIds.length
    ? await s.ctx.db
        .selectFrom('license_devices')
        .select(['id', 'status'])
        .where('project_id', 'in', projectIds)
        .orderBy('id')
        .execute()
    : [];
  return JSON.stringify({
    projects,
    licenses: await under('licenses'),
    domains: await under('domains'),
    injectables: await under('injectables'),
    keys,
    user,
    stripe,
    generations,
    retiring,
    checkouts,
    devices,
  });
}
