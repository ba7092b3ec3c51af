/**
 * The phone's hazard pages at 360 × 740 in real Chromium against the real server with the demo province:
 * a teacher reports a hazard with a photo, reports offline and sees it queued, the queue sends each report
 * exactly once (also when the first answer is lost), and a task assigned to the teacher is rectified from
 * the phone. The outbox logic itself is tested first, in Node, with an in-memory store.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uuid } from '../src/api/uuid';
import {
  classify,
  drainQueue,
  memoryStore,
  newReport,
  type ReportTransport,
  retryDelay,
  type SendError,
  sendReport,
} from '../src/mobile/hazards/offlineQueue';
import { browserUnavailable, launchBrowser, newPage, pageProblems } from './browser';
import { type DemoAccount, startServer, type TestServer } from './server';

const skip = browserUnavailable() !== null;
/** Set to a folder to keep screenshots of the phone pages at 390 and 360 px. */
const SHOTS = process.env.MOBILE_SHOTS;

// ---------------------------------------------------------------------------------------------------------------
// The outbox logic, in Node.

function failure(status: number, message = `status ${status}`): SendError & Error {
  return Object.assign(new Error(message), { status });
}

/** A transport that records calls and fails the way it is told to. */
function fakeTransport() {
  const calls: string[] = [];
  const bodies: unknown[] = [];
  let nextFile = 0;
  const plan: { upload: (SendError | null)[]; create: (SendError | null)[] } = { upload: [], create: [] };
  const transport: ReportTransport = {
    upload: async () => {
      calls.push('upload');
      const error = plan.upload.shift();
      if (error) throw error;
      nextFile += 1;
      return `file-${nextFile}`;
    },
    create: async (body, key) => {
      calls.push(`create ${key}`);
      bodies.push(body);
      const error = plan.create.shift();
      if (error) throw error;
      return 42;
    },
  };
  return { transport, calls, bodies, plan };
}

const draft = {
  orgId: 7,
  title: '  三楼灭火器过期 ',
  category: 'fire',
  placeId: 3,
  placeName: '教学楼',
  description: '',
};

