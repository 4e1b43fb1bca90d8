import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer, type TestServer } from '../support/harness.js';
import { seedTenant, type Tenant } from '../devpayr/licenses-fixtures.js';

/**
 * A refusal names the field the caller sent, not the core's name for it (issue 18): where a
 * route takes a field under another name than the core's (`url` for `webhook_url`,
 * `content_base64` for `file`) or under two names (`token` / `verification_token`), its
 * validation errors say so. Generation uploads (`files` / `example_images`) are in
 * test/generations/errors.test.ts. SQLite only: the database plays no part in the naming.
 */
let s: TestServer;
let t: Tenant;
beforeAll(async () => {
  s = await startServer('sqlite');
  t = await seedTenant(s);
});
afterAll(() => s.close());

const locs = (body: { detail: Array<{ loc: unknown[] }> }) => body.detail.map((d) => d.loc);

it('PUT …/webhook with `url` names `url`, as does the test send of a project without one', async () => {
  const put = await s.request('PUT', `/api/v1/projects/${t.projectId}/webhook`, {
    headers: t.dev.headers,
    body: { url: 'http://10.1.2.3/hook', secret: 'webhook-secret-1' },
  });
  expect(put.status).toBe(422);
  expect(locs(put.body)).toEqual([['body', 'url']]);
  const test = await s.request('POST', `/api/v1/projects/${t.projectId}/webhook-test`, { headers: t.dev.headers });
  expect(test.status).toBe(422);
  expect(locs(test.body)).toEqual([['body', 'url']]);
  // The devpayr face takes it as webhook_url, and says so.
  const devpayr = await s.request('PUT', `/api/v1/project/${t.projectId}`, {
    headers: t.dev.apiKeyHeaders,
    body: { webhook_url: 'http://10.1.2.3/hook' },
  });
  expect(devpayr.status).toBe(422);
  expect(Object.keys(devpayr.body.errors)).toEqual(['webhook_url']);
});

it('a devkit injectable sent as content_base64 is refused as content_base64, not as file', async () => {
  const base = { title: 'Blob', mode: 'write', target_path: 'lib/blob.bin', secret: 'devkit-secret-123' };
  const wrongType = await s.request('POST', `/api/v1/projects/${t.projectId}/injectables`, {
    headers: t.dev.headers,
    body: { ...base, type: 'snippet', content_base64: 'aGVsbG8=' },
  });
  expect(wrongType.status).toBe(422);
  expect(locs(wrongType.body)).toEqual([['body', 'content_base64']]);
  const both = await s.request('POST', `/api/v1/projects/${t.projectId}/injectables`, {
    headers: t.dev.headers,
    body: { ...base, type: 'file', content: 'x', content_base64: 'aGVsbG8=' },
  });
  expect(both.status).toBe(422);
  expect(locs(both.body)).toEqual([['body', 'content_base64']]);
});

it('verify-email without a token names both of its spellings, the one the caller uses first', async () => {
  const r = await s.request('POST', '/api/v1/auth/verify-email', {
    body: { user_id: '00000000-0000-7000-8000-000000000000' },
  });
  expect(r.status).toBe(422);
  expect(locs(r.body)).toEqual([
    ['body', 'verification_token'],
    ['body', 'token'],
  ]);
});
