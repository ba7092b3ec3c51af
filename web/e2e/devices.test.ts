/**
 * Security devices in Chromium against the real server with the demo province: the school security officer
 * registers a camera at a key place without one, sees its token once (and never again), the coverage grid loses
 * that gap, the device is listed on the health page; HTTP heartbeats sent with the token (as a gateway would,
 * docs/devices.md) move it offline and online on the open page without a reload; the county bureau sees the
 * health rates of its schools.
 *
 * The server runs with a short offline limit (DEVICE_OFFLINE_AFTER_SECONDS) and sweep interval so the outage and
 * the recovery happen within the test. With DEVICES_SHOTS=<dir> it saves each page at 1440 and 390 px.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser, login, newPage, pageProblems } from './browser';
import { type DemoAccount, ensureWebBuild, ROOT, startServer, type TestServer } from './server';

const skip = browserUnavailable() !== null;
const SHOTS = process.env.DEVICES_SHOTS;
const OFFLINE_AFTER_SECONDS = 4;

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize() ?? { width: 1440, height: 900 };
  await page.waitForTimeout(300);
  await page.screenshot({ path: path.join(SHOTS, `${name}-1440.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, `${name}-390.png`), fullPage: true });
  await page.setViewportSize(size);
  await page.waitForTimeout(200);
}

interface CoverageAnswer {
  places: { placeId: number; code: string; name: string; gap: boolean }[];
}

/** Signs in over HTTP and reads one JSON resource. */
async function apiGet<T>(base: string, account: DemoAccount, url: string): Promise<T> {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: account.username, password: account.password }),
  });
  if (!response.ok) throw new Error(`login ${account.username}: ${response.status}`);
  const cookie = (response.headers.getSetCookie?.() ?? []).map((value) => value.split(';')[0]).join('; ');
  const answer = await fetch(`${base}${url}`, { headers: { cookie } });
  if (!answer.ok) throw new Error(`${url}: ${answer.status}`);
  return (await answer.json()) as T;
}

