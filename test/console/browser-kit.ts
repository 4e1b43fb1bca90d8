import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

const require = createRequire(import.meta.url);
const AXE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** Where the screenshots go (named in the README): desktop light, desktop dark, 390 px wide. */
export const SHOTS = path.resolve('docs/screenshots/console');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: Array<{ target: string[] }>;
}

/** axe-core's serious and critical violations on the page as it is now. */
export async function axe(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the debugging protocol, not a <script>: the page's CSP stays as served.
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const result = (await page.evaluate(() =>
    (window as unknown as { axe: { run: (o: unknown) => Promise<unknown> } }).axe.run({ resultTypes: ['violations'] }),
  )) as {
    violations: AxeViolation[];
  };
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/**
 * One page: axe in both themes, three screenshots, and no sideways scrolling at 390 px.
 * `pages()` names the desktop and the 390 px tab of the same signed-in browser.
 */
export function screenshotter(base: () => string, pages: () => { page: Page; mobile: Page }, visited: string[]) {
  return async function capture(
    name: string,
    url: string,
    ready: string,
    prepare?: (p: Page) => Promise<void>,
  ): Promise<void> {
    const { page, mobile } = pages();
    visited.push(name);
    if (page.url() !== base() + url) await page.goto(base() + url);
    await page.waitForSelector(ready);
    await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));
    expect(await axe(page), `${name} (light)`).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, `${name}-light.png`), fullPage: true });
    await page.evaluate(() => (document.documentElement.dataset.theme = 'dark'));
    expect(await axe(page), `${name} (dark)`).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, `${name}-dark.png`), fullPage: true });
    await page.evaluate(() => (document.documentElement.dataset.theme = 'light'));
    await mobile.goto(base() + url);
    if (prepare) await prepare(mobile);
    await mobile.waitForSelector(ready);
    await mobile.screenshot({ path: path.join(SHOTS, `${name}-390.png`), fullPage: true });
    const overflow = await mobile.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} scrolls sideways at 390 px`).toBeLessThanOrEqual(0);
  };
}

/** Signs in with an email and password on the console's sign-in page at `base` (the caller waits for what comes next). */
export async function signIn(p: Page, base: string, email: string, password: string): Promise<void> {
  await p.goto(`${base}/console`);
  await p.getByLabel('Email').fill(email);
  await p.getByLabel('Password').fill(password);
  await p.getByRole('button', { name: 'Sign in' }).click();
}

/** Each page named in `visited` (at least one) left its three screenshots. */
export function expectScreenshots(visited: string[]): void {
  expect(visited.length).toBeGreaterThan(0);
  for (const name of visited)
    for (const v of ['light', 'dark', '390'])
      expect(fs.existsSync(path.join(SHOTS, `${name}-${v}.png`)), `${name}-${v}`).toBe(true);
}

/**
 * Chromium with one signed-out context holding a desktop tab (1280 px) and a 390 px tab;
 * every console API answer the desktop tab receives is kept in `apiBodies` (to check that no
 * secret comes back). Also makes sure the screenshot folder exists.
 */
export async function openConsoleBrowser(
  executablePath: string,
): Promise<{ browser: Browser; page: Page; mobile: Page; apiBodies: Array<{ url: string; body: string }> }> {
  const browser = await chromium.launch({ executablePath, args: ['--no-sandbox'] });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const mobile = await context.newPage();
  await mobile.setViewportSize({ width: 390, height: 844 });
  const apiBodies: Array<{ url: string; body: string }> = [];
  page.on('response', async (r) => {
    if (!r.url().includes('/console/api/')) return;
    try {
      apiBodies.push({ url: r.url(), body: await r.text() });
    } catch {
      /* a navigation dropped it */
    }
  });
  fs.mkdirSync(SHOTS, { recursive: true });
  return { browser, page, mobile, apiBodies };
}
