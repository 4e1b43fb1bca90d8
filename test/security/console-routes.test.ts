import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestResponse, type TestServer } from '../support/harness.js';
import { fill, holdingsOf, seedEndUserGeneration, seedEstate, type Ids } from '../support/routes.js';
import { PASSWORD, seedDeveloper, seedOperator, type SeededDeveloper } from '../support/seed.js';
import { ConsoleClient } from '../console/client.js';

/**
 * The shared security suite, for the console face (/console/api): every route that needs a
 * session, against every caller that must be refused — no cookie, a forged one, a signed-out
 * session, a disabled account, the wire APIs' credentials instead of a cookie, the wrong kind
 * of session, and another developer's valid session on this developer's ids (404). Each
 * refusal is in the console's error format, and nothing the refused requests asked for happened.
 */
type Kind = 'developer' | 'operator' | 'session';
interface ConsoleRoute {
  method: string;
  path: string;
  kind: Kind;
  body?: unknown;
}

const INJ = { title: 'Intruder', type: 'snippet', mode: 'inject', secret: 'correct-horse-battery', content: 'x' };

export const CONSOLE_ROUTES: ConsoleRoute[] = [
  { method: 'GET', path: '/console/api/me', kind: 'session' },
  { method: 'GET', path: '/console/api/sessions', kind: 'session' },
  { method: 'DELETE', path: '/console/api/sessions/:session', kind: 'session' },
  { method: 'GET', path: '/console/api/developer-keys', kind: 'developer' },
  { method: 'POST', path: '/console/api/developer-keys', kind: 'developer', body: { name: 'intruder' } },
  { method: 'DELETE', path: '/console/api/developer-keys/:key_id', kind: 'developer' },
  {
    method: 'POST',
    path: '/console/api/developer-keys/:key_id/reroll',
    kind: 'developer',
    body: { overlapSeconds: 0 },
  },
  { method: 'GET', path: '/console/api/dashboard', kind: 'developer' },
  { method: 'GET', path: '/console/api/end-users', kind: 'developer' },
  { method: 'GET', path: '/console/api/end-users/trend', kind: 'developer' },
  { method: 'GET', path: '/console/api/end-users/:end_user_id', kind: 'developer' },
  { method: 'GET', path: '/console/api/projects', kind: 'developer' },
  { method: 'POST', path: '/console/api/projects', kind: 'developer', body: { name: 'Intruder project' } },
  { method: 'GET', path: '/console/api/projects/:project_id', kind: 'developer' },
  {
    method: 'PATCH',
    path: '/console/api/projects/:project_id',
    kind: 'developer',
    body: { name: 'Renamed by intruder' },
  },
  {
    method: 'DELETE',
    path: '/console/api/projects/:project_id',
    kind: 'developer',
    body: { confirm: 'Victim project' },
  },
  { method: 'GET', path: '/console/api/projects/:project_id/keys', kind: 'developer' },
  { method: 'POST', path: '/console/api/projects/:project_id/keys', kind: 'developer', body: { name: 'k' } },
  { method: 'DELETE', path: '/console/api/projects/:project_id/keys/:api_key_id', kind: 'developer' },
  {
    method: 'POST',
    path: '/console/api/projects/:project_id/keys/:api_key_id/reroll',
    kind: 'developer',
    body: { overlapSeconds: 0 },
  },
  { method: 'GET', path: '/console/api/projects/:project_id/licenses', kind: 'developer' },
  {
    method: 'POST',
    path: '/console/api/projects/:project_id/licenses',
    kind: 'developer',
    body: { title: 'Intruder license' },
  },
  { method: 'GET', path: '/console/api/projects/:project_id/licenses/:license_id', kind: 'developer' },
  { method: 'POST', path: '/console/api/projects/:project_id/licenses/:license_id/revoke', kind: 'developer' },
  {
    method: 'POST',
    path: '/console/api/projects/:project_id/licenses/:license_id/reroll',
    kind: 'developer',
    body: { overlapSeconds: 0 },
  },
  { method: 'POST', path: '/console/api/projects/:project_id/licenses/:license_id/reactivate', kind: 'developer' },
  { method: 'DELETE', path: '/console/api/projects/:project_id/licenses/:license_id', kind: 'developer' },
  { method: 'GET', path: '/console/api/projects/:project_id/domains', kind: 'developer' },
  {
    method: 'POST',
    path: '/console/api/projects/:project_id/domains',
    kind: 'developer',
    body: { domain: 'intruder.example.com' },
  },
  {
    method: 'PATCH',
    path: '/console/api/projects/:project_id/domains/:domain_id',
    kind: 'developer',
    body: { hasPaid: true },
  },
  { method: 'DELETE', path: '/console/api/projects/:project_id/domains/:domain_id', kind: 'developer' },
  { method: 'GET', path: '/console/api/projects/:project_id/injectables', kind: 'developer' },
  { method: 'POST', path: '/console/api/projects/:project_id/injectables', kind: 'developer', body: INJ },
  {
    method: 'PATCH',
    path: '/console/api/projects/:project_id/injectables/:injectable_id',
    kind: 'developer',
    body: { title: 'Renamed by intruder', secret: 'intruder-secret-1', content: 'replaced by intruder' },
  },
  { method: 'DELETE', path: '/console/api/projects/:project_id/injectables/:injectable_id', kind: 'developer' },
  { method: 'GET', path: '/console/api/projects/:project_id/generations', kind: 'developer' },
  {
    method: 'PATCH',
    path: '/console/api/projects/:project_id/generations/:generation_id',
    kind: 'developer',
    body: { isPublic: true },
  },
  { method: 'DELETE', path: '/console/api/projects/:project_id/generations/:generation_id', kind: 'developer' },
  // Payments: the validate body's key is of the other mode, so it is refused before any call to Stripe.
  { method: 'GET', path: '/console/api/projects/:project_id/payments', kind: 'developer' },
  {
    method: 'PUT',
    path: '/console/api/projects/:project_id/payments/config',
    kind: 'developer',
    body: { testPublishableKey: 'pk_test_51intruderKey00' },
  },
  { method: 'DELETE', path: '/console/api/projects/:project_id/payments/config', kind: 'developer' },
  {
    method: 'POST',
    path: '/console/api/projects/:project_id/payments/validate',
    kind: 'developer',
    body: { mode: 'test', secretKey: 'sk_live_51neverSentAnywhere' },
  },
  { method: 'GET', path: '/console/api/projects/:project_id/payments/subscriptions', kind: 'developer' },
  { method: 'GET', path: '/console/api/projects/:project_id/payments/transactions', kind: 'developer' },
  {
    method: 'PUT',
    path: '/console/api/projects/:project_id/webhook',
    kind: 'developer',
    body: { url: 'http://hooks.invalid/intruder', secret: 'intruder-secret' },
  },
  { method: 'GET', path: '/console/api/projects/:project_id/webhook-deliveries', kind: 'developer' },
  { method: 'GET', path: '/console/api/projects/:project_id/webhook-deliveries/:delivery_id', kind: 'developer' },
  {
    method: 'POST',
    path: '/console/api/projects/:project_id/webhook-deliveries/:delivery_id/resend',
    kind: 'developer',
  },
  { method: 'POST', path: '/console/api/projects/:project_id/webhook-test', kind: 'developer' },
  { method: 'GET', path: '/console/api/audit-log', kind: 'developer' },
  { method: 'PATCH', path: '/console/api/account', kind: 'developer', body: { fullName: 'Renamed by intruder' } },
  {
    method: 'POST',
    path: '/console/api/account/password',
    kind: 'developer',
    body: { currentPassword: PASSWORD, newPassword: 'Intruder-Pass-123' },
  },
  { method: 'GET', path: '/console/api/operator/developers', kind: 'operator' },
  {
    method: 'POST',
    path: '/console/api/operator/developers',
    kind: 'operator',
    body: { email: 'intruder-made@example.com', password: PASSWORD },
  },
  {
    method: 'PUT',
    path: '/console/api/operator/developers/:developer/tier',
    kind: 'operator',
    body: { tier: 'free_starter' },
  },
  { method: 'GET', path: '/console/api/operator/settings', kind: 'operator' },
  { method: 'PUT', path: '/console/api/operator/settings', kind: 'operator', body: { signUpOpen: true } },
  { method: 'GET', path: '/console/api/operator/health', kind: 'operator' },
];

