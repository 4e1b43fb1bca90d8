import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startServer, type TestServer } from '../support/harness.js';
import {
  FAST_JOBS,
  image,
  postGeneration,
  replicateEnv,
  seedProjectUser,
  waitForEnd,
  type SeededEndUser,
} from './fixtures.js';
import { fakeOpenAI, fakeReplicate, RESULT_COLOUR, type FakeOpenAI, type FakeReplicate } from './fake-providers.js';

const TOKEN = 'r8_test_token_0123456789';
const OPENAI_KEY = 'sk-test-0123456789';

async function resultColour(url: string) {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  const { data } = await sharp(Buffer.from(await res.arrayBuffer()))
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { r: data[0], g: data[1], b: data[2] };
}

describe('generations: the replicate provider through the official client', () => {
  let fake: FakeReplicate;
  let s: TestServer;
  let u: SeededEndUser;
  const statusOf = (id: string) => `/api/v1/generation/generations-v2/${id}/status`;

  beforeAll(async () => {
    fake = await fakeReplicate(TOKEN, { runMs: 150 });
    s = await startServer('sqlite', {
      env: { ...replicateEnv(fake.url, TOKEN), GENERATION_MAX_ATTEMPTS: '3', GENERATION_PROVIDER_TIMEOUT_SECONDS: '2' },
    });
    u = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
  });
  afterAll(async () => {
    await s.close();
    await fake.close();
  });

  it('creates a prediction with the example and prompt, polls it, and copies the output into our store', async () => {
    fake.reset({ runMs: 150 });
    const r = await postGeneration(s.url, u.headers, {
      images: [await image('jpeg', 4)],
      instructions: '{"prompt": "a castle", "negative_prompt": "fog"}',
    });
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers);
    expect(end.body.status).toBe('completed');
    expect(fake.creates).toHaveLength(1);
    expect(fake.creates[0]).toMatchObject({
      auth: `Bearer ${TOKEN}`,
      version: 'abc123',
      input: { prompt: 'a castle', negative_prompt: 'fog' },
    });
    expect(String(fake.creates[0]!.input.image)).toMatch(/^data:image\/jpeg;base64,/);
    // Served by Tollgate from its own store: the provider's output was fetched once, at completion.
    expect(end.body.generated_image_url.startsWith(s.url)).toBe(true);
    expect(await resultColour(end.body.generated_image_url)).toEqual(RESULT_COLOUR);
    expect(fake.downloads).toBe(1);
  });

  it('recovers from 5xx on create by retrying with backoff', async () => {
    fake.reset({ createFailures: 2 });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'retry me' });
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers);
    expect(end.body.status).toBe('completed');
    const row = await s.ctx.db
      .selectFrom('generations')
      .select('attempts')
      .where('id', '=', r.body.id)
      .executeTakeFirstOrThrow();
    expect(row.attempts).toBe(3);
  });

  it('a failed prediction fails the generation at once with the model’s error', async () => {
    fake.reset({ failWith: 'NSFW content detected' });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'fail me' });
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers);
    expect(end.body).toMatchObject({
      status: 'failed',
      error: 'replicate: the prediction failed: NSFW content detected',
      generated_image_url: null,
    });
    expect(fake.creates).toHaveLength(1);
  });

  it('an output URL that 404s is retried, then failed with a readable error', async () => {
    fake.reset({ missingOutput: true });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'no output' });
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers);
    expect(end.body).toMatchObject({
      status: 'failed',
      error: 'replicate: the result image could not be downloaded (HTTP 404)',
    });
    expect(fake.creates).toHaveLength(3);
  });

  it('a provider that never answers times out, is retried, then failed', async () => {
    fake.reset({ hang: true });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'timeout' });
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers, 30_000);
    expect(end.body).toMatchObject({ status: 'failed', error: 'replicate: creating the prediction timed out' });
    expect(fake.creates).toHaveLength(3);
  }, 40_000);
});

describe('generations: the openai provider through the official client', () => {
  let fake: FakeOpenAI;
  let s: TestServer;
  let u: SeededEndUser;
  const statusOf = (id: string) => `/api/v1/generation/generations-v2/${id}/status`;

  beforeAll(async () => {
    fake = await fakeOpenAI(OPENAI_KEY);
    s = await startServer('sqlite', {
      env: {
        ...FAST_JOBS,
        GENERATION_PROVIDER: 'openai',
        OPENAI_API_KEY: OPENAI_KEY,
        OPENAI_BASE_URL: `${fake.url}/v1`,
        GENERATION_MAX_ATTEMPTS: '2',
        GENERATION_PROVIDER_TIMEOUT_SECONDS: '1',
      },
    });
    u = await seedProjectUser(s.ctx, { tier: 'cloud_premium' });
  });
  afterAll(async () => {
    await s.close();
    await fake.close();
  });

  const reset = (b: Partial<FakeOpenAI['behaviour']>) => {
    Object.assign(fake.behaviour, { failStatus: null, asUrl: false, hang: false }, b);
    fake.edits.length = 0;
  };

  it('sends every example and the prompt as an image edit and stores the returned image', async () => {
    reset({});
    const r = await postGeneration(s.url, u.headers, {
      images: [await image('png', 1), await image('webp', 2)],
      instructions: '{"prompt": "a watercolour harbour"}',
    });
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers);
    expect(end.body.status).toBe('completed');
    expect(fake.edits).toEqual([
      { auth: `Bearer ${OPENAI_KEY}`, model: 'gpt-image-1', prompt: 'a watercolour harbour', images: 2 },
    ]);
    expect(await resultColour(end.body.generated_image_url)).toEqual(RESULT_COLOUR);
  });

  it('takes a result given as a URL', async () => {
    reset({ asUrl: true });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'by url' });
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers);
    expect(end.body.status).toBe('completed');
    expect(await resultColour(end.body.generated_image_url)).toEqual(RESULT_COLOUR);
  });

  it('a 500 is retried up to the limit, then failed with an error naming the provider', async () => {
    reset({ failStatus: 500 });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'server error' });
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers);
    expect(end.body).toMatchObject({ status: 'failed', error: 'openai: the image edit failed (HTTP 500)' });
    expect(fake.edits).toHaveLength(2);
  });

  it('a 400 (a refused input) fails at once', async () => {
    reset({ failStatus: 400 });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'bad request' });
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers);
    expect(end.body).toMatchObject({ status: 'failed', error: 'openai: the image edit failed (HTTP 400)' });
    expect(fake.edits).toHaveLength(1);
  });

  it('a timeout is retried, then failed', async () => {
    reset({ hang: true });
    const r = await postGeneration(s.url, u.headers, { images: [await image()], instructions: 'slow' });
    const end = await waitForEnd(s.url, statusOf(r.body.id), u.headers, 20_000);
    expect(end.body).toMatchObject({ status: 'failed', error: 'openai: the image edit timed out' });
    expect(fake.edits).toHaveLength(2);
  }, 30_000);
});