describe('hazard outbox', () => {
  it('uploads the photos, then creates the hazard with the report id as Idempotency-Key, then forgets it', async () => {
    const store = memoryStore();
    const { transport, calls, bodies } = fakeTransport();
    const report = newReport(1, draft, [new Blob(['a']), new Blob(['b'])], new Date('2026-03-01T08:00:00Z'), 'r-1');
    await store.put(report);
    const outcome = await sendReport(report, store, transport);
    expect(outcome).toEqual({ kind: 'sent', hazardId: 42 });
    expect(calls).toEqual(['upload', 'upload', 'create r-1']);
    expect(bodies[0]).toEqual({
      orgId: 7,
      title: '三楼灭火器过期',
      category: 'fire',
      placeId: 3,
      photoIds: ['file-1', 'file-2'],
      foundAt: '2026-03-01T08:00:00.000Z',
    });
    expect(await store.list()).toEqual([]);
  });

  it('keeps a report through network failures and retries with the same key, body and uploaded photos', async () => {
    const store = memoryStore();
    const { transport, calls, bodies, plan } = fakeTransport();
    await store.put(newReport(1, draft, [new Blob(['a']), new Blob(['b'])], new Date(), 'r-2'));
    // The second photo's upload meets a dead network; then the create's answer is lost.
    plan.upload = [null, failure(0)];
    plan.create = [failure(0)];
    let result = await drainQueue(store, transport, 1);
    expect(result).toMatchObject({ sent: 0, failed: 0, pending: 1 });
    let [stored] = await store.list();
    expect(stored!.photos.map((photo) => photo.fileId)).toEqual(['file-1', null]);
    expect(stored!.attempts).toBe(1);
    result = await drainQueue(store, transport, 1);
    expect(result.pending).toBe(1);
    [stored] = await store.list();
    expect(stored!.photos.map((photo) => photo.fileId)).toEqual(['file-1', 'file-2']);
    result = await drainQueue(store, transport, 1);
    expect(result).toMatchObject({ sent: 1, pending: 0 });
    expect(calls).toEqual(['upload', 'upload', 'upload', 'create r-2', 'create r-2']);
    expect(bodies[0]).toEqual(bodies[1]);
    expect(await store.list()).toEqual([]);
  });

  it('marks a report the server refuses for good as failed with its message and does not retry it', async () => {
    const store = memoryStore();
    const { transport, calls, plan } = fakeTransport();
    await store.put(newReport(1, draft, [], new Date(), 'r-3'));
    plan.create = [failure(400, '标题不能为空')];
    expect(await drainQueue(store, transport, 1)).toMatchObject({ sent: 0, failed: 1, pending: 0 });
    const [stored] = await store.list();
    expect(stored).toMatchObject({ status: 'failed', error: '标题不能为空' });
    await drainQueue(store, transport, 1);
    expect(calls).toEqual(['create r-3']);
  });

  it('retries server trouble, waits for a sign-in on 401, and fails other 4xx', () => {
    expect(classify(failure(0))).toBe('retry');
    expect(classify(new TypeError('Failed to fetch'))).toBe('retry');
    expect(classify(failure(502))).toBe('retry');
    expect(classify(failure(503))).toBe('retry');
    expect(classify(failure(429))).toBe('retry');
    expect(classify(failure(401))).toBe('auth');
    expect(classify(failure(403))).toBe('fail');
    expect(classify(failure(409))).toBe('fail');
    expect(classify(failure(422))).toBe('fail');
  });

  it('sends oldest first, only the signed-in user’s reports, and stops at the first network failure', async () => {
    const store = memoryStore();
    const { transport, calls, plan } = fakeTransport();
    await store.put(newReport(1, draft, [], new Date('2026-03-01T10:00:00Z'), 'late'));
    await store.put(newReport(1, draft, [], new Date('2026-03-01T09:00:00Z'), 'early'));
    await store.put(newReport(2, draft, [], new Date('2026-03-01T08:00:00Z'), 'someone-else'));
    plan.create = [failure(503)];
    expect(await drainQueue(store, transport, 1)).toMatchObject({ sent: 0, pending: 2 });
    expect(calls).toEqual(['create early']);
    expect(await drainQueue(store, transport, 1)).toMatchObject({ sent: 2, pending: 0 });
    expect(calls).toEqual(['create early', 'create early', 'create late']);
    expect((await store.list()).map((report) => report.id)).toEqual(['someone-else']);
  });

  it('backs off from 5 seconds to at most 5 minutes and makes v4 UUIDs', () => {
    expect([0, 1, 2, 3].map(retryDelay)).toEqual([5_000, 10_000, 20_000, 40_000]);
    expect(retryDelay(20)).toBe(300_000);
    const ids = new Set(Array.from({ length: 100 }, uuid));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The pages, in Chromium.

/** A PNG of width × height with coloured stripes, made without an image library. */
function png(width: number, height: number): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (data: Buffer) => {
    let c = 0xffffffff;
    for (const byte of data) c = crcTable[(c ^ byte) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([length, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // RGB
  const row = Buffer.alloc(1 + width * 3);
  for (let x = 0; x < width; x++) {
    const band = Math.floor((x / width) * 4);
    row.set(
      [
        [230, 80, 40],
        [250, 200, 40],
        [40, 160, 90],
        [40, 110, 220],
      ][band]!,
      1 + x * 3,
    );
  }
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

interface HazardRow {
  id: number;
  title: string;
  state: string;
}

/** A signed-in API client (cookie + CSRF token), for setting up and checking what the phone did. */
async function apiSession(baseUrl: string, account: DemoAccount) {
  const login = await fetch(`${baseUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: account.username, password: account.password }),
  });
  if (!login.ok) throw new Error(`login ${account.username}: ${login.status} ${await login.text()}`);
  const cookie = login.headers
    .getSetCookie()
    .map((line) => line.split(';')[0])
    .join('; ');
  const { csrfToken, user } = (await login.json()) as { csrfToken: string; user: { id: number } };
  const call = async <T>(method: 'GET' | 'POST', url: string, body?: unknown): Promise<T> => {
    const response = await fetch(`${baseUrl}/api/v1${url}`, {
      method,
      headers: {
        cookie,
        'x-csrf-token': csrfToken,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return (await response.json()) as T;
  };
  return {
    userId: user.id,
    get: <T>(url: string) => call<T>('GET', url),
    post: <T>(url: string, body: unknown) => call<T>('POST', url, body),
    /** Hazards of the caller's school whose title is exactly `title`. */
    async withTitle(title: string): Promise<HazardRow[]> {
      const page = await call<{ items: HazardRow[] }>('GET', `/hazards?keyword=${encodeURIComponent(title)}&limit=50`);
      return page.items.filter((item) => item.title === title);
    },
  };
}

describe.skipIf(skip)('phone hazard pages in Chromium (360 × 740)', () => {
  let server: TestServer;
  let browser: Browser;
  let teacher: DemoAccount;
  let officer: Awaited<ReturnType<typeof apiSession>>;
  let context: BrowserContext;
  let page: Page;
  const run = Date.now().toString(36);
  const uploads: { width: number | null; height: number | null; mime: string }[] = [];

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    teacher = server.account('teacher');
    const security = server.accounts.find(
      (account) => account.role === 'school_security' && account.orgId === teacher.orgId,
    );
    if (!security) throw new Error(`no security officer at ${teacher.orgName}`);
    officer = await apiSession(server.url, security);
    ({ context, page } = await newPage(browser, server.url, { width: 360, height: 740 }));
    page.on('response', async (response) => {
      if (response.request().method() === 'POST' && new URL(response.url()).pathname === '/api/v1/files') {
        uploads.push((await response.json()) as (typeof uploads)[number]);
      }
    });
    await page.goto('/m');
    const form = page.locator('[data-testid="mobile-login"]');
    await form.locator('input[name=username]').fill(teacher.username);
    await form.locator('input[name=password]').fill(teacher.password);
    await form.locator('button[type=submit]').click();
    await page.locator('[data-testid="mobile-actions"]').waitFor({ timeout: 30_000 });
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await server?.stop();
  });

  async function shoot(name: string): Promise<void> {
    if (!SHOTS) return;
    fs.mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: path.join(SHOTS, `${name}-360.png`), fullPage: false });
  }

  /** Fills the report form: a photo, title, category chip, the first place; returns once submitted. */
  async function report(title: string, options: { photo?: boolean; place?: boolean } = {}): Promise<void> {
    // In-app navigation: page.goto would need the network, and some of these run offline.
    await page.locator('.m-tabs').getByRole('link', { name: '首页' }).click();
    await page.locator('[data-testid="action-hazard"]').click();
    const form = page.locator('[data-testid="hazard-report-form"]');
    await form.waitFor();
    if (options.photo !== false) {
      await form
        .locator('[data-testid="report-photos"] input[type=file]')
        .setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: png(2400, 1200) });
      await form.locator('[data-testid="report-photos"] img').first().waitFor();
    }
    await form.locator('#mh-title').fill(title);
    await form.getByRole('radio', { name: '消防' }).click();
    if (options.place !== false) {
      await form.locator('[data-testid="place-button"]').click();
      await page.locator('[data-testid="place-options"] .mh-option').first().waitFor();
      await shoot('place-sheet');
      await page.locator('[data-testid="place-options"] .mh-option:not(.mh-option-none)').first().click();
    }
    await shoot(`report-${title.slice(0, 6)}`);
    await form.locator('[data-testid="report-submit"]').click();
  }

  it('reports a hazard with a photo from the phone; it reaches the ledger with the photo downscaled', async () => {
    const title = `灭火器压力不足 ${run}`;
    await report(title);
    await expect
      .poll(() => page.locator('[data-testid="report-outcome"]').getAttribute('data-outcome'), { timeout: 20_000 })
      .toBe('sent');
    const found = await officer.withTitle(title);
    expect(found).toHaveLength(1);
    const detail = await officer.get<{
      category: string;
      placeName: string | null;
      schoolId: number;
      photos: { before: { mime: string }[] };
    }>(`/hazards/${found[0]!.id}`);
    expect(detail).toMatchObject({ category: 'fire', schoolId: teacher.orgId });
    expect(detail.placeName).toBeTruthy();
    expect(detail.photos.before.map((photo) => photo.mime)).toEqual(['image/jpeg']);
    // 2400 × 1200 PNG in, at most 1600 px JPEG out.
    expect(uploads.at(-1)).toMatchObject({ mime: 'image/jpeg', width: 1600, height: 800 });
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });

  it('queues a report made offline, shows it as pending, and sends it once when the network returns', async () => {
    const title = `楼梯扶手松动 ${run}`;
    await page.goto('/m');
    await page.locator('[data-testid="mobile-actions"]').waitFor(); // signed in before the network goes
    await context.setOffline(true);
    try {
      await report(title);
      await expect
        .poll(() => page.locator('[data-testid="report-outcome"]').getAttribute('data-outcome'), { timeout: 20_000 })
        .toBe('queued');
      await page.getByRole('link', { name: '返回首页' }).click();
      await expect(page.locator('[data-testid="pending-count"]').textContent()).resolves.toBe('1');
      await shoot('home-pending');
      await page.locator('[data-testid="pending-bar"]').click();
      const item = page.locator('[data-testid="outbox-item"]');
      await expect(item.getAttribute('data-status')).resolves.toBe('pending');
      await expect(item.textContent()).resolves.toContain(title);
      await shoot('reported-pending');
      expect(await officer.withTitle(title)).toHaveLength(0);
    } finally {
      await context.setOffline(false);
    }
    await expect.poll(() => officer.withTitle(title).then((rows) => rows.length), { timeout: 30_000 }).toBe(1);
    await page.locator('[data-testid="outbox"]').waitFor({ state: 'detached', timeout: 15_000 });
    await expect.poll(() => page.locator('[data-testid="reported-list"]').textContent()).toContain(title);
    // A reload (which also runs the sender) sends nothing twice.
    await page.goto('/m');
    await page.locator('[data-testid="mobile-actions"]').waitFor();
    await expect(page.locator('[data-testid="pending-bar"]').count()).resolves.toBe(0);
    expect(await officer.withTitle(title)).toHaveLength(1);
  });

  it('creates one hazard when the answer to the first send is lost and the phone sends it again', async () => {
    const title = `配电箱未上锁 ${run}`;
    let reachedServer = 0;
    await page.route('**/api/v1/hazards', async (route) => {
      if (route.request().method() !== 'POST') return route.fallback();
      reachedServer += 1;
      if (reachedServer > 1) return route.fallback();
      // The server creates the hazard; the phone never hears back.
      await route.fetch();
      await route.abort('connectionreset');
    });
    try {
      await report(title, { place: false });
      await expect
        .poll(() => page.locator('[data-testid="report-outcome"]').getAttribute('data-outcome'), { timeout: 20_000 })
        .toBe('queued');
      expect(await officer.withTitle(title)).toHaveLength(1);
      // The backoff timer sends it again (after 5 s); the server answers with the first result.
      await page.getByRole('link', { name: '查看我上报的' }).click();
      await page.locator('[data-testid="outbox-item"]').filter({ hasText: title }).waitFor();
      await page.locator('[data-testid="outbox"]').waitFor({ state: 'detached', timeout: 30_000 });
    } finally {
      await page.unroute('**/api/v1/hazards');
    }
    expect(reachedServer).toBe(2);
    expect(await officer.withTitle(title)).toHaveLength(1);
    await expect.poll(() => page.locator('[data-testid="reported-list"]').textContent()).toContain(title);
  });

  it('keeps a queued report the server refuses as failed with its reason, and sends it once fixed', async () => {
    await page.goto('/m');
    await page.locator('[data-testid="mobile-actions"]').waitFor();
    // A "photo" that is no image, queued offline: the browser cannot redraw it, the server refuses it.
    const refused = `消防通道堵塞 ${run}`;
    await context.setOffline(true);
    try {
      await page.locator('.m-tabs').getByRole('link', { name: '首页' }).click();
      await page.locator('[data-testid="action-hazard"]').click();
      const form = page.locator('[data-testid="hazard-report-form"]');
      await form
        .locator('[data-testid="report-photos"] input[type=file]')
        .setInputFiles({ name: 'scene.png', mimeType: 'image/png', buffer: Buffer.from('not a picture at all') });
      await form.locator('[data-testid="report-photos"] img').first().waitFor({ state: 'attached' });
      await form.locator('#mh-title').fill(refused);
      await form.getByRole('radio', { name: '周边环境' }).click();
      await form.locator('[data-testid="report-submit"]').click();
      await page.locator('[data-testid="report-outcome"][data-outcome="queued"]').waitFor();
    } finally {
      await context.setOffline(false);
    }
    await page.locator('.m-tabs').getByRole('link', { name: '首页' }).click();
    const bar = page.locator('[data-testid="pending-bar"]');
    await expect.poll(() => bar.textContent(), { timeout: 30_000 }).toContain('1 条发送失败');
    await bar.click();
    const item = page.locator('[data-testid="outbox-item"][data-status="failed"]');
    await expect(item.textContent()).resolves.toContain(refused);
    expect((await item.locator('.mh-card-error').textContent())?.length).toBeGreaterThan(0);
    await shoot('outbox-failed');
    expect(await officer.withTitle(refused)).toHaveLength(0);

    // 修改: back in the form with the reason; without the bad photo it goes through.
    await item.getByRole('link', { name: '修改' }).click();
    const form = page.locator('[data-testid="hazard-report-form"]');
    // The draft is read from IndexedDB after the form renders; its reason and title arrive in one update.
    await form.locator('[data-testid="report-error"]').waitFor();
    await expect(form.locator('#mh-title').inputValue()).resolves.toBe(refused);
    await form.getByRole('button', { name: '删除照片 1' }).click();
    await form.locator('[data-testid="report-submit"]').click();
    await page.locator('[data-testid="report-outcome"][data-outcome="sent"]').waitFor({ timeout: 20_000 });
    await shoot('report-sent');
    expect(await officer.withTitle(refused)).toHaveLength(1);
    await page.locator('.m-tabs').getByRole('link', { name: '首页' }).click();
    await page.locator('[data-testid="mobile-actions"]').waitFor();
    expect(await page.locator('[data-testid="pending-bar"]').count()).toBe(0);
  });

  it('shows a hazard assigned to the teacher under 我的任务 and records the rectification from the phone', async () => {
    const title = `实验室通风橱故障 ${run}`;
    const teacherId = (await apiSession(server.url, teacher)).userId;
    const created = await officer.post<{ id: number }>('/hazards', {
      orgId: teacher.orgId,
      title,
      category: 'hazardous_chemicals',
      description: '化学实验室 2 号通风橱风机不转，实验时有刺激性气味。',
    });
    await officer.post(`/hazards/${created.id}/confirm`, { grade: 'general', riskLevel: 'yellow' });
    await officer.post(`/hazards/${created.id}/assign`, {
      responsibleUnit: '教务处',
      responsibleUserId: teacherId,
      measures: '更换风机，检修线路',
      funds: 1200,
      deadline: new Date(Date.now() + 3 * 24 * 3600_000).toISOString(),
      interimMeasures: '暂停使用 2 号通风橱，张贴警示',
    });

    await page.goto('/m');
    await page.locator('[data-testid="action-tasks"]').click();
    const card = page.locator('[data-testid="task-list"] [data-testid="hazard-card"]').filter({ hasText: title });
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('整改中');
    await shoot('tasks');
    await card.click();
    const detail = page.locator('[data-testid="hazard-detail"]');
    await detail.waitFor();
    await expect(detail.textContent()).resolves.toContain('暂停使用 2 号通风橱');
    const form = page.locator('[data-testid="rectify-form"]');
    await form.locator('textarea').fill('已更换风机并检修线路，试运行正常。');
    await form
      .locator('[data-testid="rectify-photos"] input[type=file]')
      .setInputFiles({ name: 'after.png', mimeType: 'image/png', buffer: png(800, 600) });
    await form.locator('[data-testid="rectify-photos"] img').first().waitFor();
    await shoot('rectify');
    await form.locator('[data-testid="rectify-submit"]').click();
    await page.locator('[data-testid="rectified-note"]').waitFor();
    await expect(page.locator('[data-testid="rectify-form"]').count()).resolves.toBe(0);
    await shoot('rectified');
    const after = await officer.get<{ state: string; rectificationNote: string; photos: { after: unknown[] } }>(
      `/hazards/${created.id}`,
    );
    expect(after).toMatchObject({ state: 'rectified', rectificationNote: '已更换风机并检修线路，试运行正常。' });
    expect(after.photos.after).toHaveLength(1);
    // Still listed while it waits for verification, now as 待验收, and no longer counted as to fix.
    await page.goto('/m/hazards/mine?tab=tasks');
    const waiting = page.locator('[data-testid="task-list"] [data-testid="hazard-card"]').filter({ hasText: title });
    await expect(waiting.locator('.mh-state').textContent()).resolves.toBe('待验收');
  });

  it('lays the pages out at 390 px too', async () => {
    if (!SHOTS) return;
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [name, url] of [
      ['home', '/m'],
      ['report', '/m/hazards/new'],
      ['reported', '/m/hazards/mine?tab=reported'],
    ] as const) {
      await page.goto(url);
      await page.locator('.m-main').waitFor();
      await page.waitForLoadState('networkidle');
      await page.screenshot({ path: path.join(SHOTS, `${name}-390.png`), fullPage: false });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    }
  });

  it('raised no page errors and no Content-Security-Policy refusals', () => {
    expect(pageProblems).toEqual([]);
  });
});