function expectConsoleError(route: ConsoleRoute, res: TestResponse, allowed: number[], label: string): void {
  const where = `${label}: ${route.method} ${route.path} -> ${res.status} ${res.text.slice(0, 200)}`;
  expect(allowed, where).toContain(res.status);
  expect(res.text, where).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
  expect(typeof res.body?.error?.message, where).toBe('string');
  expect(typeof res.body?.error?.code, where).toBe('string');
}

forEachDatabase('security: every console route refuses every wrong caller', (kind) => {
  let s: TestServer;
  let victim: SeededDeveloper;
  let ids: Ids;
  let before: string;
  let victimClient: ConsoleClient;
  let intruder: ConsoleClient;
  let signedOut: string;
  let disabled: string;
  let operator: ConsoleClient;
  let operatorKey: string;
  let intruderDev: SeededDeveloper;

  beforeAll(async () => {
    s = await startServer(kind, { env: { RATE_LIMIT: 'false' } });
    const [v, i, gone, off] = await Promise.all(
      [0, 1, 2, 3].map(() => seedDeveloper(s.ctx, { tier: 'cloud_premium' })),
    );
    victim = v!;
    intruderDev = i!;
    ids = (await seedEstate(s, victim)).ids;
    Object.assign(ids, await seedEndUserGeneration(s, victim, ids.project_id!));
    victimClient = new ConsoleClient(s);
    await victimClient.signIn(victim.email, PASSWORD);
    ids.session = (await victimClient.call('GET', '/sessions')).body.items[0].id;
    intruder = new ConsoleClient(s);
    await intruder.signIn(intruderDev.email, PASSWORD);
    const out = new ConsoleClient(s);
    await out.signIn(gone!.email, PASSWORD);
    signedOut = out.cookie!;
    await out.call('POST', '/sign-out');
    const dis = new ConsoleClient(s);
    await dis.signIn(off!.email, PASSWORD);
    disabled = dis.cookie!;
    await s.ctx.db.updateTable('users').set({ is_active: false }).where('id', '=', off!.userId).execute();
    operatorKey = (await seedOperator(s.ctx)).key;
    operator = new ConsoleClient(s);
    await operator.signInOperator(operatorKey);
    before =
      (await holdingsOf(s, victim)) +
      JSON.stringify(await s.ctx.db.selectFrom('instance_settings').selectAll().execute());
  });
  afterAll(async () => s?.close());

  const callers: Array<{
    label: string;
    cookie: () => string | null;
    headers?: () => Record<string, string>;
    applies: (r: ConsoleRoute) => boolean;
    expected: (r: ConsoleRoute) => number[];
  }> = [
    { label: 'no cookie', cookie: () => null, applies: () => true, expected: () => [401] },
    {
      label: 'a forged cookie',
      cookie: () => `__Host-tollgate_console=${'A'.repeat(43)}`,
      applies: () => true,
      expected: () => [401],
    },
    {
      label: 'the cookie under the plain-HTTP name',
      cookie: () => `tollgate_console=${victimClient.cookie!.split('=')[1]}`,
      applies: () => true,
      expected: () => [401],
    },
    { label: 'a signed-out session', cookie: () => signedOut, applies: () => true, expected: () => [401] },
    { label: 'a disabled account', cookie: () => disabled, applies: () => true, expected: () => [401] },
    {
      label: 'wire credentials instead of a cookie',
      cookie: () => null,
      headers: () => ({ ...victim.headers, ...victim.apiKeyHeaders, 'x-operator-key': operatorKey }),
      applies: () => true,
      expected: () => [401],
    },
    {
      label: 'an operator session on developer routes',
      cookie: () => operator.cookie,
      applies: (r) => r.kind === 'developer',
      expected: () => [403],
    },
    {
      label: 'a developer session on operator routes',
      cookie: () => intruder.cookie,
      applies: (r) => r.kind === 'operator',
      expected: () => [403],
    },
    {
      label: "another developer's valid session on the victim's ids",
      cookie: () => intruder.cookie,
      applies: (r) => r.path.includes(':') && r.kind !== 'operator',
      expected: () => [404],
    },
  ];

  for (const caller of callers) {
    it(`${caller.label}: refused on every route it applies to`, async () => {
      const routes = CONSOLE_ROUTES.filter(caller.applies);
      expect(routes.length).toBeGreaterThan(0);
      const c = new ConsoleClient(s);
      for (const route of routes) {
        let res: TestResponse;
        if (caller.headers) {
          res = await s.request(route.method, fill(route.path, ids), {
            headers: { ...caller.headers(), origin: s.url, 'x-tollgate-console': '1' },
            ...(route.body !== undefined ? { body: route.body } : {}),
          });
        } else {
          res = await c.call(route.method, fill(route.path, ids).replace('/console/api', ''), route.body, {
            cookie: caller.cookie(),
          });
        }
        expectConsoleError(route, res, caller.expected(route), caller.label);
      }
    });
  }

  it('nothing the refused requests asked for has happened', async () => {
    expect(
      (await holdingsOf(s, victim)) +
        JSON.stringify(await s.ctx.db.selectFrom('instance_settings').selectAll().execute()),
    ).toBe(before);
    expect((await victimClient.call('GET', '/me')).status).toBe(200);
  });

  it("the victim's own session works on the same GET routes (the table is not refusing everyone)", async () => {
    for (const route of CONSOLE_ROUTES.filter((r) => r.method === 'GET')) {
      const client = route.kind === 'operator' ? operator : victimClient;
      const res = await client.call('GET', fill(route.path, ids).replace('/console/api', ''));
      expect(res.status, `${route.method} ${route.path}: ${res.text.slice(0, 200)}`).toBe(200);
    }
  });
});

