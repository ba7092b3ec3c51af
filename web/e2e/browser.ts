/** Debian's Chromium driven by playwright-core; no browser download. */
import fs from 'node:fs';
import path from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { type DemoAccount, startServerOnWebCopy, type TestServer } from './server';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or null. On CI a missing browser is a failure, not a skip. */
export function browserUnavailable(): string | null {
  if (fs.existsSync(CHROMIUM)) return null;
  const reason = `${CHROMIUM} not found: install it with \`apt-get install -y chromium fonts-noto-cjk\``;
  if (process.env.CI === 'true') throw new Error(reason);
  console.warn(`[e2e] skipped: ${reason}`);
  return reason;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
}

/** Uncaught page errors and CSP refusals seen by any page; a test at the end asserts there were none. */
export const pageProblems: string[] = [];

export async function newPage(
  browser: Browser,
  baseURL: string,
  viewport = { width: 1440, height: 900 },
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ baseURL, viewport, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageProblems.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) {
      pageProblems.push(`${page.url()}: ${message.text()}`);
    }
  });
  return { context, page };
}

/** Signs in through the login form and waits for the shell (or a pending step) to appear. */
export async function login(page: Page, username: string, password: string, next = '/'): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.locator('#username').fill(username);
  await page.locator('#password').fill(password);
  await page.locator('[data-testid="login-submit"]').click();
}

/** Paths of the side menu entries, in order. */
export async function menuPaths(page: Page): Promise<string[]> {
  await page.locator('a[data-menu]').first().waitFor();
  return page.locator('a[data-menu]').evaluateAll((links) => links.map((link) => link.getAttribute('data-menu') ?? ''));
}

/**
 * A screenshot taker for `<NAME>_SHOTS=<dir>`: each call saves the page full-length at its width and at 390 px
 * (`<name>-1440.png`, `<name>-390.png`), then restores the width. Without a directory it does nothing.
 */
export function screenshots(dir: string | undefined): (page: Page, name: string) => Promise<void> {
  return async (page, name) => {
    if (!dir) return;
    fs.mkdirSync(dir, { recursive: true });
    const size = page.viewportSize() ?? { width: 1440, height: 900 };
    await page.screenshot({ path: path.join(dir, `${name}-1440.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForTimeout(400);
    await page.screenshot({ path: path.join(dir, `${name}-390.png`), fullPage: true });
    await page.setViewportSize(size);
    await page.waitForTimeout(200);
  };
}

/** A real server (demo data, its own copy of web/dist) and Chromium, for one test file. */
export interface BrowserSession {
  server: TestServer;
  browser: Browser;
  /** A new 1440 px page signed in as `account` at `next`, once the shell's menu shows. */
  signedIn(account: DemoAccount, next?: string): Promise<Page>;
  stop(): Promise<void>;
}

export async function startBrowserSession(env: Record<string, string> = {}): Promise<BrowserSession> {
  const server = await startServerOnWebCopy(env);
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await server.stop();
    throw error;
  }
  return {
    server,
    browser,
    async signedIn(account, next = '/') {
      const { page } = await newPage(browser, server.url);
      await login(page, account.username, account.password, next);
      await page.locator('a[data-menu]').first().waitFor({ timeout: 30_000 });
      return page;
    },
    async stop() {
      await browser.close();
      await server.stop();
    },
  };
}
