import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium } from '../browser/chromium.js';
import { FAST_JOBS, image, postGeneration, waitForEnd } from '../generations/fixtures.js';
import { deliver, stripeEvent, webhookSecret } from '../payments/fixture.js';
import { FakeStripe } from '../payments/stripe-fake.js';
import { startServer, type TestServer } from '../support/harness.js';
import { signUpEndUser } from '../support/routes.js';
import { PASSWORD, seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { expectScreenshots, openConsoleBrowser, screenshotter, signIn } from './browser-kit.js';
import { buildConsole } from './build.js';

const executablePath = ensureChromium();

/**
 * The console's generations, payments and end-user pages in headless Chromium: a developer's
 * app runs generations (the local provider) and the developer sees them in the gallery, makes
 * one public and deletes one; configures Stripe test keys (a bad key refused next to its field,
 * in words, then saved and checked with Stripe, a local fake driven by the official client);
 * opens an end user's details and sees the registration trend. axe in both themes and three
 * screenshots of each page.
 */
describe.skipIf(!executablePath)('the console’s generations, payments and end-user pages in headless Chromium', () => {
  let s: TestServer;
  let fake: FakeStripe;
  let browser: Browser;
  let page: Page;
  let mobile: Page;
  let base: string;
  let dev: SeededDeveloper;
  const visited: string[] = [];
  let apiBodies: Array<{ url: string; body: string }> = [];
  const capture = screenshotter(
    () => base,
    () => ({ page, mobile }),
    visited,
  );

  beforeAll(async () => {
    await buildConsole();
    fake = await new FakeStripe().start();
    s = await startServer('sqlite', {
      env: { RATE_LIMIT: 'off', STRIPE_API_URL: fake.url, STRIPE_TIMEOUT_MS: '3000', ...FAST_JOBS },
    });
    base = s.url.replace('127.0.0.1', 'localhost');
    dev = await seedDeveloper(s.ctx);
    ({ browser, page, mobile, apiBodies } = await openConsoleBrowser(executablePath!));
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    await fake?.stop();
  });

  it('gallery, Stripe settings and an end user’s details, each checked with axe in both themes and photographed', async () => {
    await signIn(page, base, dev.email, PASSWORD);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('Gallery App');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Gallery App' }).waitFor();
    const projectId = page.url().split('/').pop()!;

    // The developer's app: an end user signs up and runs three generations on the local provider.
    const user = await signUpEndUser(s, dev, projectId);
    const ids: string[] = [];
    for (const [i, prompt] of ['a lighthouse at dusk', 'a red fox in snow', 'a tram in the rain'].entries()) {
      const r = await postGeneration(s.url, user.headers, {
        images: [await image('png', i + 3)],
        instructions: prompt,
      });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      ids.push(r.body.id);
      expect(
        (await waitForEnd(s.url, `/api/v1/generation/generations-v2/${r.body.id}/status`, user.headers)).body.status,
      ).toBe('completed');
    }

    // The gallery: each with its image (a same-origin signed URL under the console's CSP), usage against the quota.
    await page.getByRole('link', { name: 'Generations' }).click();
    const card = (id: string) => page.locator(`li[data-generation="${id}"]`);
    await card(ids[2]!).waitFor();
    await page.getByText('Quota used this month').waitFor();
    expect(await page.locator('.usage').textContent()).toContain('3 of 100');
    await page.waitForFunction(() =>
      [...document.querySelectorAll<HTMLImageElement>('.gallery img')].every((i) => i.complete && i.naturalWidth > 0),
    );
    expect(await card(ids[2]!).getByText('Completed').count()).toBe(1);

    // Public, then kept after a reload; the wire's public list shows it.
    await card(ids[1]!).getByLabel('Public').check();
    await expect
      .poll(async () =>
        Boolean(
          (
            await s.ctx.db
              .selectFrom('generations')
              .select('is_public')
              .where('id', '=', ids[1]!)
              .executeTakeFirstOrThrow()
          ).is_public,
        ),
      )
      .toBe(true);
    await page.reload();
    await card(ids[1]!).waitFor();
    expect(await card(ids[1]!).getByLabel('Public').isChecked()).toBe(true);
    const publicList = await s.request('GET', '/api/v1/generation/public-generations-v2', {
      headers: { 'x-project-id': projectId },
    });
    expect(publicList.body.generations.map((g: { id: string }) => g.id)).toEqual([ids[1]]);

    // The status filter is the server's.
    await page.getByLabel('Show').selectOption('failed');
    await page.getByText('No generations with this status.').waitFor();
    await page.getByLabel('Show').selectOption('');
    await card(ids[0]!).waitFor();
    await capture('project-generations', `/console/projects/${projectId}/generations`, '.gallery img');

    // Delete, with confirmation: first press asks, Cancel keeps it, the second deletes.
    await page.goto(`${base}/console/projects/${projectId}/generations`);
    await card(ids[0]!).getByRole('button', { name: 'Delete' }).click();
    await card(ids[0]!).getByRole('button', { name: 'Cancel' }).click();
    expect(
      await s.ctx.db.selectFrom('generations').select('id').where('id', '=', ids[0]!).executeTakeFirst(),
    ).toBeDefined();
    await card(ids[0]!).getByRole('button', { name: 'Delete' }).click();
    await card(ids[0]!).getByRole('button', { name: 'Yes, delete' }).click();
    await card(ids[0]!).waitFor({ state: 'detached' });
    expect(
      await s.ctx.db.selectFrom('generations').select('id').where('id', '=', ids[0]!).executeTakeFirst(),
    ).toBeUndefined();
    expect(await page.locator('.gallery > li').count()).toBe(2);
    // The quota keeps the deleted generation's unit, the chart only shows generations still kept: each says so.
    expect(await page.locator('.usage').textContent()).toContain('Quota used this month');
    await page.goto(`${base}/console`);
    const quotaCard = page.locator('li.stat', { hasText: 'Generation quota used this month' });
    expect(await quotaCard.locator('.stat-n').textContent()).toBe('3 / 100');
    await page.getByText('Generations kept, by the day they were made, last 14 days: 2').waitFor();
    await page
      .getByText(
        'The quota counts every generation accepted this month, deleted ones too; a failed one gives its unit back.',
      )
      .first()
      .waitFor();
    await page.goto(`${base}/console/projects/${projectId}/generations`);

    // Stripe test keys: a key of the wrong mode is refused next to its field, in words.
    await page.getByRole('link', { name: 'Payments' }).click();
    const testForm = page.getByRole('form', { name: 'Test mode Stripe settings' });
    await testForm.waitFor();
    const secretField = testForm.getByLabel('Test secret key');
    await secretField.fill('sk_live_51wrongModeKey');
    await testForm.getByRole('button', { name: 'Save test settings' }).click();
    const fieldError = testForm.locator('small.err');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toBe('Invalid key format: expected a Stripe test secret key (sk_test_...)');
    expect(await secretField.getAttribute('aria-invalid')).toBe('true');
    expect(await secretField.getAttribute('aria-describedby')).toBe(await fieldError.getAttribute('id'));
    expect(await s.ctx.db.selectFrom('stripe_configs').select('id').executeTakeFirst()).toBeUndefined();

    // A key Stripe does not know: the check says so next to the field.
    await secretField.fill('sk_test_notAnAccountOfStripe');
    await testForm.getByRole('button', { name: 'Check secret key with Stripe' }).click();
    await fieldError.getByText('Stripe refused this key').waitFor();

    // Then real test keys: saved, shown masked only, checked with Stripe.
    const key = fake.account('browser');
    const hook = webhookSecret();
    await secretField.fill(key);
    await testForm.getByLabel('Test publishable key').fill('pk_test_browserPublishable42');
    await testForm.getByLabel('Test webhook signing secret').fill(hook);
    await testForm.getByRole('button', { name: 'Check secret key with Stripe' }).click();
    await testForm.getByText('Stripe accepted this test secret key.').waitFor();
    await testForm.getByRole('button', { name: 'Save test settings' }).click();
    await testForm.getByText('Test mode settings saved.').waitFor();
    await testForm.getByText(`Saved: sk_test_...${key.slice(-4)}`).waitFor();
    expect(await testForm.locator('small.err').count()).toBe(0);
    const webhookUrl = `http://localhost:${s.config.port}/api/v1/payments/stripe/webhooks/${projectId}/test`;
    await testForm.getByText(webhookUrl).waitFor();
    const row = await s.ctx.db.selectFrom('stripe_configs').selectAll().executeTakeFirstOrThrow();
    expect(row.test_secret_key_mask).toBe(`sk_test_...${key.slice(-4)}`);

    // Stripe sends events to that endpoint: the lists and stats show them.
    const now = Math.floor(Date.now() / 1000);
    const sub = {
      id: 'sub_browser',
      object: 'subscription',
      customer: 'cus_browser',
      status: 'active',
      metadata: { tollgate_user_id: user.userId },
      items: {
        data: [
          {
            id: 'si_b',
            quantity: 1,
            price: { id: 'price_pro', nickname: 'Pro Plan' },
            current_period_start: now,
            current_period_end: now + 30 * 86400,
          },
        ],
      },
    };
    expect((await deliver(s, projectId, 'test', stripeEvent('customer.subscription.created', sub), hook)).status).toBe(
      200,
    );
    const invoice = {
      id: 'in_browser',
      object: 'invoice',
      customer: 'cus_browser',
      currency: 'usd',
      amount_paid: 2999,
      amount_due: 2999,
      parent: { subscription_details: { subscription: 'sub_browser', metadata: { tollgate_user_id: user.userId } } },
    };
    expect((await deliver(s, projectId, 'test', stripeEvent('invoice.paid', invoice), hook)).status).toBe(200);
    await page.reload();
    await page.getByRole('cell', { name: 'Pro Plan' }).waitFor();
    await page.getByLabel('Transactions: status').selectOption('failed');
    await page.getByText('No transactions match.').waitFor();
    await page.getByLabel('Transactions: status').selectOption('succeeded');
    await page.getByRole('region', { name: 'Transactions' }).getByRole('cell', { name: 'succeeded' }).waitFor();
    await capture(
      'project-payments',
      `/console/projects/${projectId}/payments`,
      'form[aria-label="Test mode Stripe settings"]',
    );

    // No answer of the server ever carried the secret key or the signing secret.
    for (const secret of [key, hook])
      expect(apiBodies.filter((b) => b.body.includes(secret)).map((b) => b.url)).toEqual([]);

    // End users: the trend chart (one call), then one user's details.
    await signUpEndUser(s, dev, projectId);
    await page.getByRole('link', { name: 'End users', exact: true }).click();
    await page.getByText('End users registered, last 30 days: 2').waitFor();
    await page.locator('figure.chart canvas').waitFor();
    await capture('end-users', '/console/end-users', 'figure.chart canvas');
    const email = (
      await s.ctx.db.selectFrom('users').select('email').where('id', '=', user.userId).executeTakeFirstOrThrow()
    ).email;
    await page.getByRole('link', { name: email }).click();
    await page.getByRole('heading', { name: email }).waitFor();
    const cards = page.getByRole('list', { name: 'Generations' });
    expect(await cards.locator('li').allInnerTexts()).toEqual([
      '2\nTotal',
      '2\nCompleted',
      '0\nIn progress',
      '0\nFailed',
    ]);
    await page.getByRole('row', { name: /Test active Pro Plan/ }).waitFor();
    await page.getByRole('cell', { name: '$29.99' }).waitFor();
    await capture('end-user-details', `/console/end-users/${user.userId}`, 'dl[aria-label="Profile"]');
  }, 300_000);

  it('wrote three screenshots of every page', () => expectScreenshots(visited));
});
