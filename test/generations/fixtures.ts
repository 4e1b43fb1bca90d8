import { expect } from 'vitest';
import sharp from 'sharp';
import type { Context } from '../../src/context.js';
import { registerEndUser } from '../../src/core/end-users/register-end-user.js';
import { createProjectKey } from '../../src/core/keys/create-project-key.js';
import { createProject } from '../../src/core/projects/create-project.js';
import type { Tier } from '../../src/db/schema/index.js';
import { seedDeveloper, uniqueEmail, PASSWORD, type SeededDeveloper } from '../support/seed.js';

export interface SeededEndUser {
  userId: string;
  projectId: string;
  projectKey: string;
  developer: SeededDeveloper;
  /** The five headers of the devkit's end-user routes. */
  headers: Record<string, string>;
}

/** A developer (of `tier`) with a project, a project API key and an end user in it, through the core operations. */
export async function seedProjectUser(
  ctx: Context,
  opts: { tier?: Tier; developer?: SeededDeveloper; projectId?: string; projectKey?: string } = {},
): Promise<SeededEndUser> {
  const developer = opts.developer ?? (await seedDeveloper(ctx, { tier: opts.tier ?? 'free_starter' }));
  const principal = {
    kind: 'developer' as const,
    userId: developer.userId,
    tier: opts.tier ?? 'free_starter',
    keyId: developer.developerKeyId,
  };
  const projectId =
    opts.projectId ??
    (await createProject(ctx, principal, { name: `Gen project ${Math.random().toString(36).slice(2, 8)}` })).id;
  const projectKey = opts.projectKey ?? (await createProjectKey(ctx, principal, projectId, 'gen key')).key;
  const user = await registerEndUser(ctx, principal, projectId, {
    email: uniqueEmail('enduser'),
    password: PASSWORD,
    fullName: 'End User',
  });
  return {
    userId: user.id,
    projectId,
    projectKey,
    developer,
    headers: {
      authorization: `Bearer ${user.tokens!.accessToken}`,
      'x-user-role': 'end_user',
      'x-developer-key': developer.developerKey,
      'x-project-id': projectId,
      'x-api-key': projectKey,
    },
  };
}

/** A small real image of the given format, different per seed. */
export async function image(format: 'png' | 'jpeg' | 'webp' = 'png', seed = 1): Promise<Buffer> {
  return sharp({
    create: {
      width: 32,
      height: 32,
      channels: 3,
      background: { r: (seed * 53) % 256, g: (seed * 97) % 256, b: (seed * 31) % 256 },
    },
  })
    [format]()
    .toBuffer();
}

export interface Upload {
  field?: 'files' | 'example_images';
  images: Array<Buffer | { bytes: Buffer; type?: string; name?: string }>;
  instructions?: string;
  extra?: Record<string, string>;
}

/** A multipart body as a browser's FormData would send it. */
export function form(u: Upload): FormData {
  const fd = new FormData();
  u.images.forEach((img, i) => {
    const bytes = Buffer.isBuffer(img) ? img : img.bytes;
    const type = Buffer.isBuffer(img) ? 'image/png' : (img.type ?? 'image/png');
    const name = Buffer.isBuffer(img) ? `example-${i}.png` : (img.name ?? `example-${i}.png`);
    fd.append(u.field ?? 'files', new Blob([new Uint8Array(bytes)], { type }), name);
  });
  if (u.instructions !== undefined) fd.append('instructions', u.instructions);
  for (const [k, v] of Object.entries(u.extra ?? {})) fd.append(k, v);
  return fd;
}

export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

export async function send(
  url: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: BodyInit } = {},
): Promise<Answer> {
  const res = await fetch(url + path, { method, headers: opts.headers, body: opts.body });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, body };
}

export async function postGeneration(
  url: string,
  headers: Record<string, string>,
  u: Upload,
  path = '/api/v1/generation/generate-v2',
): Promise<Answer> {
  return send(url, 'POST', path, { headers, body: form(u) });
}

/** Polls a status route until the generation is completed or failed (or the time is up). */
export async function waitForEnd(
  url: string,
  path: string,
  headers: Record<string, string> = {},
  timeoutMs = 20_000,
): Promise<Answer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const r = await send(url, 'GET', path, { headers });
    if (r.status !== 200 || r.body.status === 'completed' || r.body.status === 'failed') return r;
    if (Date.now() > deadline) throw new Error(`generation still ${r.body.status} after ${timeoutMs} ms`);
    await new Promise((res) => setTimeout(res, 50));
  }
}

export const FAST_JOBS = { GENERATION_POLL_MS: '50', GENERATION_RETRY_BASE_MS: '50' };

/** A server generating with the replicate provider against a stand-in at `fakeUrl` (fake-providers.ts), jobs polled fast. */
export function replicateEnv(fakeUrl: string, token: string): Record<string, string> {
  return {
    ...FAST_JOBS,
    GENERATION_PROVIDER: 'replicate',
    REPLICATE_API_TOKEN: token,
    REPLICATE_BASE_URL: `${fakeUrl}/v1`,
    REPLICATE_MODEL: 'stability-ai/sdxl:abc123',
  };
}

/** Every blob key a project's generations hold, from their rows. */
export async function projectBlobKeys(ctx: Context, projectId: string): Promise<string[]> {
  const rows = await ctx.db
    .selectFrom('generations')
    .select(['example_images', 'result_key'])
    .where('project_id', '=', projectId)
    .execute();
  return rows.flatMap((r) => [
    ...(JSON.parse(r.example_images) as Array<{ key: string }>).map((e) => e.key),
    ...(r.result_key ? [r.result_key] : []),
  ]);
}

/** Two generations of the end user's project, run to the end (so each holds examples and a result). */
export async function finishedGenerations(url: string, u: SeededEndUser): Promise<string[]> {
  const ids: string[] = [];
  for (const seed of [1, 2]) {
    const r = await postGeneration(url, u.headers, {
      images: [await image('png', seed), await image('jpeg', seed + 10)],
      instructions: `to be deleted ${seed}`,
    });
    expect(r.status).toBe(200);
    ids.push(r.body.id);
  }
  for (const id of ids)
    expect((await waitForEnd(url, `/api/v1/generation/generations-v2/${id}/status`, u.headers)).body.status).toBe(
      'completed',
    );
  return ids;
}

/** Waits (no time asserted) until `done` holds; fails after 20 s. */
export async function eventually(what: string, done: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`still not so after 20 s: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** How many of these blobs the store still holds. */
export async function storedBlobs(ctx: Context, keys: string[]): Promise<number> {
  let n = 0;
  for (const k of keys) {
    const blob = await ctx.blobs.get(k);
    if (!blob) continue;
    n++;
    blob.body.on('error', () => {}).destroy(); // only asked whether it is there (it may go before the stream opens)
  }
  return n;
}

/** Rows of generation_blob_deletions (images still to be removed). */
export async function queuedBlobDeletions(ctx: Context): Promise<number> {
  return Number(
    (
      await ctx.db
        .selectFrom('generation_blob_deletions')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
}
