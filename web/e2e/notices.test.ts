/**
 * Notices in Chromium against the real server with the demo province: the county bureau publishes a notice that
 * asks for a reply (需回执); the school's security officer finds it unread in the inbox, opens it (the school's receipt)
 * and replies; the bureau sees the school as replied in the receipt table. The phone inbox lists it at 390 px, and the
 * 信息报送 page shows the demo's urgent reports to the bureau.
 *
 * With NOTICES_SHOTS=<dir> it also saves screenshots of each page at 1440 and 390 px.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, browserUnavailable, login, newPage, screenshots, startBrowserSession } from './browser';
import { countyBureauAbove, type DemoAccount } from './server';

const skip = browserUnavailable() !== null;
const SHOTS = process.env.NOTICES_SHOTS;
const shot = screenshots(SHOTS);

describe.skipIf(skip)('notices in Chromium', () => {
  let session: BrowserSession;
  let security: DemoAccount;
  let county: DemoAccount;
  const title = `关于开展校园消防安全检查的通知（测试${Date.now() % 100_000}）`;

  beforeAll(async () => {
    session = await startBrowserSession();
    security = session.server.account('school_security');
    county = countyBureauAbove(session.server, security);
  });

  afterAll(async () => {
    await session?.stop();
  });

  it('the county bureau publishes a notice that asks for a reply', async () => {
    const page = await session.signedIn(county, '/notices/new');
    await page.getByTestId('notice-title').fill(title);
    await page.getByTestId('notice-body').fill('各学校：\n请于本周五前完成一次消防安全自查，并提交回执。');
    await page.getByTestId('notice-receipt-required').click();
    await shot(page, 'notices-publish');
    await page
      .getByRole('button', { name: '发 布' })
      .or(page.getByRole('button', { name: '发布' }))
      .first()
      .click();
    // The detail page: the text, and every school of the county unread in the receipt table.
    await page.getByTestId('notice-body-text').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('notice-body-text').textContent()).toContain('消防安全自查');
    const row = page.locator('tr').filter({ hasText: security.orgName });
    await row.first().waitFor({ timeout: 20_000 });
    expect(await row.first().getByTestId('receipt-status').textContent()).toBe('未读');
    await page.close();
  });

  it('the school finds it unread, opens it (the receipt) and replies', async () => {
    const page = await session.signedIn(security, '/notices');
    const link = page.getByTestId('inbox-notice').filter({ hasText: title });
    await link.waitFor({ timeout: 20_000 });
    await shot(page, 'notices-inbox');
    await link.click();
    const receipt = page.getByTestId('my-receipt');
    await receipt.waitFor({ timeout: 20_000 });
    expect(await receipt.textContent()).toContain('已读');
    await page.getByTestId('reply-text').fill('已收到，本校将于周五前完成自查。');
    await shot(page, 'notices-detail-recipient');
    await page.getByTestId('reply-submit').click();
    await expect.poll(() => receipt.textContent(), { timeout: 15_000 }).toContain('已回执');
    await page.close();
  });

  it('the bureau sees the school as replied, and the other schools still unread', async () => {
    const page = await session.signedIn(county, '/notices?tab=published');
    const link = page.getByTestId('published-notice').filter({ hasText: title });
    await link.waitFor({ timeout: 20_000 });
    await shot(page, 'notices-published');
    await link.click();
    const row = page.locator('tr').filter({ hasText: security.orgName });
    await row.first().waitFor({ timeout: 20_000 });
    await expect.poll(() => row.first().getByTestId('receipt-status').textContent()).toBe('已回执');
    expect(await row.first().textContent()).toContain('本校将于周五前完成自查');
    expect(await page.getByTestId('receipt-status').filter({ hasText: '未读' }).count()).toBeGreaterThan(0);
    await shot(page, 'notices-detail-publisher');
    await page.close();
  });

  it('the phone inbox lists the notice at 390 px and opens it', async () => {
    const { page } = await newPage(session.browser, session.server.url, { width: 390, height: 844 });
    await login(page, security.username, security.password, '/m/notices');
    const list = page.getByTestId('mobile-notices');
    await list.waitFor({ timeout: 30_000 });
    await list.getByText(title).click();
    await page.getByTestId('mobile-notice').waitFor();
    expect(await page.getByTestId('mobile-receipt').textContent()).toContain('已回执');
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'notices-mobile-detail-390.png'), fullPage: true });
    await page.goBack();
    await list.waitFor();
    if (SHOTS) await page.screenshot({ path: path.join(SHOTS, 'notices-mobile-list-390.png'), fullPage: true });
    await page.close();
  });

  it('the bureau sees the demo urgent reports and opens the pending one', async () => {
    const page = await session.signedIn(county, '/notices/urgent');
    const links = page.getByTestId('urgent-link');
    await links.first().waitFor({ timeout: 20_000 });
    expect(await links.count()).toBeGreaterThanOrEqual(2);
    await shot(page, 'notices-urgent');
    await page
      .locator('tr')
      .filter({ hasText: /待签收|逾期未签收/ })
      .getByTestId('urgent-link')
      .first()
      .click();
    await page.getByTestId('urgent-detail').waitFor();
    expect(await page.getByTestId('urgent-ack').count()).toBe(1);
    await shot(page, 'notices-urgent-detail');
    await page.close();
  });
});
