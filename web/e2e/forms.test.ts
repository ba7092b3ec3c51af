/**
 * The report form pages in Chromium against the real server with the demo province: a county bureau issues the
 * built-in seed 003 school form (附件1) to its schools; a school's security officer opens the task, sees the fields
 * prefilled from live data (「系统预填」), corrects one (「已更正（系统值：…）」 stays visible), fills the rest and
 * submits; the principal signs and the police liaison co-signs; the bureau sees the school in the submissions table
 * with district totals and in the Attachment 2 summary, returns it with a comment, and the school sees the comment
 * and the history.
 *
 * With FORMS_SHOTS=<dir> it also saves screenshots of each page at 1440 and 390 px.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser, login, newPage, pageProblems } from './browser';
import { type DemoAccount, ensureWebBuild, ROOT, startServer, type TestServer } from './server';

const skip = browserUnavailable() !== null;
const SHOTS = process.env.FORMS_SHOTS;

/** Saves the page at 1440 and 390 px wide when FORMS_SHOTS is set. */
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

const SCHOOL_FORM = '学校及周边安全排查整改情况报表';

describe.skipIf(skip)('report form pages in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let security: DemoAccount;
  let leader: DemoAccount;
  let police: DemoAccount;
  let bureau: DemoAccount;
  let bureauPage: Page;
  let schoolPage: Page;
  let webCopy = '';
  let collectionUrl = '';
  let cameraPrefill = 0;
  const title = `暑期学校安全排查整改（E2E-${Date.now() % 100000}）`;

  beforeAll(async () => {
    // Serve a private copy of the bundle: another build of the shared web/dist during the run would
    // delete the chunks this page loads lazily.
    ensureWebBuild();
    webCopy = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-web-'));
    fs.cpSync(path.join(ROOT, 'web/dist'), webCopy, { recursive: true });
    server = await startServer({ WEB_DIST: webCopy });
    browser = await launchBrowser();
    const byName = (username: string) => {
      const found = server.accounts.find((account) => account.username === username);
      if (!found) throw new Error(`no demo account ${username}`);
      return found;
    };
    security = byName('nj-xw-sch01.security');
    leader = byName('nj-xw-sch01.leader');
    police = byName('nj-xw-sch01.police');
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

  async function signedIn(account: DemoAccount, next: string): Promise<Page> {
    const { page } = await newPage(browser, server.url);
    await login(page, account.username, account.password, next);
    await page.locator('a[data-menu]').first().waitFor({ timeout: 30_000 });
    return page;
  }

  const cell = (page: Page, key: string): Locator => page.locator(`[data-field="${key}"]`);
  const apiResponse = (page: Page, method: string, pattern: RegExp) =>
    page.waitForResponse(
      (response) => response.request().method() === method && pattern.test(new URL(response.url()).pathname),
    );

  /** Answers every field the client validation marked: 是/有 for yes/no, 0 for numbers, 无 for text, today for dates. */
  async function answerMarked(page: Page): Promise<number> {
    const marked = page.locator('.sc-form-cell-error');
    const count = await marked.count();
    for (let index = 0; index < count; index++) {
      const key = (await marked.first().getAttribute('data-field')) ?? '';
      const field = cell(page, key);
      if ((await field.locator('input[type="radio"]').count()) > 0) {
        await field.locator('.ant-radio-wrapper').first().click();
      } else if ((await field.locator('.ant-input-number input').count()) > 0) {
        await field.locator('.ant-input-number input').first().fill('0');
      } else if ((await field.locator('.ant-picker input').count()) > 0) {
        const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Asia/Shanghai' }).format(new Date());
        await field.locator('.ant-picker input').first().click();
        await field.locator('.ant-picker input').first().fill(today);
        await field.locator('.ant-picker input').first().press('Enter');
      } else if ((await field.locator('table').count()) > 0) {
        await field.locator('[data-testid^="add-row-"]').click();
        const row = field.locator('tbody tr').first();
        const numbers = row.locator('.ant-input-number input');
        for (let n = 0; n < (await numbers.count()); n++) await numbers.nth(n).fill('1');
        const radios = row.locator('.ant-radio-group');
        for (let n = 0; n < (await radios.count()); n++)
          await radios.nth(n).locator('.ant-radio-wrapper').first().click();
      } else {
        await field.locator('textarea, input.ant-input').first().fill('无');
      }
      await expect.poll(() => field.getAttribute('class')).not.toContain('sc-form-cell-error');
    }
    return count;
  }

  it('shows the form pages in the bureau’s and the school’s menus', async () => {
    bureauPage = await signedIn(bureau, '/forms/templates');
    for (const item of ['/forms/tasks', '/forms/collections', '/forms/templates']) {
      await expect(bureauPage.locator(`a[data-menu="${item}"]`).count()).resolves.toBe(1);
    }
    schoolPage = await signedIn(security, '/forms/tasks');
    await expect(schoolPage.locator('a[data-menu="/forms/tasks"]').count()).resolves.toBe(1);
    await expect(schoolPage.locator('a[data-menu="/forms/collections"]').count()).resolves.toBe(0);
  });

  it('issues the built-in seed 003 school form to the county’s schools', async () => {
    const builtin = bureauPage
      .locator('[data-testid="form-templates"] .ant-table-row')
      .filter({ hasText: SCHOOL_FORM })
      .filter({ hasText: '平台内置' });
    await builtin.first().waitFor();
    await shot(bureauPage, 'forms-templates');

    // The template preview is the paper form: every section of 附件1, sign-off by 校长 and 所长.
    await builtin.first().locator('[data-testid="form-template-link"]').click();
    await bureauPage.locator('[data-testid="form-renderer"]').waitFor();
    await expect(bureauPage.locator('.sc-form-section-title').count()).resolves.toBeGreaterThanOrEqual(8);
    await expect(bureauPage.locator('.sc-form-signoff').textContent()).resolves.toMatch(/校长.*所长/);
    await shot(bureauPage, 'forms-template');

    await bureauPage.locator('[data-testid="template-issue"]').click();
    const modal = bureauPage.locator('.ant-modal').filter({ hasText: '下发报表' });
    await modal.locator('#title').fill(title);
    await expect(modal.locator('.ant-select-selection-item').first().textContent()).resolves.toContain(SCHOOL_FORM);
    const issued = apiResponse(bureauPage, 'POST', /\/api\/v1\/forms\/collections$/);
    await bureauPage.locator('#issue-ok').click();
    expect((await issued).status()).toBe(200);

    await bureauPage.locator('[data-testid="submissions-table"] .ant-table-row').first().waitFor();
    collectionUrl = new URL(bureauPage.url()).pathname;
    expect(collectionUrl).toMatch(/^\/forms\/collections\/\d+$/);
    const row = bureauPage
      .locator('[data-testid="submissions-table"] .ant-table-row')
      .filter({ hasText: security.orgName });
    await expect(row.locator('[data-testid="submission-state"]').textContent()).resolves.toBe('待填报');
    await shot(bureauPage, 'forms-collection');

    await bureauPage.goto('/forms/collections');
    const listed = bureauPage.locator('[data-testid="collections"] .ant-table-row').filter({ hasText: title });
    await expect(listed.locator('[data-testid="collection-progress"]').textContent()).resolves.toMatch(/已交 0 \/ \d+/);
    await shot(bureauPage, 'forms-collections');
  });

  it('lets the school open its task with prefilled fields, correct one and submit', async () => {
    await schoolPage.reload();
    const task = schoolPage.locator('[data-testid="form-tasks"] .ant-table-row').filter({ hasText: title });
    await task.waitFor();
    await expect(task.locator('[data-testid="submission-state"]').textContent()).resolves.toBe('待填报');
    await shot(schoolPage, 'forms-tasks');

    const opened = apiResponse(schoolPage, 'POST', /\/api\/v1\/forms\/submissions\/\d+\/open$/);
    await task.locator('[data-testid="task-link"]').click();
    expect((await opened).status()).toBe(200);
    await schoolPage.locator('[data-testid="form-renderer"]').waitFor();

    // The demo school has cameras in its device ledger: the count is prefilled, marked, with its basis.
    const cameras = cell(schoolPage, 'cameraCount');
    await expect(cameras.locator('[data-testid="prefill-mark"]').textContent()).resolves.toContain('系统预填');
    cameraPrefill = Number(await cameras.locator('.ant-input-number input').inputValue());
    expect(cameraPrefill).toBeGreaterThan(0);
    await expect(schoolPage.locator('[data-testid="prefill-mark"]').count()).resolves.toBeGreaterThanOrEqual(5);
    await shot(schoolPage, 'forms-fill');

    // The school corrects the camera count: the system value stays visible beside it.
    await cameras.locator('.ant-input-number input').fill(String(cameraPrefill + 2));
    await expect(cameras.locator('[data-testid="prefill-corrected"]').textContent()).resolves.toBe(
      `已更正（系统值：${cameraPrefill}）`,
    );

    // A rule of the form: licensed guards cannot exceed guards.
    const guards = Number(await cell(schoolPage, 'guards').locator('.ant-input-number input').inputValue());
    await cell(schoolPage, 'guardsLicensed')
      .locator('.ant-input-number input')
      .fill(String(guards + 5));

    const saved = apiResponse(schoolPage, 'PUT', /\/draft$/);
    await schoolPage.locator('[data-testid="save-draft"]').click();
    expect((await saved).status()).toBe(200);

    // Submitting checks the whole form first: required fields and the rule are marked, nothing is sent.
    await schoolPage.locator('[data-testid="submit"]').click();
    await expect(
      cell(schoolPage, 'guardsLicensed').locator('.sc-form-problem').first().textContent(),
    ).resolves.toContain('不能大于');
    await cell(schoolPage, 'guardsLicensed').locator('.ant-input-number input').fill(String(guards));
    expect(await answerMarked(schoolPage)).toBeGreaterThan(0);
    await schoolPage.locator('[data-testid="submit"]').click();
    const submitted = apiResponse(schoolPage, 'POST', /\/submit$/);
    await schoolPage.locator('.ant-modal-confirm .ant-btn-primary').click();
    expect((await submitted).status()).toBe(200);
    await expect
      .poll(() => schoolPage.locator('[data-testid="submission-state"]').first().textContent())
      .toBe('已提交');
    // Read-only now, the correction still shows the system's value.
    await expect(cell(schoolPage, 'cameraCount').locator('[data-testid="prefill-corrected"]').count()).resolves.toBe(1);
  });

  it('has the principal sign and the police liaison co-sign', async () => {
    const formPath = new URL(schoolPage.url()).pathname;
    const principal = await signedIn(leader, formPath);
    await principal.locator('[data-testid="sign"]').click();
    await expect
      .poll(() => principal.locator('[data-testid="submission-state"]').first().textContent())
      .toBe('校长已签');
    await expect(principal.locator('[data-testid="signoff"]').textContent()).resolves.toMatch(/校长：.+（\d{4}-/);
    await principal.context().close();

    const liaison = await signedIn(police, formPath);
    await liaison.locator('[data-testid="cosign"]').click();
    await expect.poll(() => liaison.locator('[data-testid="submission-state"]').first().textContent()).toBe('所长已签');
    await liaison.context().close();
  });

  it('shows the submission to the bureau with district totals and in the Attachment 2 summary', async () => {
    await bureauPage.goto(collectionUrl);
    const row = bureauPage
      .locator('[data-testid="submissions-table"] .ant-table-row')
      .filter({ hasText: security.orgName });
    await expect.poll(() => row.locator('[data-testid="submission-state"]').textContent()).toBe('所长已签');
    await expect(row.textContent()).resolves.toContain(String(cameraPrefill + 2));
    const county = bureauPage.locator('[data-testid="county-totals"] .ant-table-row').first();
    await expect(county.textContent()).resolves.toMatch(/1 \/ \d+/);
    await shot(bureauPage, 'forms-collection-submitted');

    await bureauPage.locator('.ant-tabs-tab').filter({ hasText: '汇总表' }).click();
    const summary = bureauPage.locator('[data-testid="summary"]');
    await expect.poll(() => summary.locator('.ant-table-row').filter({ hasText: security.orgName }).count()).toBe(1);
    await shot(bureauPage, 'forms-summary');
    // The Attachment 2 summary downloads as an Excel workbook.
    const exported = apiResponse(bureauPage, 'GET', /\/summary\.xlsx$/);
    const summaryFile = bureauPage.waitForEvent('download');
    await bureauPage.locator('[data-testid="export-summary"]').click();
    expect((await exported).status()).toBe(200);
    expect((await summaryFile).suggestedFilename()).toMatch(/\.xlsx$/);

    await bureauPage.locator('.ant-tabs-tab').filter({ hasText: '逾期学校' }).click();
    await bureauPage.locator('[data-testid="late-schools"]').waitFor();
  });

  it('returns the form with a comment; the school sees it and the history', async () => {
    const comment = '视频探头数量与设备台账不一致，请核实后重新提交';
    await bureauPage.locator('.ant-tabs-tab').filter({ hasText: '填报情况' }).click();
    await bureauPage
      .locator('[data-testid="submissions-table"] .ant-table-row')
      .filter({ hasText: security.orgName })
      .locator('[data-testid="submission-link"]')
      .click();
    await bureauPage.locator('[data-testid="return"]').click();
    await bureauPage.locator('[data-testid="review-comment"]').fill(comment);
    const returned = apiResponse(bureauPage, 'POST', /\/return$/);
    await bureauPage.locator('.ant-modal-footer .ant-btn-dangerous').click();
    expect((await returned).status()).toBe(200);
    await expect
      .poll(() => bureauPage.locator('[data-testid="submission-state"]').first().textContent())
      .toBe('已退回');

    await schoolPage.goto('/forms/tasks');
    const task = schoolPage.locator('[data-testid="form-tasks"] .ant-table-row').filter({ hasText: title });
    await expect(task.textContent()).resolves.toContain(comment);
    await task.locator('[data-testid="task-link"]').click();
    await expect(schoolPage.locator('[data-testid="return-comment"]').textContent()).resolves.toBe(comment);
    await expect(
      schoolPage.locator('[data-testid="submission-history"] .ant-timeline-item').count(),
    ).resolves.toBeGreaterThanOrEqual(4);
    // Editable again, with the answers kept.
    await expect(schoolPage.locator('[data-testid="submit"]').count()).resolves.toBe(1);
    await shot(schoolPage, 'forms-returned');
    // The school's own form downloads in the official layout.
    const exported = apiResponse(schoolPage, 'GET', /\/export\.xlsx$/);
    const formFile = schoolPage.waitForEvent('download');
    await schoolPage.locator('[data-testid="export-form"]').click();
    expect((await exported).status()).toBe(200);
    expect((await formFile).suggestedFilename()).toBe(`${security.orgName}-${title}.xlsx`);
  });

  it('raised no page errors', () => {
    expect(pageProblems).toEqual([]);
  });
});
