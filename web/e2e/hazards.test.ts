/**
 * The hazard closed loop in Chromium against the real server with the demo province: a school's
 * security officer reports a hazard with a photo, grades it and assigns it (五落实) to a teacher; the
 * teacher records the fix with an after photo; the officer verifies and closes it; the ledger,
 * statistics, the province bureau's ledger and the Excel export all show it.
 *
 * With HAZARD_SHOTS=<dir> it also saves screenshots of each page at 1440 and 390 px.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserUnavailable, launchBrowser, login, newPage, pageProblems } from './browser';
import { type DemoAccount, ensureWebBuild, ROOT, startServer, type TestServer } from './server';

const skip = browserUnavailable() !== null;
const SHOTS = process.env.HAZARD_SHOTS;

/** Saves the page at 1440 and 390 px wide when HAZARD_SHOTS is set. */
async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  fs.mkdirSync(SHOTS, { recursive: true });
  const size = page.viewportSize() ?? { width: 1440, height: 900 };
  await page.screenshot({ path: path.join(SHOTS, `${name}-1440.png`), fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.waitForTimeout(400);
  await page.screenshot({ path: path.join(SHOTS, `${name}-390.png`), fullPage: true });
  await page.setViewportSize(size);
  await page.waitForTimeout(200);
}

describe.skipIf(skip)('hazards closed loop in Chromium', () => {
  let server: TestServer;
  let browser: Browser;
  let security: DemoAccount;
  let teacher: DemoAccount;
  let officer: Page;
  let photo: Buffer;
  let hazardId = 0;
  const title = `实验楼二层灭火器过期 E2E-${Date.now() % 100000}`;

  let webCopy = '';

  beforeAll(async () => {
    // Serve a private copy of the bundle: another build of the shared web/dist during the run would
    // delete the chunks this page loads lazily.
    ensureWebBuild();
    webCopy = fs.mkdtempSync(path.join(os.tmpdir(), 'sc-e2e-web-'));
    fs.cpSync(path.join(ROOT, 'web/dist'), webCopy, { recursive: true });
    server = await startServer({ WEB_DIST: webCopy });
    browser = await launchBrowser();
    security = server.account('school_security');
    const sameSchool = server.accounts.find((item) => item.role === 'teacher' && item.orgId === security.orgId);
    if (!sameSchool) throw new Error(`no demo teacher at ${security.orgName}`);
    teacher = sameSchool;
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
  async function pick(page: Page, scope: ReturnType<Page['locator']>, id: string, text: string | RegExp) {
    await scope.locator(`#${id}`).click();
    const list = page.locator('.ant-select-dropdown').filter({ has: page.locator(`#${id}_list`) });
    await list.locator('.ant-select-item-option').filter({ hasText: text }).first().click();
    await list.waitFor({ state: 'hidden' });
  }

  async function state(page: Page): Promise<string> {
    return (
      (await page.locator('[data-testid="hazard-detail"] [data-testid="hazard-state"]').first().textContent()) ?? ''
    );
  }

  it('lets the security officer report a hazard with a photo from the ledger', async () => {
    officer = await signedIn(security, '/hazards');
    await officer.locator('[data-testid="hazards-table"]').waitFor();
    // Any PNG will do as a "photo": the page itself.
    photo = await officer.screenshot({ type: 'png', clip: { x: 0, y: 0, width: 320, height: 240 } });
    await shot(officer, 'ledger');
    await officer.locator('[data-testid="hazard-report"]').click();
    const drawer = officer.locator('.ant-drawer-content').filter({ hasText: '上报隐患' });
    await drawer.locator('input#title').fill(title);
    await pick(officer, drawer, 'category', '消防');
    await pick(officer, drawer, 'placeId', /./);
    await drawer.locator('textarea#description').fill('二层走廊两具灭火器压力表指针在红区，已过检验期。');
    await drawer.locator('[data-testid="report-photos"] input[type=file]').setInputFiles({
      name: 'before.png',
      mimeType: 'image/png',
      buffer: photo,
    });
    await drawer.locator('.ant-upload-list-item-done').waitFor();
    await shot(officer, 'report-drawer');
    const created = officer.waitForResponse(
      (response) => new URL(response.url()).pathname === '/api/v1/hazards' && response.request().method() === 'POST',
    );
    await officer.locator('.ant-drawer-footer .ant-btn-primary').click();
    const response = await created;
    expect(response.status()).toBe(200);
    hazardId = ((await response.json()) as { id: number }).id;
    await drawer.waitFor({ state: 'hidden' });
    await officer.locator('.ant-table-row').filter({ hasText: title }).waitFor();
  });

  it('lets the officer confirm and grade it, then assign it with the five fixes to a teacher', async () => {
    await officer.locator('.ant-table-row').filter({ hasText: title }).getByRole('link', { name: title }).click();
    await officer.locator('[data-testid="hazard-detail"]').waitFor();
    expect(await state(officer)).toBe('待确认');
    await expect(officer.locator('[data-testid="photos-before"] img').count()).resolves.toBe(1);

    await officer.locator('[data-testid="command-confirm"]').click();
    const confirm = officer.locator('.ant-modal').filter({ hasText: '确认定级' });
    await confirm.locator('.ant-radio-button-wrapper').filter({ hasText: '较大' }).click();
    await confirm.locator('.ant-radio-button-wrapper').filter({ hasText: '橙色' }).click();
    await confirm.locator('.ant-modal-footer .ant-btn-primary').click();
    await confirm.waitFor({ state: 'hidden' });
    await expect.poll(() => state(officer)).toBe('待交办');

    await officer.locator('[data-testid="command-assign"]').click();
    const assign = officer.locator('.ant-modal').filter({ hasText: '交办整改' });
    await expect(assign.locator('input#responsibleUnit').inputValue()).resolves.not.toBe('');
    await assign.locator('#responsibleUserId').click();
    await assign.locator('#responsibleUserId').fill(teacher.username);
    await officer
      .locator('.ant-select-dropdown')
      .filter({ has: officer.locator('#responsibleUserId_list') })
      .locator('.ant-select-item-option')
      .filter({ hasText: teacher.username })
      .click();
    await assign.locator('textarea#measures').fill('更换过期灭火器两具，补充压力检测记录。');
    await assign.locator('input#funds').fill('600');
    await assign.locator('textarea#interimMeasures').fill('更换前在走廊两端临时增配灭火器，安保每日巡查一次。');
    await shot(officer, 'assign-modal');
    await assign.locator('.ant-modal-footer .ant-btn-primary').click();
    await assign.waitFor({ state: 'hidden' });
    await expect.poll(() => state(officer)).toBe('整改中');
    const fixes = (await officer.locator('[data-testid="five-fixes"]').textContent()) ?? '';
    expect(fixes).toContain('更换过期灭火器两具');
    expect(fixes).toContain('600');
    expect(fixes).toContain('临时增配灭火器');
  });

  it('lets the teacher find the task and record the fix with an after photo', async () => {
    const page = await signedIn(teacher, '/hazards/mine');
    try {
      const row = page.locator('.ant-table-row').filter({ hasText: title });
      await row.waitFor();
      await shot(page, 'my-hazards');
      await row.getByRole('link').first().click();
      await page.locator('[data-testid="hazard-detail"]').waitFor();
      expect(await state(page)).toBe('整改中');
      await page.locator('[data-testid="command-rectify"]').click();
      const modal = page.locator('.ant-modal').filter({ hasText: '提交整改' });
      await modal.locator('textarea#note').fill('已更换两具灭火器并张贴检验标签。');
      await modal.locator('[data-testid="action-photos"] input[type=file]').setInputFiles({
        name: 'after.png',
        mimeType: 'image/png',
        buffer: photo,
      });
      await modal.locator('.ant-upload-list-item-done').waitFor();
      await modal.locator('.ant-modal-footer .ant-btn-primary').click();
      await modal.waitFor({ state: 'hidden' });
      await expect.poll(() => state(page)).toBe('待验收');
      // The teacher may not verify their own fix.
      await expect(page.locator('[data-testid="command-verify"]').count()).resolves.toBe(0);
    } finally {
      await page.context().close();
    }
  });

  it('updates the officer’s open page live, then lets the officer verify and close it', async () => {
    // No reload: the hazard.changed event on the realtime stream refreshes the detail page.
    await expect.poll(() => state(officer), { timeout: 20_000 }).toBe('待验收');
    await officer.locator('[data-testid="command-verify"]').click();
    const verify = officer.locator('.ant-modal').filter({ hasText: '验收销号' });
    await verify.locator('textarea#note').fill('现场核实，整改到位。');
    await verify.locator('.ant-modal-footer .ant-btn-primary').click();
    await verify.waitFor({ state: 'hidden' });
    await expect.poll(() => state(officer)).toBe('已关闭');

    const steps = officer.locator('[data-testid="timeline-step"]');
    const actions = await steps.evaluateAll((items) => items.map((item) => item.getAttribute('data-action')));
    expect(actions).toEqual(expect.arrayContaining(['report', 'confirm', 'assign', 'rectify', 'verify']));
    const timeline = (await officer.locator('[data-testid="hazard-timeline"]').textContent()) ?? '';
    expect(timeline).toContain('整改到位');
    expect(timeline).toContain('已更换两具灭火器');
    await expect(officer.locator('[data-testid="timeline-photos"] img').count()).resolves.toBe(2);
    await expect(officer.locator('[data-testid="photos-before"] img').count()).resolves.toBe(1);
    await expect(officer.locator('[data-testid="photos-after"] img').count()).resolves.toBe(1);
    // Thumbnails are real images the browser could decode.
    const widths = await officer
      .locator('[data-testid="photos-after"] img, [data-testid="photos-before"] img')
      .evaluateAll((images) => images.map((image) => (image as HTMLImageElement).naturalWidth));
    expect(widths.every((width) => width > 0)).toBe(true);
    await shot(officer, 'detail');
  });

  it('finds the closed hazard with the ledger filters', async () => {
    await officer.goto('/hazards');
    await officer.locator('input#keyword').fill(title.slice(-9));
    await pick(officer, officer.locator('.ant-pro-query-filter'), 'state', '已关闭');
    await officer.locator('input#keyword').press('Enter');
    const row = officer.locator('.ant-table-row').filter({ hasText: title });
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('已关闭');
    await expect(officer.locator('.ant-table-row').count()).resolves.toBe(1);
  });

  it('shows the school’s numbers on the statistics page', async () => {
    await officer.goto('/hazards/stats');
    await officer.locator('[data-testid="hazard-stats"]').waitFor();
    const number = async (key: string) =>
      Number((await officer.locator(`[data-testid="kpi-${key}"] .ant-statistic-content-value`).textContent())?.trim());
    expect(await number('found')).toBeGreaterThanOrEqual(1);
    expect(await number('rectified')).toBeGreaterThanOrEqual(1);
    expect((await number('found')) - (await number('rectified'))).toBe(await number('unrectified'));
    await officer.locator('canvas').first().waitFor();
    await shot(officer, 'stats-school');
  });

  it('shows it in the province bureau’s ledger and statistics, and exports the ledger to Excel', async () => {
    const page = await signedIn(server.account('bureau_officer'), '/hazards');
    try {
      await page.locator('input#keyword').fill(title.slice(-9));
      await page.locator('input#keyword').press('Enter');
      const row = page.locator('.ant-table-row').filter({ hasText: title });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain(security.orgName);

      const downloaded = page.waitForEvent('download');
      await page.locator('[data-testid="hazards-export"]').click();
      const file = await downloaded;
      expect(file.suggestedFilename()).toMatch(/\.xlsx$/);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load(fs.readFileSync((await file.path()) as string) as unknown as ArrayBuffer);
      const cells: string[] = [];
      workbook.worksheets[0]!.eachRow((sheetRow) => {
        sheetRow.eachCell((cell) => {
          cells.push(String(cell.text ?? ''));
        });
      });
      expect(cells.some((text) => text.includes(title))).toBe(true);

      // The dashboard card's overdue count opens the ledger filtered to overdue hazards.
      await page.goto('/');
      await page.locator('[data-testid="dashboard-overdue"]').click();
      await page.waitForURL(/\/hazards\?overdue=true/);
      await page.locator('[data-testid="hazards-table"] .ant-table-row').first().waitFor();
      const overdueRows = await page.locator('[data-testid="hazards-table"] .ant-table-row').allTextContents();
      expect(overdueRows.every((text) => text.includes('已超期'))).toBe(true);

      await page.goto('/hazards/stats');
      await page.locator('[data-testid="stats-table"] .ant-table-row').first().waitFor();
      await page.locator('canvas').first().waitFor();
      await shot(page, 'stats-province');
      // A city's row opens that city's ledger, the org filter set to it.
      const firstCity = page.locator('[data-testid="stats-table"] .ant-table-row').first();
      const cityName = ((await firstCity.locator('td').first().textContent()) ?? '').trim();
      await firstCity.getByRole('link', { name: '查看台账' }).click();
      await page.waitForURL(/\/hazards\?orgId=/);
      await page.locator('[data-testid="hazards-table"] .ant-table-row').first().waitFor();
      await expect(page.locator('.ant-pro-query-filter').textContent()).resolves.toContain(cityName);
      await page.goto('/hazards/supervision');
      await page.locator('[data-testid="supervision-open"]').waitFor();
      await shot(page, 'supervision');
    } finally {
      await page.context().close();
    }
  });

  it('shows the server’s 409 in the dialog when someone else acted first', async () => {
    const request = officer.context().request;
    const { csrfToken } = (await (await request.get('/api/v1/auth/me')).json()) as { csrfToken: string };
    const headers = { 'x-csrf-token': csrfToken };
    const created = await request.post('/api/v1/hazards', {
      headers,
      data: { orgId: security.orgId, title: `走廊应急灯不亮 E2E-${Date.now() % 100000}`, category: 'fire' },
    });
    expect(created.status()).toBe(200);
    const { id } = (await created.json()) as { id: number };
    await officer.goto(`/hazards/${id}`);
    await officer.locator('[data-testid="command-confirm"]').click();
    const confirm = officer.locator('.ant-modal').filter({ hasText: '确认定级' });
    await confirm.locator('.ant-radio-button-wrapper').filter({ hasText: '一般' }).waitFor();
    // Meanwhile the hazard is rejected elsewhere (another officer, another tab).
    const rejected = await request.post(`/api/v1/hazards/${id}/reject`, { headers, data: { reason: '重复上报' } });
    expect(rejected.status()).toBe(200);
    await confirm.locator('.ant-modal-footer .ant-btn-primary').click();
    const problem = confirm.locator('[data-testid="action-problem"]');
    await problem.waitFor();
    expect(await problem.getAttribute('data-code')).toBe('hazard_action_not_allowed');
    await expect(problem.textContent()).resolves.toContain('刷新后查看最新状态');
    await shot(officer, 'conflict');
    await problem
      .getByRole('button', { name: '刷 新' })
      .or(problem.getByRole('button', { name: '刷新' }))
      .click();
    await confirm.waitFor({ state: 'hidden' });
    await expect.poll(() => state(officer)).toBe('已驳回');
  });

  it('shows the teacher a clear 404 for a hazard id that does not exist', async () => {
    const page = await signedIn(teacher, `/hazards/${hazardId + 100000}`);
    try {
      await page.getByText('隐患不存在', { exact: true }).waitFor();
    } finally {
      await page.context().close();
    }
  });

  it('had no page errors', () => {
    expect(pageProblems).toEqual([]);
  });
});
