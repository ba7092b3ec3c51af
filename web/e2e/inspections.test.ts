/**
 * The inspection desktop pages in Chromium against the real server with the demo province: the school's
 * security officer copies a built-in checklist, edits an item (a new version), plans a daily check of a place
 * and sees its tasks on the calendar, opens a demo record with its answers and linked hazard and corrects it;
 * the county bureau sees the completion statistics of its schools and the 24-hour patrol coverage.
 *
 * With INSPECTION_SHOTS=<dir> it also saves screenshots of each page at 1440 and 390 px.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser, login, newPage, pageProblems } from './browser';
import { type DemoAccount, ensureWebBuild, ROOT, startServer, type TestServer } from './server';

const skip = browserUnavailable() !== null;
const SHOTS = process.env.INSPECTION_SHOTS;

/** Saves the page at 1440 and 390 px wide when INSPECTION_SHOTS is set. */
async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize() ?? { width: 1440, height: 900 };
  await page.waitForTimeout(600);
  await page.screenshot({ path: path.join(SHOTS, `${name}-1440.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(600);
  await page.screenshot({ path: path.join(SHOTS, `${name}-390.png`), fullPage: true });
  await page.setViewportSize(size);
  await page.waitForTimeout(200);
}

/** A calendar day in the business time zone, `offset` days from today. */
function businessDay(offset = 0): string {
  const at = new Date(Date.now() + offset * 86_400_000);
  return new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(at);
}

describe.skipIf(skip)('inspection pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let security: DemoAccount;
  let bureau: DemoAccount;
  let officer: Page;
  let webCopy = '';
  let templateName = '';
  const itemText = `E2E-${Date.now() % 100000} 疏散通道、安全出口畅通，无占用堵塞`;
  const planName = `每日防火巡查（E2E-${Date.now() % 100000}）`;

  beforeAll(async () => {
    // Serve a private copy of the bundle: another build of the shared web/dist during the run would
    // delete the chunks this page loads lazily.
    ensureWebBuild();
    webCopy = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-web-'));
    fs.cpSync(path.join(ROOT, 'web/dist'), webCopy, { recursive: true });
    server = await startServer({ WEB_DIST: webCopy });
    browser = await launchBrowser();
    security =
      server.accounts.find((account) => account.username === 'nj-xw-sch01.security') ??
      server.account('school_security');
    const county = server.accounts.find(
      (account) =>
        account.role === 'bureau_officer' &&
        account.orgLevel === 'county' &&
        security.orgPath.startsWith(account.orgPath),
    );
    if (!county) throw new Error(`no demo county bureau above ${security.orgName}`);
    bureau = county;
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (webCopy) fs.rmSync(webCopy, { recursive: true, force: true });
  });

  async function signedIn(account: DemoAccount, next = '/'): Promise<Page> {
    const { page } = await newPage(browser, server.url);
    await login(page, account.username, account.password, next);
    await page.locator('a[data-menu]').first().waitFor({ timeout: 30_000 });
    return page;
  }

  /** Opens an antd select by its field id and picks the option with this text from that select's own list. */
  async function pick(page: Page, scope: Locator, id: string, text: string | RegExp, type?: string) {
    await scope.locator(`#${id}`).click();
    if (type) await scope.locator(`#${id}`).fill(type);
    const list = page.locator('.ant-select-dropdown').filter({ has: page.locator(`#${id}_list`) });
    await list.locator('.ant-select-item-option').filter({ hasText: text }).first().click();
  }

  const apiResponse = (page: Page, method: string, pattern: RegExp) =>
    page.waitForResponse(
      (response) => response.request().method() === method && pattern.test(new URL(response.url()).pathname),
    );

  it('shows the inspection pages in the security officer’s menu', async () => {
    officer = await signedIn(security, '/inspections/templates');
    for (const item of [
      '/inspections/templates',
      '/inspections/routes',
      '/inspections/plans',
      '/inspections/calendar',
      '/inspections/tasks',
      '/inspections/records',
      '/inspections/stats',
    ]) {
      await expect(officer.locator(`a[data-menu="${item}"]`).count()).resolves.toBe(1);
    }
  });

  it('copies a built-in template to the school and saves an edited item as a new version', async () => {
    await officer.locator('[data-testid="templates-table"] .ant-table-row').first().waitFor();
    await shot(officer, 'templates');
    const builtin = officer
      .locator('[data-testid="templates-table"] .ant-table-row')
      .filter({ hasText: '每日防火巡查' })
      .filter({ hasText: '平台内置' });
    templateName = ((await builtin.locator('[data-testid="template-link"]').textContent()) ?? '').trim();
    const copied = apiResponse(officer, 'POST', /^\/api\/v1\/inspections\/templates$/);
    await builtin.locator('[data-testid="template-copy"]').click();
    expect((await copied).status()).toBe(200);
    await officer.waitForURL(/\/inspections\/templates\/\d+$/);
    const detail = officer.locator('[data-testid="template-detail"]');
    await detail.waitFor();
    await expect(detail.textContent()).resolves.toContain('本单位');
    await expect(officer.locator('[data-testid="template-version"]').textContent()).resolves.toContain('v1');
    await shot(officer, 'template-detail');

    await officer.locator('[data-testid="template-edit"]').click();
    await expect(officer.locator('[data-testid="version-hint"]').textContent()).resolves.toContain(
      '运行中的任务保留原版本',
    );
    const first = officer.locator('[data-testid="editor-item"]').first();
    await first.locator('[data-testid="item-text"]').fill(itemText);
    await shot(officer, 'template-editor');
    const saved = apiResponse(officer, 'PUT', /\/api\/v1\/inspections\/templates\/\d+\/content$/);
    await officer.locator('[data-testid="template-save"]').click();
    expect((await saved).status()).toBe(200);
    await officer.locator('[data-testid="checklist-view"]').waitFor();
    await expect(officer.locator('[data-testid="checklist-item"]').first().textContent()).resolves.toContain(itemText);
    await expect(officer.locator('[data-testid="template-version"]').textContent()).resolves.toContain('v2');
  });

  it('reorders the checkpoints of a patrol route and prints its QR labels', async () => {
    await officer.goto('/inspections/routes');
    const row = officer.locator('[data-testid="routes-table"] .ant-table-row').first();
    await row.waitFor();
    await row.locator('[data-testid="route-edit"]').click();
    const editor = officer.locator('[data-testid="route-editor"]');
    const checkpoints = editor.locator('[data-testid="route-checkpoint"]');
    await checkpoints.nth(1).waitFor();
    const before = await checkpoints.allTextContents();
    // The last checkpoint moves up one place.
    await editor
      .locator('.ant-list-item')
      .nth(before.length - 1)
      .getByRole('button', { name: '上移' })
      .click();
    const after = await checkpoints.allTextContents();
    expect(after.at(-2)?.slice(1)).toBe(before.at(-1)?.slice(1));
    await shot(officer, 'route-editor');
    const saved = apiResponse(officer, 'PATCH', /^\/api\/v1\/inspections\/routes\/\d+$/);
    await officer.locator('[data-testid="route-save"]').click();
    expect((await saved).status()).toBe(200);
    await editor.waitFor({ state: 'hidden' });
    await shot(officer, 'routes');

    // 打印二维码 opens the server's PDF sheet in a new tab.
    const [tab] = await Promise.all([
      officer.context().waitForEvent('page'),
      row.locator('[data-testid="route-labels"]').click(),
    ]);
    const pdf = await tab.waitForResponse((response) => response.url().endsWith('/labels.pdf'));
    expect(pdf.status()).toBe(200);
    await tab.close();
    // The viewer tab hides the document's headers; the same request with the session shows them.
    const sheet = await officer.request.get(pdf.url());
    expect(sheet.headers()['content-type']).toContain('application/pdf');
    expect((await sheet.body()).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('creates a daily plan for a place with a preview and sees its tasks on the calendar', async () => {
    await officer.goto('/inspections/plans');
    await officer.locator('[data-testid="plans-table"]').waitFor();
    await officer.locator('[data-testid="plan-new"]').click();
    const drawer = officer.locator('.ant-drawer-content').filter({ has: officer.locator('[data-testid="plan-form"]') });
    await drawer.locator('input#name').fill(planName);
    // The copy saved as v2 is told apart from the built-in (v1) of the same name by its version.
    // The list is virtual: typing narrows it to the options that mention v2.
    await pick(officer, drawer, 'templateId', new RegExp(`${templateName}.*v2`), 'v2');
    // Multiple selects stay open after a pick; clicking a label closes them (Escape would close the drawer).
    await pick(officer, drawer, 'placeIds', /./);
    await drawer.locator('label[for="name"]').click();
    await pick(officer, drawer, 'assigneeIds', security.username, security.username);
    await drawer.locator('label[for="name"]').click();
    await expect(drawer.locator('[data-testid="plan-preview"] .ant-list-item').count()).resolves.toBeGreaterThan(0);
    await shot(officer, 'plan-form');
    const created = apiResponse(officer, 'POST', /^\/api\/v1\/inspections\/plans$/);
    await officer.locator('[data-testid="plan-save"]').click();
    expect((await created).status()).toBe(200);
    await officer.locator('[data-testid="plans-table"] .ant-table-row').filter({ hasText: planName }).waitFor();
    await shot(officer, 'plans');

    // Creating the plan made today's remaining window and tomorrow's: tomorrow's task is always there.
    await officer.goto('/inspections/calendar');
    await officer.locator('[data-testid="calendar"]').waitFor();
    const tomorrow = businessDay(1);
    if (tomorrow.slice(0, 7) !== businessDay(0).slice(0, 7)) {
      await officer.getByRole('button', { name: '下个月' }).click();
    }
    const cell = officer.locator(`[data-testid="calendar-day"][data-day="${tomorrow}"]`);
    await expect.poll(() => cell.getAttribute('data-tone')).toBe('pending');
    await shot(officer, 'calendar');
    await cell.click();
    const tasks = officer.locator('[data-testid="day-task"]').filter({ hasText: planName });
    await tasks.first().waitFor();
    await expect(tasks.first().textContent()).resolves.toContain('待完成');
    await shot(officer, 'calendar-day');
    await officer.keyboard.press('Escape');

    // The missed-task notice links to the day's tasks filtered by state.
    await officer.goto(`/inspections/tasks?day=${tomorrow}`);
    const row = officer.locator('[data-testid="tasks-table"] .ant-table-row').filter({ hasText: planName });
    await row.first().waitFor();
    await expect(row.first().locator('[data-testid="task-state"]').textContent()).resolves.toBe('待完成');
    await shot(officer, 'tasks');
    await officer.goto('/inspections/tasks?state=missed');
    await officer.locator('[data-testid="tasks-table"]').waitFor();
    await expect(
      officer.locator('[data-testid="task-state-filter"] .ant-segmented-item-selected').textContent(),
    ).resolves.toBe('漏检');
  });

  it('opens a demo record with a failed item, its answers and linked hazard, and corrects it', async () => {
    await officer.goto('/inspections/records');
    await officer.locator('[data-testid="records-table"]').waitFor();
    const form = officer.locator('.ant-pro-query-filter');
    await pick(officer, form, 'failed', '是');
    await form.getByRole('button', { name: /查\s*询/ }).click();
    const link = officer.locator('[data-testid="records-table"] [data-testid="record-link"]').first();
    await link.waitFor({ timeout: 15_000 });
    await shot(officer, 'records');
    await link.click();
    const drawer = officer.locator('[data-testid="record-detail"]');
    await drawer.waitFor();
    await expect(drawer.locator('[data-testid="record-answer"]').count()).resolves.toBeGreaterThan(0);
    await expect(drawer.locator('[data-testid="answer-failed"]').count()).resolves.toBeGreaterThan(0);
    await expect(drawer.locator('[data-testid="signature-valid"]').count()).resolves.toBe(1);
    const hazard = drawer.locator('[data-testid="record-hazard-link"]').first();
    const href = (await hazard.getAttribute('href')) ?? '';
    expect(href).toMatch(/^\/hazards\/\d+$/);
    await shot(officer, 'record');

    // 更正: a new record pointing at this one; the drawer then shows the correction.
    await officer.locator('[data-testid="record-correct"]').click();
    const modal = officer.locator('.ant-modal').filter({ hasText: '更正检查记录' });
    await modal.locator('[data-testid="correction-reason"]').fill('检查人误选了不合格，现场复核为合格。');
    // The failed pass/fail answer is corrected to a pass.
    const failed = modal
      .locator('.ant-form-item')
      .filter({ has: officer.locator('.ant-radio-wrapper-checked', { hasText: '不合格' }) })
      .first();
    await failed
      .locator('.ant-radio-wrapper')
      .filter({ hasText: /^合格$/ })
      .click();
    await shot(officer, 'correction');
    const corrected = apiResponse(officer, 'POST', /\/api\/v1\/inspections\/records\/\d+\/correction$/);
    await modal.locator('.ant-modal-footer .ant-btn-primary').click();
    expect((await corrected).status()).toBeLessThan(300);
    await expect.poll(async () => (await drawer.textContent()) ?? '').toContain('这是一条更正记录');

    // The linked hazard opens from the original record.
    await officer.goto(href);
    await officer.locator('[data-testid="hazard-detail"]').waitFor();
  });

  it('shows the county bureau the completion statistics of its schools and the 24-hour patrol coverage', async () => {
    const page = await signedIn(bureau, '/inspections/stats');
    const stats = page.locator('[data-testid="inspection-stats"]');
    await stats.waitFor();
    await expect(page.locator('[data-testid="stats-org"]').textContent()).resolves.toBe(bureau.orgName);
    const rows = page.locator('[data-testid="stats-units"] .ant-table-row');
    await rows.filter({ hasText: security.orgName }).waitFor();
    expect(await rows.count()).toBeGreaterThan(1);
    await expect(page.locator('[data-testid="kpi-completionRate"]').textContent()).resolves.toContain('完成率');
    await page.locator('[data-testid="coverage-heatmap"] canvas').first().waitFor();
    await shot(page, 'stats-bureau');

    // Clicking a school drills into it.
    await rows.filter({ hasText: security.orgName }).click();
    await expect.poll(() => page.locator('[data-testid="stats-org"]').textContent()).toBe(security.orgName);
    await page.close();
  });

  it('had no page errors', () => {
    expect(pageProblems).toEqual([]);
  });
});
