import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureChromium } from '../browser/chromium.js';
import { startServer, type TestServer } from '../support/harness.js';
import { PASSWORD, seedDeveloper, type SeededDeveloper } from '../support/seed.js';
import { Receiver } from '../webhooks/receiver.js';
import { expectScreenshots, openConsoleBrowser, screenshotter, signIn } from './browser-kit.js';
import { buildConsole } from './build.js';

const executablePath = ensureChromium();
const WEBHOOK_SECRET = 'whsec-browser-secret-77';
const NEW_PASSWORD = 'Browser-Changed-99';

/**
 * Webhooks, the audit log, editing domains and injectables, and the password, as a developer
 * does them in headless Chromium; the webhook endpoint is a receiver on loopback.
 */
describe.skipIf(!executablePath)('the console in headless Chromium: webhooks, audit log, editing, password', () => {
  let s: TestServer;
  let receiver: Receiver;
  let dev: SeededDeveloper;
  let browser: Browser;
  let page: Page;
  let mobile: Page;
  let base: string;
  const visited: string[] = [];
  let apiBodies: Array<{ url: string; body: string }>;
  const capture = screenshotter(
    () => base,
    () => ({ page, mobile }),
    visited,
  );

  beforeAll(async () => {
    await buildConsole();
    s = await startServer('sqlite', {
      env: { RATE_LIMIT: 'off', WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true', WEBHOOK_POLL_INTERVAL: '50ms' },
    });
    receiver = await Receiver.start(WEBHOOK_SECRET);
    dev = await seedDeveloper(s.ctx, { tier: 'cloud_premium' });
    base = s.url.replace('127.0.0.1', 'localhost');
    ({ browser, page, mobile, apiBodies } = await openConsoleBrowser(executablePath!));
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await s?.close();
    await receiver?.close();
  });

  it('a developer follows a webhook delivery, resends it, sends a test event, finds every action in the audit log, edits a domain and an injectable, and changes the password', async () => {
    await signIn(page, base, dev.email, PASSWORD);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();

    // What the audit log must show later: a project, a key, a license, a domain, an injectable.
    await page.getByRole('link', { name: 'Projects', exact: true }).click();
    await page.getByLabel('Name', { exact: true }).fill('Hooked App');
    await page.getByRole('button', { name: 'Create project' }).click();
    await page.getByRole('heading', { name: 'Hooked App' }).waitFor();
    const projectId = page.url().split('/').pop()!;
    const at = (tab: string) => `/console/projects/${projectId}/${tab}`;
    await page.goto(base + at('keys'));
    await page.getByLabel('Key name').fill('CI');
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.goto(base + at('licenses'));
    await page.getByLabel('Title').fill('Pro seat');
    await page.getByRole('button', { name: 'Create license' }).click();
    await page.getByRole('button', { name: 'I have saved them' }).click();
    await page.goto(base + at('domains'));
    await page.getByLabel('Domain', { exact: true }).fill('shop.example.com');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('cell', { name: 'shop.example.com', exact: true }).waitFor();
    await page.goto(base + at('injectables'));
    await page.getByLabel('Title').fill('Banner');
    await page.getByLabel('Delivery secret (at least 8 characters)').fill('correct-horse-battery');
    await page.getByLabel('Content').fill('<div>first banner text</div>');
    await page.getByRole('button', { name: 'Upload injectable' }).click();
    await page.getByRole('cell', { name: 'Banner', exact: true }).waitFor();

    // The webhook endpoint: a bad URL is refused next to its field; the receiver's URL and a secret are saved.
    await page.goto(base + at('webhooks'));
    await page.getByLabel('Webhook URL').fill('gopher://example.com/x');
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await page.locator('small.err').first().waitFor();
    await page.getByLabel('Webhook URL').fill(receiver.url);
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByText('Saved.').waitFor();
    await page.getByText(/deliveries to this project's webhook URL are sent unsigned/).waitFor();
    await page.getByLabel('Webhook secret').fill(WEBHOOK_SECRET);
    await page.getByRole('button', { name: 'Save endpoint' }).click();
    await page.getByText('A secret is set and is never shown').waitFor();
    expect(await page.getByLabel('Webhook secret').inputValue()).toBe('');

    // Each save was a project.updated event: the first went out unsigned, the second signed with the new secret.
    await receiver.waitFor(() => receiver.ofType('project.updated').length >= 2, 15_000, 'two project.updated');
    expect(receiver.ofType('project.updated').map((r) => r.verified)).toEqual([false, true]);
    const first = receiver.ofType('project.updated')[1]!;
    await page.getByRole('button', { name: 'Refresh' }).click();
    const row = page.locator('tr[data-delivery]', { hasText: 'project.updated' }).first();
    await row.getByText('delivered').waitFor();
    await row.getByRole('button', { name: 'Attempts' }).click();
    const attempts = page.getByRole('list', { name: 'Attempts' });
    await attempts.getByText('{"received":true}').waitFor();
    expect(await attempts.locator('dd').nth(1).textContent()).toBe('200');

    // Resend: the receiver gets the same event (same webhook-id) again, and the log counts a second attempt.
    const copies = () => receiver.received.filter((r) => r.id === first.id).length;
    const before = copies();
    await row.getByRole('button', { name: 'Resend' }).click();
    await row.getByText('Queued again.').waitFor();
    await receiver.waitFor(() => copies() === before + 1, 15_000, 'the resent delivery');
    await expect
      .poll(async () => (await row.locator('td').nth(2).textContent())?.trim(), { timeout: 15_000 })
      .toBe(String(before + 1));
    await expect.poll(() => attempts.locator('li').count(), { timeout: 15_000 }).toBe(before + 1);

    // A test event: delivered and listed.
    await page.getByRole('button', { name: 'Send test event' }).click();
    await page.getByText('Test event queued').waitFor();
    await receiver.waitFor(() => receiver.ofType('webhook.test').length === 1, 15_000, 'webhook.test');
    await page
      .locator('tr[data-delivery]', { hasText: 'webhook.test' })
      .getByText('delivered')
      .waitFor({ timeout: 15_000 });
    // Filters run on the server.
    await page.getByLabel('Event type').selectOption('webhook.test');
    await expect.poll(() => page.locator('tr[data-delivery]').count()).toBe(1);
    await page.getByLabel('Status').selectOption('failed');
    await page.getByText('No deliveries match these filters.').waitFor();
    await page.getByLabel('Status').selectOption('');
    await page.getByLabel('Event type').selectOption('');
    await expect.poll(() => page.locator('tr[data-delivery]').count()).toBeGreaterThanOrEqual(2);
    await page
      .locator('tr[data-delivery]', { hasText: 'webhook.test' })
      .getByRole('button', { name: 'Attempts' })
      .click();
    await capture('project-webhooks', at('webhooks'), 'table');

    // The audit log: every action made above, and a filter.
    await page.getByRole('link', { name: 'Audit log' }).first().click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    for (const action of [
      'project.created',
      'project_key.created',
      'license.created',
      'domain.created',
      'injectable.created',
      'project.updated',
      'webhook_delivery.resent',
      'webhook.tested',
    ]) {
      await page.locator(`tr[data-action="${action}"]`).first().waitFor();
    }
    expect(await page.locator('tr[data-action="project.created"]').first().textContent()).toContain('Hooked App');
    await page.getByLabel('Action').fill('license.created');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.getByLabel('Done by').selectOption('project_key');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await page.getByText('No entries match these filters.').waitFor();
    await page.getByRole('button', { name: 'Clear' }).click();
    await page.locator('tr[data-action="webhook.tested"]').waitFor();
    await capture('audit-log', '/console/audit-log', 'table');
    await capture('project-audit', at('audit'), 'table');

    // Editing a domain: a bad name is refused next to its field; a new name and the paid flag are saved.
    await page.goto(base + at('domains'));
    await page.getByRole('button', { name: 'Edit shop.example.com' }).click();
    await page.getByLabel('Domain name').fill('not a domain!');
    await page.getByRole('button', { name: 'Save domain' }).click();
    await page.locator('form[aria-label="Edit domain shop.example.com"] small.err').waitFor();
    await page.getByLabel('Domain name').fill('store.example.com');
    await page.getByLabel('Paid (runtime checks from this domain report paid)').check();
    await page.getByRole('button', { name: 'Save domain' }).click();
    await page.getByRole('cell', { name: 'store.example.com', exact: true }).waitFor();
    const domainRow = await s.ctx.db
      .selectFrom('domains')
      .select(['domain', 'has_paid'])
      .where('project_id', '=', projectId)
      .executeTakeFirstOrThrow();
    expect(domainRow).toMatchObject({ domain: 'store.example.com', has_paid: expect.anything() });
    expect(Boolean(domainRow.has_paid)).toBe(true);
    await page.getByRole('button', { name: 'Edit store.example.com' }).click();
    await capture('project-domain-edit', at('domains'), 'form[aria-label^="Edit domain"]', (p) =>
      p.getByRole('button', { name: 'Edit store.example.com' }).click(),
    );

    // Replacing an injectable's content: the secret is asked for again, the content is never shown.
    await page.goto(base + at('injectables'));
    const oldHash = await page.locator('code[data-hash]').textContent();
    await page.getByRole('button', { name: 'Edit Banner' }).click();
    await page.getByLabel('New content').fill('<div>second banner text</div>');
    await page.getByRole('button', { name: 'Save injectable' }).click();
    await page.getByText('The secret field is required when the content changes.').waitFor();
    await page.getByLabel('Delivery secret', { exact: true }).fill('another-horse-battery');
    await page.getByRole('button', { name: 'Save injectable' }).click();
    await expect.poll(() => page.locator('code[data-hash]').textContent()).not.toBe(oldHash);
    expect(await page.evaluate(() => document.body.innerText)).not.toMatch(/banner text/);
    await page.getByRole('button', { name: 'Edit Banner' }).click();
    expect(await page.getByLabel('New content').inputValue()).toBe('');
    await capture('project-injectable-edit', at('injectables'), 'form[aria-label^="Edit injectable"]', (p) =>
      p.getByRole('button', { name: 'Edit Banner' }).click(),
    );

    // The password: another browser is signed in; a wrong current password is refused next to its field.
    const other = await browser.newContext();
    const otherPage = await other.newPage();
    await signIn(otherPage, base, dev.email, PASSWORD);
    await otherPage.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto(`${base}/console/account`);
    await page.getByLabel('Current password').fill('Not-my-password-1');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('The current password is incorrect.').waitFor();
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByText('Password changed. 1 other session was signed out.').waitFor();
    await otherPage.goto(`${base}/console/projects`);
    await otherPage.getByRole('form', { name: 'Sign in' }).waitFor();
    await other.close();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.getByRole('form', { name: 'Sign in' }).waitFor();
    await signIn(page, base, dev.email, PASSWORD);
    await page.getByText('Incorrect email or password').waitFor();
    await signIn(page, base, dev.email, NEW_PASSWORD);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.goto(`${base}/console/audit-log`);
    await page.locator('tr[data-action="account.password_changed"]').waitFor();

    // Neither the webhook secret, nor the injectable's content, nor a password came back from the server.
    for (const secret of [WEBHOOK_SECRET, 'banner text', NEW_PASSWORD, 'another-horse-battery']) {
      expect(apiBodies.filter((b) => b.body.includes(secret)).map((b) => b.url)).toEqual([]);
    }
  }, 300_000);

  it('wrote three screenshots of every page', () => expectScreenshots(visited));
});
