import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { fill, holdingsOf, seedEndUserGeneration, seedEstate, type Ids } from '../support/routes.js';
import { PASSWORD, seedDeveloper, seedOperator, type SeededDeveloper } from '../support/seed.js';
import { CONSOLE_ROUTES } from './console-routes.test.js';

/**
 * The bad-input suite for the console face: every console route that reads a body or a path
 * id, sent bad input by a signed-in session with the CSRF header and Origin right. Each answer
 * is a 4xx in the console's format, never a 500, and nothing was half-written.
 */
const PROBES: Array<{
  label: string;
  raw: (body: Record<string, unknown>) => { body: string | Buffer; type: string };
}> = [
  { label: 'malformed JSON', raw: (b) => ({ body: JSON.stringify(b).slice(0, -1), type: 'application/json' }) },
  { label: 'a JSON array', raw: (b) => ({ body: JSON.stringify([b]), type: 'application/json' }) },
  { label: 'a JSON string', raw: () => ({ body: '"name"', type: 'application/json' }) },
  { label: 'JSON null', raw: () => ({ body: 'null', type: 'application/json' }) },
  {
    label: 'an unknown field',
    raw: (b) => ({ body: JSON.stringify({ ...b, isAdmin: true }), type: 'application/json' }),
  },
  { label: 'the wrong media type', raw: (b) => ({ body: JSON.stringify(b), type: 'text/plain' }) },
  {
    label: 'a __proto__ key',
    raw: (b) => ({ body: `{"__proto__":{"isAdmin":true},${JSON.stringify(b).slice(1)}`, type: 'application/json' }),
  },
  {
    label: 'a NUL byte',
    raw: (b) => ({
      body: JSON.stringify(
        Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v === 'string' ? `a\u0000b` : v])),
      ),
      type: 'application/json',
    }),
  },
  {
    label: 'a body over the size limit',
    raw: (b) => ({
      body: JSON.stringify({ ...b, [Object.keys(b)[0]!]: 'x'.repeat(2 * 1024 * 1024) }),
      type: 'application/json',
    }),
  },
  {
    label: 'wrong types in every field',
    raw: (b) => ({
      body: JSON.stringify(
        Object.fromEntries(Object.entries(b).map(([k, v]) => [k, typeof v === 'string' ? 12 : 'x'])),
      ),
      type: 'application/json',
    }),
  },
];