describe('security: the console route table covers every console route', () => {
  it('lists every route declared under src/http/console, and every non-public one needs a session', () => {
    const dir = path.resolve('src/http/console');
    const declared: Array<{ route: string; access: string }> = [];
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
      const src = fs.readFileSync(path.join(dir, file), 'utf8');
      const re =
        /app\.(get|post|put|patch|delete)\(\s*['`](\/console\/api\/[^'`]+)['`],\s*\{\s*config:\s*([A-Za-z]+|\{ auth: '([A-Za-z]+)'[^}]*\})/g;
      for (const m of src.matchAll(re)) {
        const access =
          m[4] ??
          ({ dev: 'consoleDeveloper', devWrite: 'consoleDeveloper', op: 'consoleOperator' } as Record<string, string>)[
            m[3]!
          ] ??
          m[3]!;
        declared.push({
          route: `${m[1]!.toUpperCase()} ${m[2]!.replace(':id', ':x').replace(':projectId', ':project_id')}`,
          access,
        });
      }
    }
    expect(declared.length).toBeGreaterThan(30);
    const norm = (p: string) => p.replace(/:[a-z_]+/g, ':x');
    const tabled = new Set(CONSOLE_ROUTES.map((r) => `${r.method} ${norm(r.path)}`));
    const missing = declared
      .filter((d) => d.access !== 'consoleOptional')
      .map((d) => `${d.route.split(' ')[0]} ${norm(d.route.split(' ')[1]!)}`)
      .map((r) => r.replace('${action}', 'revoke'))
      .filter((r) => !tabled.has(r));
    expect(missing).toEqual([]);
    expect(new Set(declared.map((d) => d.access))).toEqual(
      new Set(['consoleOptional', 'console', 'consoleDeveloper', 'consoleOperator']),
    );
    const publicOnes = declared
      .filter((d) => d.access === 'consoleOptional')
      .map((d) => d.route)
      .sort();
    expect(publicOnes).toEqual([
      'GET /console/api/meta',
      'POST /console/api/sign-in',
      'POST /console/api/sign-in/operator',
      'POST /console/api/sign-out',
      'POST /console/api/sign-up',
    ]);
  });
});
