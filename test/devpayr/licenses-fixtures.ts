import { createDecipheriv, createHash, createHmac } from 'node:crypto';
import { expect } from 'vitest';
import { API_KEY_PREFIX, newSecretKey } from '../../src/core/keys/secret-key.js';
import { createProject } from '../../src/core/projects/create-project.js';
import { uuidv7 } from '../../src/lib/ids.js';
import type { TestServer } from '../support/harness.js';
import { seedDeveloper, type SeededDeveloper } from '../support/seed.js';

/** Management-route fixtures for licenses, domains and injectables (both faces' tests use them). */

export interface Tenant {
  dev: SeededDeveloper;
  projectId: string;
  /** A second project of the same developer. */
  otherProjectId: string;
  /** A project-scoped key of `projectId`. */
  projectKey: string;
  /** A project-scoped key of `otherProjectId`. */
  otherProjectKey: string;
}

async function projectKey(s: TestServer, userId: string, projectId: string): Promise<string> {
  const key = newSecretKey(API_KEY_PREFIX);
  await s.ctx.db
    .insertInto('api_keys')
    .values({
      id: uuidv7(),
      kind: 'project',
      user_id: userId,
      project_id: projectId,
      name: 'project key',
      key_hash: key.hash,
      key_prefix: key.prefix,
      is_active: true,
      created_at: s.ctx.clock.now(),
    })
    .execute();
  return key.key;
}

export async function seedTenant(s: TestServer): Promise<Tenant> {
  const dev = await seedDeveloper(s.ctx);
  const principal = {
    kind: 'developer' as const,
    userId: dev.userId,
    tier: 'free_starter' as const,
    keyId: dev.developerKeyId,
  };
  const a = await createProject(s.ctx, principal, { name: `Alpha ${uuidv7()}` });
  const b = await createProject(s.ctx, principal, { name: `Beta ${uuidv7()}` });
  return {
    dev,
    projectId: a.id,
    otherProjectId: b.id,
    projectKey: await projectKey(s, dev.userId, a.id),
    otherProjectKey: await projectKey(s, dev.userId, b.id),
  };
}

export async function eventsOf(
  s: TestServer,
  projectId: string,
  type: string,
): Promise<Array<Record<string, unknown>>> {
  const rows = await s.ctx.db
    .selectFrom('events')
    .select(['payload'])
    .where('project_id', '=', projectId)
    .where('type', '=', type)
    .execute();
  return rows.map((r) => JSON.parse(r.payload) as Record<string, unknown>);
}

/** The devpayr error envelope with this status, and the message(s) given. */
export function expectEnvelopeError(
  res: { status: number; body: any },
  status: number,
  field?: string,
  message?: string | RegExp,
): void {
  expect(res.status).toBe(status);
  expect(res.body).toMatchObject({ status: 'error', data: null });
  expect(typeof res.body.message).toBe('string');
  if (field) {
    expect(res.body.errors?.[field]?.length).toBeGreaterThan(0);
    if (message) expect(res.body.errors[field][0]).toMatch(message);
  }
}

/** Opens the spec's delivery form independently of the server's code, after checking the signature. */
export function openDelivery(delivered: string, signature: string, secret: string): Buffer {
  expect(signature).toBe(createHmac('sha256', secret).update(delivered).digest('hex'));
  const raw = Buffer.from(delivered, 'base64');
  const iv = raw.subarray(0, 16);
  expect(raw.subarray(16, 18).toString('latin1')).toBe('::');
  expect(iv.includes(0x3a)).toBe(false);
  const key = createHash('sha256').update(secret, 'utf8').digest();
  const d = createDecipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([d.update(Buffer.from(raw.subarray(18).toString('latin1'), 'base64')), d.final()]);
}
