import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { seedDomain, seedLicense, seedProject } from './runtime-fixtures.js';

/**
 * Read-your-writes on one process (issue 9): a change made through the API is answered by
 * the very next check, never by a snapshot cached before it. 1,000 trials of change →
 * immediate check, cycling through every kind of change, each check warmed into the cache
 * before its change so a stale answer would be served if the change did not drop it.
 */
const TRIALS = Number(process.env.RYW_TRIALS ?? 1_000);

forEachDatabase('read-your-writes: the check right after a change sees it', (kind) => {
  let s: TestServer;
  let dev: SeededDeveloper;

  beforeAll(async () => {
    // Deleted licenses are unknown keys: without the per-address limit on them, 125 in a minute are fine here.
    s = await startServer(kind, { env: { RATE_LIMIT: 'false' } });
    dev = await seedDeveloper(s.ctx);
  });
  afterAll(async () => s.close());

  const check = async (key: string, domain: string) => {
    const res = await s.request('POST', '/api/v1/project/has-paid', {
      body: {},
      headers: { 'x-license-key': key, 'x-devpayr-domain': domain },
    });
    return {
      status: res.status,
      hasPaid: res.body?.data?.has_paid as boolean | undefined,
      message: res.body?.message as string,
    };
  };
  const api = async (method: string, path: string, body?: unknown) => {
    const res = await s.request(method, path, { headers: dev.apiKeyHeaders, ...(body !== undefined ? { body } : {}) });
    expect(res.status, `${method} ${path}: ${res.text}`).toBeLessThan(300);
    return res.body;
  };

  it(`${TRIALS} trials of change → immediate check: 0 stale answers`, { timeout: 240_000 }, async () => {
    const project = await seedProject(s.ctx, dev.userId, { hasPaid: true });
    const domainId = await seedDomain(s.ctx, project, 'shop.example.com');
    const { id, key } = await seedLicense(s.ctx, project);
    const base = `/api/v1/project/${project}`;
    let stale = 0;
    const expectNow = async (label: string, key: string, holds: (c: Awaited<ReturnType<typeof check>>) => boolean) => {
      const c = await check(key, 'shop.example.com');
      if (!holds(c)) {
        stale++;
        if (stale <= 5) console.error(`stale after ${label}:`, c);
      }
    };
    type Step = {
      label: string;
      change: () => Promise<void>;
      then: (c: Awaited<ReturnType<typeof check>>) => boolean;
      key?: () => string;
    };
    let fresh: { id: string; key: string } | null = null;
    const steps: Step[] = [
      {
        label: 'revoke',
        change: async () => void (await api('POST', `${base}/licenses/${id}/revoke`)),
        then: (c) => c.status === 403 && c.message === 'This license has been revoked.',
      },
      {
        label: 'reactivate',
        change: async () => void (await api('POST', `${base}/licenses/${id}/reactivate`)),
        then: (c) => c.status === 200,
      },
      {
        label: 'paid off',
        change: async () => void (await api('PUT', base, { has_paid: false })),
        then: (c) => c.status === 200 && c.hasPaid === false,
      },
      {
        label: 'paid on',
        change: async () => void (await api('PUT', base, { has_paid: true })),
        then: (c) => c.status === 200 && c.hasPaid === true,
      },
      {
        label: 'domain off',
        change: async () => void (await api('PUT', `${base}/domain/${domainId}`, { is_active: false })),
        then: (c) => c.status === 403,
      },
      {
        label: 'domain on',
        change: async () => void (await api('PUT', `${base}/domain/${domainId}`, { is_active: true })),
        then: (c) => c.status === 200,
      },
      {
        label: 'create',
        change: async () => {
          const created = await api('POST', `${base}/licenses`, { title: `Seat ${Math.random()}` });
          fresh = { id: created.data.id, key: created.data.uuid };
        },
        key: () => fresh!.key,
        then: (c) => c.status === 200,
      },
      {
        label: 'delete',
        change: async () => void (await api('DELETE', `${base}/licenses/${fresh!.id}`)),
        key: () => fresh!.key,
        then: (c) => c.message === 'Invalid license key.',
      },
    ];
    for (let i = 0; i < TRIALS; i++) {
      const step = steps[i % steps.length]!;
      const k = step.key ? (step.label === 'create' ? null : step.key()) : key;
      // Warm: the answer before the change is in the cache (twice: the second is a hit).
      if (k !== null) {
        await check(k, 'shop.example.com');
        await check(k, 'shop.example.com');
      }
      await step.change();
      await expectNow(step.label, (step.key ?? (() => key))(), step.then);
    }
    expect(stale).toBe(0);
  });
});
