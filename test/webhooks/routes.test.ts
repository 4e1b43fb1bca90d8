import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { eventually, Receiver } from './receiver.js';

const SECRET = 'whsec-routes-secret-0123';

forEachDatabase('webhook and audit routes', (kind) => {
  let s: TestServer;
  let dev: SeededDeveloper;
  let other: SeededDeveloper;
  let receiver: Receiver;
  let projectId: string;

  beforeAll(async () => {
    s = await startServer(kind, {
      env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_INTERVAL: '50ms', RATE_LIMIT: 'false' },
    });
    [dev, other] = await Promise.all([seedDeveloper(s.ctx), seedDeveloper(s.ctx)]);
    receiver = await Receiver.start(SECRET);
    const created = await s.request('POST', '/api/v1/projects/', {
      headers: dev.headers,
      body: { name: 'Hooked devkit project' },
    });
    expect(created.status).toBe(201);
    projectId = created.body.id;
  });
  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  it('devkit PUT …/webhook sets URL and secret, warns while unsigned, and the devpayr project answer carries webhook_warning', async () => {
    const unsigned = await s.request('PUT', `/api/v1/projects/${projectId}/webhook`, {
      headers: dev.headers,
      body: { url: receiver.url },
    });
    expect(unsigned.status).toBe(200);
    expect(unsigned.body).toEqual({
      url: receiver.url,
      has_secret: false,
      webhook_warning: expect.stringMatching(/unsigned/),
    });
    const shown = await s.request('GET', `/api/v1/project/${projectId}`, { headers: dev.apiKeyHeaders });
    expect(shown.body.data.webhook_warning).toMatch(/unsigned/);

    const signed = await s.request('PUT', `/api/v1/projects/${projectId}/webhook`, {
      headers: dev.headers,
      body: { url: receiver.url, secret: SECRET },
    });
    expect(signed.body).toEqual({ url: receiver.url, has_secret: true, webhook_warning: null });
    expect(JSON.stringify(signed.body)).not.toContain(SECRET);
    const again = await s.request('GET', `/api/v1/project/${projectId}`, { headers: dev.apiKeyHeaders });
    expect(again.body.data).not.toHaveProperty('webhook_warning');

    const bad = await s.request('PUT', `/api/v1/projects/${projectId}/webhook`, {
      headers: dev.headers,
      body: { url: 'gopher://example.com/x', secret: SECRET },
    });
    expect(bad.status).toBe(422);
    expect(bad.body.detail).toEqual(expect.any(Array));
  });

  it('webhook-test on both faces sends a verified webhook.test; deliveries list, filter, show attempts and resend with the same webhook-id', async () => {
    const devkitTest = await s.request('POST', `/api/v1/projects/${projectId}/webhook-test`, { headers: dev.headers });
    expect(devkitTest.status).toBe(200);
    expect(devkitTest.body).toMatchObject({ event: 'webhook.test', status: 'pending', attempts: 0 });
    const devpayrTest = await s.request('POST', `/api/v1/project/${projectId}/webhook-test`, {
      headers: dev.apiKeyHeaders,
    });
    expect(devpayrTest.status).toBe(200);
    expect(devpayrTest.body).toMatchObject({ status: 'success', data: { event: 'webhook.test', status: 'pending' } });

    await receiver.waitFor(() => receiver.ofType('webhook.test').length === 2, 10_000, 'two webhook.test');
    for (const r of receiver.ofType('webhook.test')) {
      expect(r.verified).toBe(true);
      expect(r.payload.data).toMatchObject({ project_id: projectId });
    }
    expect(
      receiver
        .ofType('webhook.test')
        .map((r) => r.id)
        .sort(),
    ).toEqual([devkitTest.body.event_id, devpayrTest.body.data.event_id].sort());

    const deliveryId = devkitTest.body.id as string;
    await eventually(
      async () => {
        const d = await s.request('GET', `/api/v1/projects/${projectId}/webhook-deliveries/${deliveryId}`, {
          headers: dev.headers,
        });
        return d.body.status === 'delivered' ? d : undefined;
      },
      5000,
      'delivered',
    );
    const shown = await s.request('GET', `/api/v1/project/${projectId}/webhook-deliveries/${deliveryId}`, {
      headers: dev.apiKeyHeaders,
    });
    expect(shown.status).toBe(200);
    expect(shown.body.data).toMatchObject({
      id: deliveryId,
      event: 'webhook.test',
      status: 'delivered',
      last_status_code: 200,
      last_error: null,
    });
    expect(shown.body.data.attempts).toEqual([
      {
        attempted_at: expect.any(String),
        status_code: 200,
        duration_ms: expect.any(Number),
        response_body: '{"received":true}',
        error: null,
      },
    ]);

    const list = await s.request(
      'GET',
      `/api/v1/project/${projectId}/webhook-deliveries?event=webhook.test&per_page=1`,
      { headers: dev.apiKeyHeaders },
    );
    expect(list.body.data.data).toHaveLength(1);
    expect(list.body.data.next_cursor).toEqual(expect.any(String));
    const page2 = await s.request(
      'GET',
      `/api/v1/project/${projectId}/webhook-deliveries?event=webhook.test&per_page=1&cursor=${list.body.data.next_cursor}`,
      { headers: dev.apiKeyHeaders },
    );
    expect(page2.body.data.data).toHaveLength(1);
    expect(page2.body.data.next_cursor).toBeNull();
    const none = await s.request('GET', `/api/v1/projects/${projectId}/webhook-deliveries?status=failed`, {
      headers: dev.headers,
    });
    expect(none.body).toEqual({ deliveries: [], next_cursor: null });
    const badStatus = await s.request('GET', `/api/v1/projects/${projectId}/webhook-deliveries?status=lost`, {
      headers: dev.headers,
    });
    expect(badStatus.status).toBe(422);

    const resent = await s.request('POST', `/api/v1/project/${projectId}/webhook-deliveries/${deliveryId}/resend`, {
      headers: dev.apiKeyHeaders,
    });
    expect(resent.status).toBe(200);
    expect(resent.body.data).toMatchObject({ id: deliveryId, status: 'pending' });
    await receiver.waitFor(
      () => receiver.received.filter((r) => r.id === devkitTest.body.event_id).length === 2,
      5000,
      'resent',
    );
    const [first, second] = receiver.received.filter((r) => r.id === devkitTest.body.event_id);
    expect(second!.body).toBe(first!.body);
    expect(second!.verified).toBe(true);
    const after = await eventually(
      async () => {
        const d = await s.request('GET', `/api/v1/projects/${projectId}/webhook-deliveries/${deliveryId}`, {
          headers: dev.headers,
        });
        return d.body.attempts.length === 2 && d.body.status === 'delivered' ? d : undefined;
      },
      5000,
      'second attempt logged',
    );
    expect(after.body.attempts.map((a: { status_code: number }) => a.status_code)).toEqual([200, 200]);
  });

  it('another developer sees none of it: 404 on the project, the delivery and its resend, and an audit log without these entries', async () => {
    const deliveries = await s.request('GET', `/api/v1/projects/${projectId}/webhook-deliveries`, {
      headers: dev.headers,
    });
    const deliveryId = deliveries.body.deliveries[0].id as string;
    for (const [method, path] of [
      ['GET', `/api/v1/projects/${projectId}/webhook-deliveries`],
      ['GET', `/api/v1/projects/${projectId}/webhook-deliveries/${deliveryId}`],
      ['POST', `/api/v1/projects/${projectId}/webhook-deliveries/${deliveryId}/resend`],
      ['POST', `/api/v1/projects/${projectId}/webhook-test`],
    ] as const) {
      expect((await s.request(method, path, { headers: other.headers })).status, path).toBe(404);
      expect(
        (await s.request(method, path.replace('/projects/', '/project/'), { headers: other.apiKeyHeaders })).status,
        path,
      ).toBe(404);
    }
    expect(
      (await s.request('GET', `/api/v1/project/${projectId}/audit-log`, { headers: other.apiKeyHeaders })).status,
    ).toBe(404);
    expect(
      (await s.request('GET', `/api/v1/audit-log?project_id=${projectId}`, { headers: other.headers })).status,
    ).toBe(404);
    const theirs = await s.request('GET', '/api/v1/audit-log', { headers: other.headers });
    expect(theirs.body).toEqual({ entries: [], next_cursor: null });
    // Another project's delivery id under this developer's project is not found either.
    const second = await s.request('POST', '/api/v1/projects/', {
      headers: dev.headers,
      body: { name: 'Second project' },
    });
    expect(
      (
        await s.request('GET', `/api/v1/projects/${second.body.id}/webhook-deliveries/${deliveryId}`, {
          headers: dev.headers,
        })
      ).status,
    ).toBe(404);
  });

  it('every change leaves an audit entry with actor, key prefix, IP, request id and field names, never secret values', async () => {
    const res = await s.request('PATCH', `/api/v1/project/${projectId}`, {
      headers: dev.apiKeyHeaders,
      body: { description: 'audited', webhook_secret: 'rotated-secret-value' },
    });
    expect(res.status).toBe(200);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toBeTruthy();

    const log = await s.request('GET', `/api/v1/audit-log?project_id=${projectId}&action=project.updated`, {
      headers: dev.headers,
    });
    expect(log.status).toBe(200);
    const entry = log.body.entries.find((e: { request_id: string }) => e.request_id === requestId);
    expect(entry).toMatchObject({
      actor_type: 'developer_key',
      actor_id: dev.userId,
      key_prefix: dev.developerKey.slice(0, entry.key_prefix.length),
      action: 'project.updated',
      target_type: 'project',
      target_id: projectId,
      project_id: projectId,
      ip: '127.0.0.1',
    });
    expect(entry.key_prefix.length).toBeGreaterThan(3);
    expect(entry.changed_fields.sort()).toEqual(['description', 'webhook_secret']);
    const everything = await s.request('GET', '/api/v1/audit-log?limit=50', { headers: dev.headers });
    expect(everything.text).not.toContain('rotated-secret-value');
    expect(everything.text).not.toContain(SECRET);
    const actions = everything.body.entries.map((e: { action: string }) => e.action);
    for (const a of ['project.created', 'project.updated', 'webhook.tested', 'webhook_delivery.resent'])
      expect(actions).toContain(a);

    const viaDevpayr = await s.request('GET', `/api/v1/project/${projectId}/audit-log?action=webhook.tested`, {
      headers: dev.apiKeyHeaders,
    });
    expect(viaDevpayr.status).toBe(200);
    expect(viaDevpayr.body.data.data.map((e: { action: string }) => e.action)).toEqual([
      'webhook.tested',
      'webhook.tested',
    ]);

    const future = new Date(Date.now() + 3_600_000).toISOString();
    expect(
      (await s.request('GET', `/api/v1/audit-log?since=${encodeURIComponent(future)}`, { headers: dev.headers })).body
        .entries,
    ).toEqual([]);
    const upToNow = await s.request(
      'GET',
      `/api/v1/audit-log?until=${encodeURIComponent(future)}&actor_type=developer_key&limit=1`,
      { headers: dev.headers },
    );
    expect(upToNow.body.entries).toHaveLength(1);
    expect(upToNow.body.next_cursor).toEqual(expect.any(String));
    expect((await s.request('GET', '/api/v1/audit-log?since=yesterday', { headers: dev.headers })).status).toBe(422);
  });
});