describe.skipIf(skip)('security devices in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let security: DemoAccount;
  let county: DemoAccount;
  let officer: Page;
  let gap: CoverageAnswer['places'][number];
  let deviceCode = '';
  let schoolCode = '';
  let token = '';
  let webCopy = '';
  const name = `E2E 摄像机 ${Date.now() % 100000}`;

  beforeAll(async () => {
    // A private copy of the bundle: another build of the shared web/dist would delete lazily loaded chunks.
    ensureWebBuild();
    webCopy = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-web-'));
    fs.cpSync(path.join(ROOT, 'web/dist'), webCopy, { recursive: true });
    server = await startServer({
      WEB_DIST: webCopy,
      DEVICE_OFFLINE_AFTER_SECONDS: String(OFFLINE_AFTER_SECONDS),
      SWEEP_INTERVAL_MS: '1000',
      INGEST_FLUSH_MS: '200',
    });
    browser = await launchBrowser();
    security = server.account('school_security');
    const found = server.accounts.find((item) => item.role === 'bureau_officer' && item.orgLevel === 'county');
    if (!found) throw new Error('no demo county bureau officer');
    county = found;
    const coverage = await apiGet<CoverageAnswer>(
      server.url,
      security,
      `/api/v1/devices/coverage?orgId=${security.orgId}`,
    );
    const first = coverage.places.find((place) => place.gap);
    if (!first) throw new Error(`demo school ${security.orgName} has no coverage gap to close`);
    gap = first;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (webCopy) fs.rmSync(webCopy, { recursive: true, force: true });
  });

  async function signedIn(account: DemoAccount, next: string): Promise<Page> {
    const { page } = await newPage(browser, server.url);
    await login(page, account.username, account.password, next);
    await page.locator('a[data-menu]').first().waitFor({ timeout: 30_000 });
    return page;
  }

  async function heartbeat(eventId: string): Promise<number> {
    const response = await fetch(`${server.url}/api/v1/ingest/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-device-code': deviceCode,
        'x-school-code': schoolCode,
        authorization: `Bearer ${token}`,
      },
      body: JSON.stringify({ v: 1, eventId, type: 'heartbeat', at: new Date().toISOString() }),
    });
    return response.status;
  }

  it('the coverage grid shows the key place without a camera in red, with the seed checklist', async () => {
    officer = await signedIn(security, '/devices/coverage');
    const cell = officer.locator(`td[data-cell="${gap.code}:camera"]`);
    await cell.waitFor();
    expect(await cell.getAttribute('class')).toContain('devices-gap');
    await expect.poll(() => officer.locator('[data-testid="coverage-gaps"]').innerText()).toContain(gap.name);
    const checklist = await officer.locator('[data-requirement]').allInnerTexts();
    expect(checklist.join('\n')).toContain('围墙周界有无防入侵报警系统');
    expect(checklist.join('\n')).toContain('一键报警有无');
    await shot(officer, 'coverage');
  });

  it('registers a camera at that place; the token is shown once with the MQTT topic and mosquitto_pub line', async () => {
    await officer.goto('/devices');
    await officer.locator('.ant-table-row').first().waitFor();
    await shot(officer, 'registry');
    await officer.locator('[data-testid="device-create"]').click();
    const drawer = officer.locator('.ant-drawer-content');
    await drawer.locator('input#name').fill(name);
    await drawer.locator('#placeId').click();
    await drawer.locator('#placeId').fill(gap.name);
    await officer.locator('.ant-select-dropdown .ant-select-item-option').filter({ hasText: gap.name }).first().click();
    // Under 30 days the form quotes the checklist line.
    await drawer.locator('input#retentionDays').fill('15');
    await expect
      .poll(() => drawer.locator('[data-testid="retention-warning"]').innerText())
      .toContain('视频监控保存天数是否达30天');
    await shot(officer, 'drawer');
    await drawer.locator('input#retentionDays').fill('30');
    await drawer.locator('[data-testid="retention-warning"]').waitFor({ state: 'hidden' });
    await drawer.getByRole('button', { name: /确\s*定/ }).click();

    const modal = officer.locator('[data-testid="token-modal"]');
    await modal.waitFor();
    token = (await modal.locator('[data-testid="token-value"]').innerText()).trim();
    deviceCode = (await modal.locator('[data-testid="token-code"]').innerText()).trim();
    expect(token).toMatch(/^sct_/);
    expect(deviceCode).toMatch(/^DV/);
    const text = await modal.innerText();
    expect(text).toContain('只显示这一次');
    expect(text).toMatch(new RegExp(`safe-campus/[^/]+/${deviceCode}/status`));
    expect(text).toContain('mosquitto_pub');
    schoolCode = /safe-campus\/([^/]+)\//.exec(text)?.[1] ?? '';
    expect(schoolCode).not.toBe('');
    await shot(officer, 'token');
    await officer.locator('[data-testid="token-done"]').click();
    await modal.waitFor({ state: 'hidden' });

    // Reopening the device shows its last characters at most, never the token.
    const row = officer.locator('.ant-table-row').filter({ hasText: name });
    await row.waitFor();
    await row.getByRole('link', { name }).click();
    await officer.getByText(`末 4 位 ${token.slice(-4)}`).waitFor();
    expect(await officer.locator('body').innerText()).not.toContain(token);
    await shot(officer, 'detail');
    await officer.goBack();
    await row.waitFor();
    await row.getByText('编辑').click();
    await officer.locator('.ant-drawer-content input#name').waitFor();
    expect(await officer.locator('body').innerText()).not.toContain(token);
    expect(await officer.locator('[data-testid="token-modal"]').count()).toBe(0);
    await officer.keyboard.press('Escape');
  });

  it('the coverage grid no longer shows that gap', async () => {
    await officer.goto('/devices/coverage');
    const cell = officer.locator(`td[data-cell="${gap.code}:camera"]`);
    await cell.waitFor();
    expect(await cell.getAttribute('class')).not.toContain('devices-gap');
    expect((await cell.innerText()).trim()).not.toBe('无');
  });

  it('heartbeats with the token move the device offline and back online on the open health page', async () => {
    await officer.goto('/devices/health');
    const row = officer.locator(`tr[data-device="${deviceCode}"]`);
    await row.waitFor();
    expect(await row.innerText()).toContain('未上线');
    await shot(officer, 'health-school');

    // First heartbeat: the device is heard from; after the offline limit the sweep marks it offline and the
    // page hears `device.offline`.
    expect(await heartbeat(`hb-${Date.now()}-1`)).toBe(200);
    await expect.poll(() => row.innerText(), { timeout: (OFFLINE_AFTER_SECONDS + 10) * 1000 }).toContain('离线');

    // The next heartbeat brings it back: `device.online` removes it from the problem list without a reload.
    const started = Date.now();
    expect(await heartbeat(`hb-${Date.now()}-2`)).toBe(200);
    await row.waitFor({ state: 'detached', timeout: OFFLINE_AFTER_SECONDS * 1000 });
    console.log('[devices e2e] heartbeat → online on page ms', Date.now() - started);

    // A wrong token is refused and counted in the rejection table.
    token = `${token}x`;
    expect(await heartbeat(`hb-${Date.now()}-3`)).toBe(401);
  });

  it('the county bureau sees the device health rates of its schools', async () => {
    const page = await signedIn(county, '/devices/health');
    const rows = page.locator('tr[data-school]');
    await rows.first().waitFor();
    expect(await rows.count()).toBeGreaterThan(1);
    const first = await rows.first().innerText();
    expect(first).toMatch(/\d+(\.\d)?%/);
    expect(await page.locator('body').innerText()).toContain('完好率');
    await shot(page, 'health-county');
    await page.close();
  });

  it('saw no page errors', () => {
    expect(pageProblems).toEqual([]);
  });
});
