import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium } from '../browser/chromium.js';
import { startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedOperator, uniqueEmail } from '../support/seed.js';
import { expectScreenshots, openConsoleBrowser, screenshotter, signIn } from './browser-kit.js';
import { buildConsole } from './build.js';

const executablePath = ensureChromium();

describe.skipIf(!executablePath)('the console in headless Chromium', () => {
  let s: TestServer;
  let browser: Browser;
  let page: Page;
  let mobile: Page;
  let base: string;
  let apiBodies: Array<{ url: string; body: string }>;
  const secrets: string[] = [];
  const visited: string[] = [];

  beforeAll(async () => {
    await buildConsole();
    s = await startServer('sqlite', { env: { RATE_LIMIT: 'off' } });
    // localhost, not 127.0.0.1: the name a person types, and a secure context for the __Host- cookie.
    base = s.url.replace('127.0.0.1', 'localhost');
    ({ browser, page, mobile, apiBodies } = await openConsoleBrowser(executablePath!));
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
  });

  const capture = screenshotter(
    () => base,
    () => ({ page, mobile }),
    visited,
  );

  /** Nothing page scripts can read holds a credential. */
  async function noCredentialsReadable(p: Page): Promise<void> {
    const exposed = await p.evaluate(() => ({
      cookie: document.cookie,
      local: JSON.stringify({ ...localStorage }),
      session: JSON.stringify({ ...sessionStorage }),
    }));
    expect(exposed.cookie).toBe('');
    expect(exposed.session).toBe('{}');
    expect(Object.keys(JSON.parse(exposed.local)).filter((k) => k !== 'tollgate-theme')).toEqual([]);
    const text = await p.evaluate(() => document.body.innerText);
    for (const secret of secrets) {
      expect(exposed.local).not.toContain(secret);
      expect(text).not.toContain(secret);
    }
  }

  it('operator opens sign-up; a developer signs up, sees the one-time reveal, builds a project; the operator changes their tier', async () => {
    const op = await seedOperator(s.ctx);
    await page.goto(`${base}/console`);
    await capture('sign-in', '/console', 'form[aria-label="Sign in"]');
    // No sign-up tab while sign-up is closed.
    expect(await page.getByRole('tab', { name: 'Sign up' }).count()).toBe(0);

    // The operator signs in with the operator key and opens sign-up.
    await page.getByRole('tab', { name: 'Operator' }).click();
    await page.getByLabel('Operator key').fill('op_wrong-key');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That operator key is not valid.').waitFor();
    await page.getByLabel('Operator key').fill(op.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Developers' }).waitFor();
    await page.getByLabel('Anyone may sign up as a developer in the console').check();
    await expect
      .poll(async () => (await s.ctx.db.selectFrom('instance_settings').select('value').executeTakeFirst())?.value)
      .toBe('open');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('tab', { name: 'Sign up' }).waitFor();

    // A new developer signs up: a weak password is refused next to the field, in words.
    const email = uniqueEmail('browser');
    await page.getByRole('tab', { name: 'Sign up' }).click();
    await capture('sign-up', '/console', 'form[aria-label="Sign up"]', (p) =>
      p.getByRole('tab', { name: 'Sign up' }).click(),
    );
    await page.getByLabel('Full name').fill('Browser Dev');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('weak');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.locator('small.err').first().waitFor();
    expect(await page.locator('small.err').first().textContent()).toMatch(/Password/);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Your account is ready' }).waitFor();
    const revealed = await page.locator('[data-secret]').allTextContents();
    expect(revealed).toHaveLength(3);
    secrets.push(revealed[0]!, revealed[2]!);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await noCredentialsReadable(page);

    // Projects: create one.
    await page.getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByRole('heading', { name: 'Projects' }).waitFor();
    await page.getByLabel('Name', { exact: true }).fill('Browser App');
    await page.getByLabel('Description').fill('Made in the console');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Browser App' }).waitFor();
    const projectId = page.url().split('/').pop()!;
    await capture('project-overview', `/console/projects/${projectId}`, 'form[aria-label="Project settings"]');
    await capture('projects', '/console/projects', 'table');

    // Settings: a bad URL is refused next to its field; a good save sticks.
    await page.goto(`${base}/console/projects/${projectId}`);
    await page.getByLabel('Default redirect URL').fill('not a url');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.locator('small.err').first().waitFor();
    await page.getByLabel('Default redirect URL').fill('https://app.example.com/welcome');
    await page.getByLabel('Paid (the runtime check reports this project as paid)').check();
    await page.getByRole('button', { name: 'Save settings' }).click();
    await page.getByText('Saved.').waitFor();

    // A project API key: one-time reveal with a curl example, then listed by prefix only.
    await page.goto(`${base}/console/projects/${projectId}/keys`);
    await page.getByLabel('Key name').fill('CI');
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByRole('heading', { name: 'New project API key' }).waitFor();
    const apiKey = (await page.locator('[data-secret]').textContent())!;
    secrets.push(apiKey);
    expect(await page.locator('pre.curl').textContent()).toContain(apiKey);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await capture('project-keys', `/console/projects/${projectId}/keys`, 'table');

    // A domain.
    await page.goto(`${base}/console/projects/${projectId}/domains`);
    await page.getByLabel('Domain', { exact: true }).fill('shop.example.com');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('cell', { name: 'shop.example.com', exact: true }).waitFor();
    await capture('project-domains', `/console/projects/${projectId}/domains`, 'table');

    // A license: the key once.
    await page.goto(`${base}/console/projects/${projectId}/licenses`);
    await page.getByLabel('Title').fill('Pro seat');
    await page.getByLabel('Maximum domains').fill('3');
    await page.getByRole('button', { name: 'Create license' }).click();
    await page.getByRole('heading', { name: 'New license key' }).waitFor();
    const licenseKey = (await page.locator('[data-secret]').textContent())!;
    secrets.push(licenseKey);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.getByRole('cell', { name: 'Pro seat' }).waitFor();
    await capture('project-licenses', `/console/projects/${projectId}/licenses`, 'table');

    // An injectable: uploaded, then shown by hash only.
    await page.goto(`${base}/console/projects/${projectId}/injectables`);
    await page.getByLabel('Title').fill('Banner');
    await page.getByLabel('Delivery secret (at least 8 characters)').fill('correct-horse-battery');
    await page.getByLabel('Content').fill('<div>secret banner content</div>');
    await page.getByRole('button', { name: 'Upload injectable' }).click();
    await page.getByRole('cell', { name: 'Banner', exact: true }).waitFor();
    expect(await page.evaluate(() => document.body.innerText)).not.toContain('secret banner content');
    await capture('project-injectables', `/console/projects/${projectId}/injectables`, 'table');

    // A runtime check from the delivered software is counted on the dashboard.
    const check = await s.request('POST', '/api/v1/project/has-paid', {
      headers: { 'x-license-key': licenseKey, 'x-devpayr-domain': 'shop.example.com' },
      body: {},
    });
    expect(check.status).toBe(200);
    await s.ctx.runtime.recorder.flush();
    await page.goto(`${base}/console`);
    await page.getByText('Runtime checks, last 14 days: 1').waitFor();
    // Dashboard: the plan, the counts, the chart with that check, what is left of the checklist.
    await capture('dashboard', '/console', 'figure.chart canvas');

    // The license lists where it was used from; then revoke it, with confirmation.
    await page.goto(`${base}/console/projects/${projectId}/licenses`);
    await page.getByRole('button', { name: 'Used from' }).click();
    await page.getByRole('list', { name: 'Used from' }).getByText('shop.example.com').waitFor();
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await page.getByRole('button', { name: 'Reactivate' }).waitFor();

    await capture('end-users', '/console/end-users', 'h1');
    await page.goto(`${base}/console/developer-keys`);
    await page.getByRole('button', { name: 'Create developer key' }).click();
    await page.getByRole('heading', { name: 'New developer key' }).waitFor();
    secrets.push((await page.locator('[data-secret]').textContent())!);
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await capture('developer-keys', '/console/developer-keys', 'table');
    await capture('account', '/console/account', 'table');

    // No key ever came back from the server after its creation answer.
    for (const secret of secrets) {
      const carriers = apiBodies.filter((b) => b.body.includes(secret));
      expect(
        carriers.length,
        `${secret.slice(0, 6)}… seen in ${carriers.map((c) => c.url).join(', ')}`,
      ).toBeLessThanOrEqual(1);
    }
    expect(apiBodies.some((b) => /eyJ[A-Za-z0-9_-]+\./.test(b.body))).toBe(false);
    await noCredentialsReadable(page);

    // The operator, in a browser of their own, changes this developer's tier.
    const opContext = await browser.newContext();
    const opPage = await opContext.newPage();
    await opPage.goto(`${base}/console`);
    await opPage.getByRole('tab', { name: 'Operator' }).click();
    await opPage.getByLabel('Operator key').fill(op.key);
    await opPage.getByRole('button', { name: 'Sign in' }).click();
    await opPage.getByRole('heading', { name: 'Developers' }).waitFor();
    await opPage.getByLabel('Search by email or name').fill(email);
    await opPage.getByRole('button', { name: 'Search' }).click();
    await opPage.locator(`tr[data-developer="${email}"]`).waitFor();
    await opPage.getByLabel(`Tier of ${email}`).selectOption('cloud_premium');
    await expect
      .poll(
        async () =>
          (await s.ctx.db.selectFrom('users').select('tier').where('email', '=', email).executeTakeFirst())?.tier,
      )
      .toBe('cloud_premium');
    await noCredentialsReadable(opPage);
    const opShots = { page, mobile };
    page = opPage;
    mobile = await opContext.newPage();
    await mobile.setViewportSize({ width: 390, height: 844 });
    await capture('operators', '/console', 'table');
    // The instance's health: each part and loop in words.
    await opPage.getByRole('link', { name: 'Instance health' }).click();
    await opPage.getByRole('heading', { name: 'Instance health' }).waitFor();
    await opPage.locator('tr[data-check="Database"] .badge.ok').waitFor();
    expect(await opPage.locator('tr[data-check="Generation jobs"]').textContent()).toContain('Nothing waiting.');
    await capture('instance-health', '/console/instance', 'tr[data-check="Image removal"]');
    page = opShots.page;
    mobile = opShots.mobile;
    await opContext.close();

    // The developer's dashboard shows the new plan.
    await page.goto(`${base}/console`);
    await page.getByText('Cloud Premium', { exact: false }).first().waitFor();

    // Account: another session is listed and revoked; sign-out ends this one.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await signIn(otherPage, base, email, PASSWORD);
    await otherPage.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto(`${base}/console/account`);
    await expect.poll(() => page.locator('tbody tr').count()).toBe(2);
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('button', { name: 'Yes, revoke' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await otherPage.goto(`${base}/console/projects`);
    await otherPage.getByRole('form', { name: 'Sign in' }).waitFor();
    await other.close();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    const after = await page.evaluate(() => fetch('/console/api/me').then((r) => r.status));
    expect(after).toBe(401);
  }, 300_000);

  it('a page script cannot post without the header, and a cross-site page cannot post at all', async () => {
    const ctx2 = await browser.newContext();
    const p = await ctx2.newPage();
    await p.goto(`${base}/console`);
    const status = await p.evaluate(() =>
      fetch('/console/api/projects', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'x' }),
      }).then((r) => r.status),
    );
    expect(status).toBe(403);
    await ctx2.close();
  });

  it('wrote three screenshots of every page', () => expectScreenshots(visited));
});
