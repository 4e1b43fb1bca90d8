import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { Receiver } from './receiver.js';

const SECRET = 'whsec-wake-test-secret';

// The poll is a minute and the wait below a quarter of it: only the wake can deliver in time.
forEachDatabase('a delivery written by this process wakes its delivery loop', (kind) => {
  let s: TestServer;
  let dev: SeededDeveloper;
  let receiver: Receiver;
  beforeAll(async () => {
    s = await startServer(kind, { env: { WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_INTERVAL: '60s' } });
    dev = await seedDeveloper(s.ctx);
    receiver = await Receiver.start(SECRET);
  });
  afterAll(async () => {
    await s?.close();
    await receiver?.close();
  });

  it('is attempted without waiting for the next poll, each time new work is committed', async () => {
    const created = await s.request('POST', '/api/v1/project', {
      headers: dev.apiKeyHeaders,
      body: { name: 'Woken', webhook_url: receiver.url, webhook_secret: SECRET },
    });
    expect(created.status).toBe(201);
    await receiver.waitFor(() => receiver.ofType('project.created').length === 1, 15_000, 'project.created');
    // The loop is idle again: a second write wakes it once more.
    const license = await s.request('POST', `/api/v1/project/${created.body.data.id}/licenses`, {
      headers: dev.apiKeyHeaders,
      body: { title: 'Seat' },
    });
    expect(license.status).toBe(201);
    await receiver.waitFor(() => receiver.ofType('license.created').length === 1, 15_000, 'license.created');
    expect(receiver.received.every((r) => r.verified)).toBe(true);
  });
});
