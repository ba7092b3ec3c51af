/**
 * Browser tests of the web shell against the real server with the demo province:
 * role menus, org tree, user creation, audit chain, login errors and the light phone pages.
 */
import { ROLE_PERMISSIONS, type RoleCode } from '@safe-campus/domain';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { menuPathsFor } from '../src/app/menu';
import { browserUnavailable, launchBrowser, login, menuPaths, newPage, pageProblems } from './browser';
import { startServer, type TestServer } from './server';

const skip = browserUnavailable() !== null;
const MAIN_ROLES: RoleCode[] = [
  'system_admin',
  'security_admin',
  'audit_admin',
  'bureau_officer',
  'school_security',
  'teacher',
  'police_liaison',
];

describe.skipIf(skip)('web shell in Chromium', () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function signedIn(role: RoleCode, viewport?: { width: number; height: number }): Promise<Page> {
    const account = server.account(role);
    const { page } = await newPage(browser, server.url, viewport);
    await login(page, account.username, account.password);
    await page.locator('[data-testid="welcome-card"]').waitFor({ timeout: 30_000 });
    return page;
  }

  for (const role of MAIN_ROLES) {
    it(`shows ${role} exactly the menu its permissions allow`, async () => {
      const page = await signedIn(role);
      try {
        expect(await menuPaths(page)).toEqual(menuPathsFor(ROLE_PERMISSIONS[role]));
        await expect(page.locator('[data-testid="welcome-card"]').textContent()).resolves.toContain(
          server.account(role).orgName,
        );
      } finally {
        await page.context().close();
      }
    });
  }

  it('opens the realtime stream and the inbox once signed in', async () => {
    const account = server.account('school_security');
    const { page, context } = await newPage(browser, server.url);
    try {
      const stream = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/stream');
      const inbox = page.waitForResponse((response) => new URL(response.url()).pathname === '/api/v1/notifications');
      await login(page, account.username, account.password);
      expect((await stream).status()).toBe(200);
      expect((await stream).headers()['content-type']).toContain('text/event-stream');
      expect((await inbox).status()).toBe(200);
      await page.locator('[data-testid="notification-bell"]').click();
      await page.getByText('消息通知').waitFor();
    } finally {
      await context.close();
    }
  });

  it('sends a user whose session ended back to the login page, saying why', async () => {
    const page = await signedIn('teacher');
    try {
      const me = await page.context().request.get('/api/v1/auth/me');
      const { csrfToken } = (await me.json()) as { csrfToken: string };
      const ended = await page
        .context()
        .request.post('/api/v1/auth/logout', { headers: { 'x-csrf-token': csrfToken } });
      expect(ended.status()).toBe(200);
      await page.locator('a[data-menu="/orgs"]').click();
      await page.locator('[data-testid="session-ended"]').waitFor();
      expect(new URL(page.url()).pathname).toBe('/login');
      expect(new URL(page.url()).searchParams.get('next')).toBe('/orgs');
      await expect(page.locator('[data-testid="session-ended"]').textContent()).resolves.toContain('请先登录');
    } finally {
      await page.context().close();
    }
  });

  it('loads the org tree from the active org with its children', async () => {
    const page = await signedIn('bureau_officer');
    try {
      await page.goto('/orgs');
      const tree = page.locator('[data-testid="org-tree"]');
      await tree.getByText(server.account('bureau_officer').orgName, { exact: true }).first().waitFor();
      await expect.poll(() => tree.locator('.ant-tree-treenode').count(), { timeout: 15_000 }).toBeGreaterThan(1);
      await expect(page.locator('[data-testid="org-detail"]').textContent()).resolves.toContain(
        server.account('bureau_officer').orgName,
      );
    } finally {
      await page.context().close();
    }
  });

  it('lets the system administrator create a user, who must then change the initial password', async () => {
    const page = await signedIn('system_admin');
    const username = `e2e.officer${Date.now() % 100000}`;
    try {
      await page.goto('/users');
      await page.locator('[data-testid="create-user"]').click();
      const modal = page.locator('.ant-modal').filter({ hasText: '新建用户' });
      await modal.locator('input#username').fill(username);
      await modal.locator('input#displayName').fill('端到端测试干部');
      await modal.locator('input#password').fill('Campus#2026x');
      await modal.locator('#roles').click();
      await page.locator('.ant-select-item-option').filter({ hasText: '教育局安全干部' }).click();
      await modal.locator('.ant-modal-footer .ant-btn-primary').click();
      await modal.waitFor({ state: 'hidden' });
      await page.locator('input#keyword').fill(username);
      await page.locator('input#keyword').press('Enter');
      const row = page.locator('.ant-table-row').filter({ hasText: username });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('教育局安全干部');
      await expect(row.textContent()).resolves.toContain('待改密');
    } finally {
      await page.context().close();
    }

    const { page: first, context } = await newPage(browser, server.url, { width: 390, height: 800 });
    try {
      await login(first, username, 'Campus#2026x');
      const form = first.locator('[data-testid="change-password-form"]');
      await form.waitFor();
      await first.locator('#currentPassword').fill('Campus#2026x');
      // The complexity rule is checked in the browser before the server sees it.
      await first.locator('#newPassword').fill(`${username}X1`);
      await first.locator('#confirm').fill(`${username}X1`);
      await form.locator('button[type=submit]').click();
      await form.locator('.ant-form-item-explain-error').filter({ hasText: '不能包含用户名' }).first().waitFor();
      await first.locator('#newPassword').fill('Better#Pass2026');
      await first.locator('#confirm').fill('Better#Pass2026');
      await form.locator('button[type=submit]').click();
      await first.locator('[data-testid="welcome-card"]').waitFor();
    } finally {
      await context.close();
    }
  });

  it('lets the security office add a key part marked on a floor plan', async () => {
    const page = await signedIn('school_security');
    try {
      await page.goto('/places');
      const plan = await page.screenshot({ type: 'png', clip: { x: 0, y: 0, width: 400, height: 300 } });
      await page.getByRole('button', { name: /新增场所/ }).click();
      const modal = page.locator('.ant-modal').filter({ hasText: '新增场所' });
      const code = `E2E-${Date.now() % 100000}`;
      await modal.locator('input#name').fill('配电房');
      await modal.locator('input#code').fill(code);
      await modal.locator('#keyPart').click();
      await modal.locator('input[type=file]').setInputFiles({ name: 'plan.png', mimeType: 'image/png', buffer: plan });
      await modal.locator('.sc-floor-plan-canvas img').click({ position: { x: 20, y: 20 } });
      await modal.locator('.sc-floor-plan-pin').waitFor();
      await modal.locator('.ant-modal-footer .ant-btn-primary').click();
      await modal.waitFor({ state: 'hidden' });
      await page.locator('input#keyword').fill(code);
      await page.locator('input#keyword').press('Enter');
      const row = page.locator('.ant-table-row').filter({ hasText: code });
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('重点部位');
      await expect(row.textContent()).resolves.toMatch(/0\.\d+, 0\.\d+/);
    } finally {
      await page.context().close();
    }
  });

  it('shows the rows of a refused org import in a table', async () => {
    const page = await signedIn('system_admin');
    try {
      const template = await page.context().request.get('/api/v1/orgs/import/template.xlsx');
      expect(template.status()).toBe(200);
      const workbook = new ExcelJS.Workbook();
      await workbook.xlsx.load((await template.body()) as unknown as ArrayBuffer);
      const sheet = workbook.worksheets[0]!;
      sheet.addRow(['NO-SUCH-PARENT', 'E2E-BAD', '不存在上级的学校', '学校', '中学', '']);
      const file = Buffer.from(await workbook.xlsx.writeBuffer());
      await page.goto('/orgs');
      await page.locator('[data-testid="import-button"]').waitFor();
      await page.locator('input[type=file]').setInputFiles({
        name: 'orgs.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: file,
      });
      const modal = page.locator('.ant-modal').filter({ hasText: '导入失败' });
      await modal.waitFor();
      await expect(modal.textContent()).resolves.toContain('未写入任何数据');
      expect(await modal.locator('.ant-table-row').count()).toBeGreaterThan(0);
      await expect(modal.locator('.ant-table-row').first().textContent()).resolves.toMatch(/^\d+/);
    } finally {
      await page.context().close();
    }
  });

  it('shows the audit administrator the log and an intact hash chain', async () => {
    const page = await signedIn('audit_admin');
    try {
      await page.goto('/audit');
      const status = page.locator('[data-testid="chain-status"][data-ok]');
      await status.waitFor();
      expect(await status.getAttribute('data-ok')).toBe('true');
      await expect(status.textContent()).resolves.toContain('哈希链完整');
      await expect.poll(() => page.locator('.ant-table-row').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    } finally {
      await page.context().close();
    }
  });

  it('answers a wrong password with the Chinese message', async () => {
    const { page, context } = await newPage(browser, server.url);
    try {
      await login(page, server.account('teacher').username, 'Wrong#Password1');
      const error = page.locator('[data-testid="login-error"]');
      await error.waitFor();
      await expect(error.textContent()).resolves.toContain('用户名或密码错误');
    } finally {
      await context.close();
    }
  });

  it('shows the lockout and its minutes after five wrong passwords', async () => {
    const { page, context } = await newPage(browser, server.url);
    try {
      const account = server.account('student_officer');
      const error = page.locator('[data-testid="login-error"]');
      await login(page, account.username, 'Wrong#Password1');
      for (let attempt = 2; attempt <= 6; attempt++) {
        await error.waitFor();
        await page.locator('#password').fill('Wrong#Password1');
        await Promise.all([
          page.waitForResponse((response) => response.url().endsWith('/api/v1/auth/login')),
          page.locator('[data-testid="login-submit"]').click(),
        ]);
      }
      await expect.poll(() => error.textContent()).toMatch(/锁定.*\d+\s*分钟/);
    } finally {
      await context.close();
    }
  });

  it('lets the security administrator unlock the locked account', async () => {
    const page = await signedIn('security_admin');
    const locked = server.account('student_officer').username;
    try {
      await page.goto('/users');
      await page.locator('input#keyword').fill(locked);
      await page.locator('input#keyword').press('Enter');
      const row = page.locator('.ant-table-row').filter({ hasText: locked }).filter({ hasText: '已锁定' });
      await row.waitFor();
      await row.getByRole('button', { name: /更多/ }).click();
      await page.getByRole('menuitem', { name: '解除锁定' }).click();
      await page.locator('.ant-table-row').filter({ hasText: locked }).filter({ hasNotText: '已锁定' }).waitFor();
    } finally {
      await page.context().close();
    }
    const { page: again, context } = await newPage(browser, server.url);
    try {
      await login(again, locked, server.account('student_officer').password);
      await again.locator('[data-testid="welcome-card"]').waitFor();
    } finally {
      await context.close();
    }
  });

  it('grants a role at a second school, after which the user can switch between the two', async () => {
    const teacher = server.account('teacher');
    const other = server.accounts.find((account) => account.orgLevel === 'school' && account.orgId !== teacher.orgId)!;
    const page = await signedIn('security_admin');
    try {
      await page.goto('/users');
      await page.locator('input#keyword').fill(teacher.username);
      await page.locator('input#keyword').press('Enter');
      const row = page.locator('.ant-table-row').filter({ hasText: teacher.username });
      await row.getByRole('button', { name: '角色' }).click();
      const drawer = page.locator('.ant-drawer').filter({ hasText: '添加角色' });
      await drawer.locator('.ant-select').first().click();
      await page.keyboard.type(other.orgName);
      await page.locator('.ant-select-item-option').filter({ hasText: other.orgName }).first().click();
      await drawer.locator('.ant-select').nth(1).click();
      await page.locator('.ant-select-item-option').filter({ hasText: '教师' }).first().click();
      await drawer.getByRole('button', { name: /添加角色/ }).click();
      await expect.poll(() => drawer.locator('.ant-list-item').count()).toBe(2);
    } finally {
      await page.context().close();
    }

    const { page: mine, context } = await newPage(browser, server.url);
    try {
      await login(mine, teacher.username, teacher.password);
      const switcher = mine.locator('[data-testid="org-switcher"]');
      await switcher.waitFor();
      await switcher.click();
      await mine.locator('.ant-select-item-option').filter({ hasText: other.orgName }).click();
      await expect
        .poll(() => mine.locator('.sc-org-trail').textContent(), { timeout: 15_000 })
        .toContain(other.orgName);
      await expect(mine.locator('[data-testid="welcome-card"]').textContent()).resolves.toContain(other.orgName);
    } finally {
      await context.close();
    }
  });

  it('signs in and serves the phone pages at 390 px without the desktop bundles', async () => {
    const { page, context } = await newPage(browser, server.url, { width: 390, height: 800 });
    try {
      const scripts: string[] = [];
      page.on('request', (request) => {
        if (request.resourceType() === 'script') scripts.push(new URL(request.url()).pathname);
      });
      await page.goto('/m');
      const form = page.locator('[data-testid="mobile-login"]');
      await form.locator('input[name=password]').fill('Wrong#Password1');
      await form.locator('input[name=username]').fill(server.account('guard').username);
      await form.locator('button[type=submit]').click();
      await expect(page.locator('[data-testid="login-error"]').textContent()).resolves.toContain('用户名或密码错误');
      await form.locator('input[name=password]').fill(server.account('guard').password);
      await form.locator('button[type=submit]').click();
      await page.locator('[data-testid="mobile-actions"]').waitFor();
      // A guard reports hazards and fixes the ones assigned to them; the cards grow as modules go live.
      const cards = await page.locator('[data-testid="mobile-actions"] .m-card').allTextContents();
      expect(cards.length).toBeGreaterThanOrEqual(4);
      expect(cards.join(' ')).toContain('隐患随手拍');
      expect(cards.join(' ')).toContain('我的任务');
      await page.getByRole('link', { name: '消息' }).click();
      await page.locator('.m-list').or(page.getByText('暂无消息')).first().waitFor();
      expect(scripts.some((path) => /\/(antd|pro|vendor|zod)-/.test(path))).toBe(false);
      // Nothing wider than the screen.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    } finally {
      await context.close();
    }
  });

  it('raised no page errors and no Content-Security-Policy refusals along the way', () => {
    expect(pageProblems).toEqual([]);
  });
});