forEachDatabase('security: bad input to every console route', (kind) => {
  let s: TestServer;
  let victim: SeededDeveloper;
  let ids: Ids;
  let cookie: string;
  let opCookie: string;

  beforeAll(async () => {
    s = await startServer(kind, { env: { RATE_LIMIT: 'false' } });
    victim = await seedDeveloper(s.ctx, { tier: 'cloud_premium' });
    ids = (await seedEstate(s, victim)).ids;
    Object.assign(ids, await seedEndUserGeneration(s, victim, ids.project_id!));
    const signIn = async (path: string, body: unknown) => {
      const r = await fetch(`${s.url}/console/api${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tollgate-console': '1', origin: s.url },
        body: JSON.stringify(body),
      });
      expect(r.status).toBe(200);
      return r.headers.getSetCookie()[0]!.split(';')[0]!;
    };
    cookie = await signIn('/sign-in', { email: victim.email, password: PASSWORD });
    opCookie = await signIn('/sign-in/operator', { key: (await seedOperator(s.ctx)).key });
    ids.session = 'not-a-session';
  });
  afterAll(async () => s?.close());

  const send = (
    method: string,
    path: string,
    who: 'developer' | 'operator' | 'session',
    raw?: { body: string | Buffer; type: string },
  ) =>
    fetch(s.url + path, {
      method,
      headers: {
        cookie: who === 'operator' ? opCookie : cookie,
        origin: s.url,
        'x-tollgate-console': '1',
        ...(raw ? { 'content-type': raw.type } : {}),
      },
      body: raw?.body as BodyInit | undefined,
    });

  it('every probe on every body route is a 4xx in the console format, and nothing changed', async () => {
    const before = await holdingsOf(s, victim);
    const targets = [
      ...CONSOLE_ROUTES.filter((r) => r.body !== undefined && r.kind !== 'operator'),
      ...CONSOLE_ROUTES.filter((r) => r.body !== undefined && r.kind === 'operator'),
      {
        method: 'POST',
        path: '/console/api/sign-in',
        kind: 'session' as const,
        body: { email: victim.email, password: PASSWORD },
      },
      {
        method: 'POST',
        path: '/console/api/sign-up',
        kind: 'session' as const,
        body: { email: 'bad-input@example.com', password: PASSWORD },
      },
    ];
    let n = 0;
    for (const route of targets) {
      for (const probe of PROBES) {
        // A NUL needs a text field to ride in.
        if (probe.label === 'a NUL byte' && !Object.values(route.body as object).some((v) => typeof v === 'string'))
          continue;
        const res = await send(
          route.method,
          fill(route.path, ids),
          route.kind,
          probe.raw(route.body as Record<string, unknown>),
        );
        const text = await res.text();
        const where = `${probe.label}: ${route.method} ${route.path} -> ${res.status} ${text.slice(0, 200)}`;
        expect(res.status, where).toBeGreaterThanOrEqual(400);
        expect(res.status, where).toBeLessThan(500);
        expect(JSON.parse(text).error.message, where).toEqual(expect.any(String));
        expect(text, where).not.toMatch(/\n\s+at |node_modules|\.ts:\d+/);
        n++;
      }
    }
    expect(n).toBeGreaterThan(120);
    expect(await holdingsOf(s, victim)).toBe(before);
  });

  it('ids that are not ids, and query values of the wrong kind, are 4xx, never 500', async () => {
    const bad = ['not-a-uuid', "1' OR '1'='1", '%00', 'x'.repeat(65), '..%2F..%2Fetc'];
    for (const route of CONSOLE_ROUTES.filter((r) => r.path.includes(':'))) {
      for (const b of bad) {
        const path = route.path.replace(/:[a-z_]+/g, encodeURIComponent(b).replace('%2500', '%00'));
        const res = await send(
          route.method,
          path,
          route.kind,
          route.body ? { body: JSON.stringify(route.body), type: 'application/json' } : undefined,
        );
        const where = `${route.method} ${path} -> ${res.status}`;
        expect(res.status, where).toBeGreaterThanOrEqual(400);
        expect(res.status, where).toBeLessThan(500);
      }
    }
    for (const q of [
      'perPage=0',
      'perPage=abc',
      'cursor=nope',
      'status=weird',
      'page=-1',
      'isActive=maybe',
      `search=${'x'.repeat(200)}`,
    ]) {
      for (const p of [
        '/console/api/projects',
        `/console/api/projects/${ids.project_id}/licenses`,
        '/console/api/end-users',
        `/console/api/projects/${ids.project_id}/generations`,
        `/console/api/projects/${ids.project_id}/payments/subscriptions`,
        `/console/api/projects/${ids.project_id}/payments/transactions`,
        '/console/api/end-users/trend',
        `/console/api/projects/${ids.project_id}/webhook-deliveries`,
        '/console/api/audit-log',
      ]) {
        const res = await send('GET', `${p}?${q}`, 'developer');
        expect(res.status, `${p}?${q}`).toBeGreaterThanOrEqual(400);
        expect(res.status, `${p}?${q}`).toBeLessThan(500);
      }
    }
    for (const q of [
      'since=yesterday',
      'until=2024-13-45',
      `since=${'x'.repeat(41)}`,
      'actorType=robot',
      'projectId=not-a-project',
      `action=${'x'.repeat(65)}`,
    ]) {
      const res = await send('GET', `/console/api/audit-log?${q}`, 'developer');
      expect(res.status, `audit-log?${q}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `audit-log?${q}`).toBeLessThan(500);
    }
    for (const q of [`event=${'x'.repeat(65)}`, 'status=delivered&status=failed']) {
      const res = await send('GET', `/console/api/projects/${ids.project_id}/webhook-deliveries?${q}`, 'developer');
      expect(res.status, `webhook-deliveries?${q}`).toBeGreaterThanOrEqual(400);
      expect(res.status, `webhook-deliveries?${q}`).toBeLessThan(500);
    }
  });
});
