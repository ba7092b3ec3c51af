/**
 * Duty rosters in Chromium against the real server with the demo province: a school's security officer
 * generates the 元旦 holiday duty table with a leader on duty (previewed first) and it shows on the
 * roster; the county bureau sees the school on duty now (the demo's shifts of this week) and the
 * holiday-coverage report counts the school as having a table.
 *
 * With DUTY_SHOTS=<dir> it also saves screenshots of each page at 1440 and 390 px.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BrowserSession, browserUnavailable, screenshots, startBrowserSession } from './browser';
import { countyBureauAbove, type DemoAccount } from './server';

const skip = browserUnavailable() !== null;
const SHOTS = process.env.DUTY_SHOTS;
const shot = screenshots(SHOTS);

describe.skipIf(skip)('duty rosters in Chromium', () => {
  let session: BrowserSession;
  let security: DemoAccount;
  let county: DemoAccount;

  beforeAll(async () => {
    session = await startBrowserSession();
    security = session.server.account('school_security');
    county = countyBureauAbove(session.server, security);
  });

  afterAll(async () => {
    await session?.stop();
  });

  /** Opens a multiple select by its field id and picks the first option whose text matches. */
  async function pick(page: Page, id: string, text: string | RegExp) {
    await page.locator(`#${id}`).click();
    const list = page.locator('.ant-select-dropdown').filter({ has: page.locator(`#${id}_list`) });
    await list.locator('.ant-select-item-option').filter({ hasText: text }).first().click();
    await page.keyboard.press('Escape');
  }

  it('the security officer generates the 元旦 duty table with a leader on duty and sees it on the roster', async () => {
    const page = await session.signedIn(security, '/duty');
    await page.getByTestId('duty-week').waitFor();
    // The demo roster of this week is there, with a leader on duty each day.
    await expect.poll(() => page.getByTestId('duty-shift').count(), { timeout: 15_000 }).toBeGreaterThan(0);
    await shot(page, 'duty-week');

    await page.getByTestId('duty-generate').click();
    const modal = page.locator('.ant-modal');
    await modal.getByText('生成假期值班表').first().waitFor();
    await pick(page, 'leaders', '学校领导');
    await pick(page, 'people', '保安');
    await page.getByTestId('duty-preview').click();
    const preview = page.getByTestId('duty-preview-table');
    await preview.waitFor();
    // 3 days × (day + night)
    await expect.poll(() => preview.locator('tbody tr').count()).toBe(6);
    await shot(page, 'duty-generate-preview');
    await page.getByTestId('duty-generate-confirm').click();
    await modal.waitFor({ state: 'hidden' });

    // The roster jumps to the week of 2027-01-01 and shows the holiday shifts with their leader.
    await expect.poll(() => page.getByTestId('duty-period').textContent()).toContain('2026-12-28');
    const holiday = page.locator('.duty-card-holiday');
    await expect.poll(() => holiday.count(), { timeout: 15_000 }).toBe(6);
    const leaderLine = await holiday.first().getByTestId('duty-leader').textContent();
    expect(leaderLine).toMatch(/^带班：/);
    expect(await holiday.first().textContent()).toContain('元旦');
    await shot(page, 'duty-holiday-week');

    // The month view shows them too.
    await page.getByText('月', { exact: true }).click();
    await expect.poll(() => page.locator('.duty-month-item.duty-card-holiday').count()).toBeGreaterThan(0);
    await shot(page, 'duty-month');

    // The shift drawer names the leader on duty.
    await page.getByText('周', { exact: true }).click();
    await holiday.first().click();
    const drawer = page.locator('.ant-drawer-content');
    await drawer.waitFor();
    await expect.poll(() => drawer.locator('#leaders').count()).toBe(1);
    await shot(page, 'duty-drawer');
    await page.locator('.ant-drawer-close').click();
    await drawer.waitFor({ state: 'hidden' });

    // The handover log and the swaps list (the demo's handovers of the last days).
    await page.getByRole('tab', { name: '交接班记录' }).click();
    await page.locator('.ant-list-item, .ant-list .ant-empty').first().waitFor();
    await shot(page, 'duty-handovers');
    await page.getByRole('tab', { name: '换班申请' }).click();
    await page.locator('.ant-table-row, .ant-table .ant-empty').first().waitFor();
    await shot(page, 'duty-swaps');
    await page.close();
  });

  it('the county bureau sees the school on duty now and the school in the holiday coverage report', async () => {
    const page = await session.signedIn(county, '/duty/now');
    const table = page.getByTestId('duty-now-table');
    const row = table.locator('tr').filter({ hasText: security.orgName });
    await row.first().waitFor({ timeout: 20_000 });
    // The demo roster has somebody on duty at every school now, with the school leader on duty.
    expect(await row.first().getByTestId('duty-nobody-tag').count()).toBe(0);
    expect(await row.first().locator('.ant-tag-gold').count()).toBeGreaterThan(0);
    const totals = await page.getByTestId('duty-now-totals').textContent();
    expect(totals).toContain('当前无人值班');
    await shot(page, 'duty-now');

    await page.getByTestId('duty-nobody').click();
    await expect.poll(() => table.locator('tr').filter({ hasText: security.orgName }).count()).toBe(0);
    await page.getByTestId('duty-nobody').click();

    await page.getByRole('tab', { name: '假期值班情况' }).click();
    await page.getByTestId('duty-coverage-totals').waitFor({ timeout: 20_000 });
    const coverageRow = page.locator('tr').filter({ hasText: security.orgName }).first();
    await coverageRow.waitFor();
    // The officer made the 元旦 table in the previous test: 有值班表 and 领导带班 are both 是.
    expect(await coverageRow.locator('.ant-tag-success').count()).toBe(2);
    // The county's second demo school left a day without a leader: the report shows the gap.
    const totalsText = await page.getByTestId('duty-coverage-totals').textContent();
    expect(totalsText).toMatch(/有日期无领导带班\s*[1-9]/);
    await page.getByText('只看有缺口的学校').click();
    await expect.poll(() => page.locator('tr').filter({ hasText: security.orgName }).count()).toBe(0);
    await page.getByText('只看有缺口的学校').click();
    await shot(page, 'duty-coverage');
    await page.close();
  });
});
