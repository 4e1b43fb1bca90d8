import { afterAll, beforeAll, expect, it } from 'vitest';
import { forEachDatabase, startServer, type TestServer } from '../support/harness.js';
import { image, postGeneration, seedProjectUser, send, type SeededEndUser } from './fixtures.js';

/**
 * A generation is a change made through the devkit face: accepting one writes an audit entry
 * in the same transaction, named after the end user who asked, or after the anonymous caller
 * by address and request id, in the log of the developer whose project it counts against;
 * making one public and deleting it are the end user's entries too.
 */
forEachDatabase('audit: generations', (kind) => {
  let s: TestServer;
  let u: SeededEndUser;

  beforeAll(async () => {
    s = await startServer(kind, { env: { RATE_LIMIT: 'false' } });
    u = await seedProjectUser(s.ctx);
  });
  afterAll(async () => s?.close());

  const entries = async () => {
    const res = await send(s.url, 'GET', '/api/v1/audit-log?limit=50', { headers: u.developer.headers });
    expect(res.status).toBe(200);
    return res.body.entries as Array<Record<string, unknown>>;
  };

  it("an end user's create, public toggle and delete are each the end user's entry, with the request id the change was answered with", async () => {
    const created = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'a red fox' });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const id = created.body.id as string;
    const toggled = await send(s.url, 'PATCH', `/api/v1/generation/generations-v2/${id}/public`, {
      headers: { ...u.headers, 'content-type': 'application/json' },
      body: JSON.stringify({ is_public: true }),
    });
    expect(toggled.status).toBe(200);
    const deleted = await send(s.url, 'DELETE', `/api/v1/generation/generations-v2/${id}`, { headers: u.headers });
    expect(deleted.status).toBe(200);

    const mine = (await entries()).filter((e) => e.target_id === id);
    const actions = mine.map((e) => e.action).sort();
    expect(actions).toEqual(['generation.created', 'generation.deleted', 'generation.updated']);
    for (const e of mine)
      expect(e).toMatchObject({
        actor_type: 'end_user',
        actor_id: u.userId,
        project_id: u.projectId,
        target_type: 'generation',
      });
    expect(mine.find((e) => e.action === 'generation.created')!.request_id).toBe(created.headers.get('x-request-id'));
  });

  it("an anonymous generation for a project is the anonymous caller's entry in that project's developer's log", async () => {
    const res = await postGeneration(
      s.url,
      { 'x-project-id': u.projectId },
      { images: [await image('png', 2)], instructions: 'a blue bird' },
      '/api/v1/generation/generate-anonymous-v2',
    );
    expect(res.status).toBe(200);
    const entry = (await entries()).find((e) => e.target_id === res.body.id);
    expect(entry).toMatchObject({
      action: 'generation.created',
      actor_type: 'anonymous',
      actor_id: null,
      project_id: u.projectId,
      request_id: res.headers.get('x-request-id'),
    });
    expect(entry!.ip).toBeTruthy();
  });

  it('a refused create (no images) writes no entry', async () => {
    const before = (await entries()).length;
    const res = await postGeneration(s.url, u.headers, { images: [], instructions: 'nothing' });
    expect(res.status).toBe(422);
    expect((await entries()).length).toBe(before);
  });
});
