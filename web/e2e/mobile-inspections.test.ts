/**
 * The phone's inspection pages at 360 × 740 in real Chromium against the real server with the demo province:
 * a guard downloads today's tasks, goes offline, does a checklist with a failed item and a photo and a patrol
 * route (QR codes typed and read through a stand-in BarcodeDetector; a forged code and another route's code are
 * refused on the spot), sees both queued, comes back online → each record accepted once (a replayed sync is a
 * duplicate), the failed item became a hazard; with the server gone, a reload opens the shell from the service
 * worker with the tasks. The outbox logic and the offline QR check run first, in Node.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { SyncRecord, SyncResponse } from '@safe-campus/domain';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { judgeScan, taskLook } from '../src/mobile/inspections/rules';
import {
  drainRecords,
  memoryRecordStore,
  type QueuedRecord,
  type SyncTransport,
} from '../src/mobile/inspections/syncQueue';
import { browserUnavailable, launchBrowser, newPage, pageProblems } from './browser';
import { type DemoAccount, ROOT, startServer, type TestServer } from './server';

const skip = browserUnavailable() !== null;
const SHOTS = process.env.MOBILE_SHOTS;

// ---------------------------------------------------------------------------------------------------------------
// In Node: the outbox and the offline QR check.

function record(clientId: string, completedAt: string, photos = 0, userId = 1): QueuedRecord {
  return {
    clientId,
    userId,
    taskId: 5,
    templateVersionId: 9,
    placeId: 3,
    startedAt: '2026-03-01T08:00:00.000Z',
    completedAt,
    note: '',
    answers: [
      {
        itemKey: 'exits',
        checkpointId: null,
        value: false,
        note: ' 堵了 ',
        photos: Array.from({ length: photos }, (_, n) => ({ blob: new Blob([`p${n}`]), fileId: null })),
      },
    ],
    scans: [],
    title: '每日防火巡查',
    subtitle: null,
    failedItems: 1,
    status: 'pending',
    attempts: 0,
    error: null,
    lastTriedAt: null,
  };
}

const failure = (status: number, message = `status ${status}`) => Object.assign(new Error(message), { status });

function fakeTransport(answer: (records: SyncRecord[]) => SyncResponse['results']) {
  const calls: string[] = [];
  const plan: { upload: (Error | null)[]; sync: (Error | null)[] } = { upload: [], sync: [] };
  let files = 0;
  const transport: SyncTransport = {
    upload: async () => {
      calls.push('upload');
      const error = plan.upload.shift();
      if (error) throw error;
      files += 1;
      return `00000000-0000-4000-8000-00000000000${files}`;
    },
    sync: async (records) => {
      calls.push(`sync ${records.map((item) => item.clientId).join(',')}`);
      const error = plan.sync.shift();
      if (error) throw error;
      return { results: answer(records), receivedAt: new Date().toISOString() };
    },
  };
  return { transport, calls, plan };
}

const outcome = (index: number, clientId: string, kind: 'accepted' | 'duplicate' | 'rejected') => ({
  index,
  clientId,
  outcome: kind,
  recordId: kind === 'rejected' ? null : 100 + index,
  code: kind === 'rejected' ? 'inspection.qr_invalid' : null,
  message: kind === 'rejected' ? '二维码无效' : null,
  errors: [],
  inWindow: true,
  taskDone: kind === 'accepted',
  hazardIds: [],
});

describe('inspection outbox', () => {
  it('uploads photos first, remembers each id, then syncs; a lost answer is sent again and comes back duplicate', async () => {
    const store = memoryRecordStore();
    const seen = new Set<string>();
    const { transport, calls, plan } = fakeTransport((records) =>
      records.map((item, index) => {
        const kind = seen.has(item.clientId) ? 'duplicate' : 'accepted';
        seen.add(item.clientId);
        return outcome(index, item.clientId, kind);
      }),
    );
    await store.put(record('a', '2026-03-01T09:00:00.000Z', 2));
    plan.upload = [null, failure(0)];
    expect(await drainRecords(store, transport, 1)).toMatchObject({ accepted: 0, pending: 1 });
    const [kept] = await store.list();
    expect(kept!.answers[0]!.photos.map((photo) => photo.fileId !== null)).toEqual([true, false]);
    // The server stores it, the answer is lost; the next run sends the same body and hears "duplicate".
    plan.sync = [];
    const lost = fakeTransport(() => {
      throw failure(0);
    });
    await drainRecords(
      store,
      {
        upload: transport.upload,
        sync: async (records) => {
          await transport.sync(records);
          return lost.transport.sync(records);
        },
      },
      1,
    );
    expect(await store.list()).toHaveLength(1);
    const result = await drainRecords(store, transport, 1);
    expect(result).toMatchObject({ accepted: 0, duplicate: 1, pending: 0 });
    expect(calls).toEqual(['upload', 'upload', 'upload', 'sync a', 'sync a']);
    expect(await store.list()).toEqual([]);
  });

  it('keeps a refused record visible with the reason, sends the others, and never sends another user’s', async () => {
    const store = memoryRecordStore();
    const { transport, calls } = fakeTransport((records) =>
      records.map((item, index) => outcome(index, item.clientId, item.clientId === 'bad' ? 'rejected' : 'accepted')),
    );
    await store.put(record('good', '2026-03-01T10:00:00.000Z'));
    await store.put(record('bad', '2026-03-01T09:00:00.000Z'));
    await store.put(record('theirs', '2026-03-01T08:00:00.000Z', 0, 2));
    expect(await drainRecords(store, transport, 1)).toMatchObject({ accepted: 1, failed: 1, pending: 0 });
    expect(calls).toEqual(['sync bad,good']);
    const left = await store.list();
    expect(left.map((item) => [item.clientId, item.status])).toEqual([
      ['bad', 'failed'],
      ['theirs', 'pending'],
    ]);
    expect(left[0]!.error).toContain('二维码无效');
    // The body: trimmed note, uploaded ids only, no photo blobs.
    expect(calls).toHaveLength(1);
  });

  it('tells a route’s own label from another route’s, a forged one, a repeat and a non-checkpoint code', () => {
    const points = [
      { id: 11, qr: 'SCQ1.11.0123456789abcdef' },
      { id: 12, qr: 'SCQ1.12.fedcba9876543210' },
    ];
    expect(judgeScan(' SCQ1.11.0123456789abcdef ', points, new Set())).toEqual({ ok: true, checkpointId: 11 });
    expect(judgeScan('SCQ1.99.0123456789abcdef', points, new Set())).toEqual({ ok: false, reason: 'other_route' });
    expect(judgeScan('SCQ1.12.0000000000000000', points, new Set())).toEqual({ ok: false, reason: 'forged' });
    expect(judgeScan('SCQ1.11.0123456789abcdef', points, new Set([11]))).toEqual({ ok: false, reason: 'already' });
    expect(judgeScan('https://example.com', points, new Set())).toEqual({ ok: false, reason: 'not_checkpoint' });
  });

  it('colours a task by its window and what the phone holds', () => {
    const task = {
      state: 'pending',
      windowStart: '2026-03-01T00:00:00.000Z',
      windowEnd: '2026-03-01T02:00:00.000Z',
    } as Parameters<typeof taskLook>[0];
    expect(taskLook(task, undefined, Date.parse('2026-03-01T01:00:00Z'))).toBe('open');
    expect(taskLook(task, undefined, Date.parse('2026-03-01T03:00:00Z'))).toBe('overdue');
    expect(taskLook(task, undefined, Date.parse('2026-02-28T23:00:00Z'))).toBe('upcoming');
    expect(taskLook(task, 'queued')).toBe('queued');
    expect(taskLook({ ...task, state: 'missed' }, undefined)).toBe('missed');
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

/** A signed-in API client (cookie + CSRF token). */
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
  };
}

interface RecordRow {
  id: number;
  clientId: string;
  failedCount: number;
  routeId: number | null;
  planName: string | null;
}

/** A stand-in camera and QR reader: the page's next read returns whatever `window.__qr` holds. */
const FAKE_CAMERA = `
  (() => {
    window.__qr = null;
    window.BarcodeDetector = class {
      static async getSupportedFormats() { return ['qr_code']; }
      async detect() { const value = window.__qr; window.__qr = null; return value ? [{ rawValue: value }] : []; }
    };
    if (navigator.mediaDevices) {
      navigator.mediaDevices.getUserMedia = async () => {
        const canvas = document.createElement('canvas');
        canvas.width = 320; canvas.height = 240;
        const context = canvas.getContext('2d');
        context.fillStyle = '#333'; context.fillRect(0, 0, 320, 240);
        return canvas.captureStream(5);
      };
    }
  })();
`;

describe.skipIf(skip)('phone inspection pages in Chromium (360 × 740)', () => {
  let server: TestServer;
  let browser: Browser;
  let guard: DemoAccount;
  let guardApi: Awaited<ReturnType<typeof apiSession>>;
  let officer: Awaited<ReturnType<typeof apiSession>>;
  let context: BrowserContext;
  let page: Page;
  let routeQrs: string[] = [];
  let otherRouteQr = '';
  const syncBodies: { records: SyncRecord[] }[] = [];
  const run = Date.now().toString(36);

  beforeAll(async () => {
    server = await startServer();
    browser = await launchBrowser();
    guard = server.account('guard');
    const security = server.accounts.find(
      (account) => account.role === 'school_security' && account.orgId === guard.orgId,
    );
    if (!security) throw new Error(`no security officer at ${guard.orgName}`);
    officer = await apiSession(server.url, security);
    guardApi = await apiSession(server.url, guard);

    // Today's work for the guard: a checklist at one place and a patrol route of three checkpoints.
    const places = await officer.get<{ items: { id: number; name: string }[] }>(
      `/places?orgId=${guard.orgId}&limit=10`,
    );
    const [first, second, third, fourth] = places.items;
    const template = await officer.post<{ currentVersionId: number; id: number }>('/inspections/templates', {
      orgId: guard.orgId,
      name: `消防器材点检 ${run}`,
      kind: 'custom',
      content: [
        {
          title: '消防器材',
          items: [
            {
              key: 'exits',
              text: '疏散通道畅通、无堆放杂物',
              type: 'pass_fail',
              photoRequired: true,
              hazardCategory: 'fire',
            },
            { key: 'pressure', text: '灭火器压力', type: 'number', min: 0.8, max: 1.2, unit: 'MPa' },
            { key: 'remarks', text: '其他情况', type: 'text', required: false },
          ],
        },
      ],
    });
    const templates = await officer.get<{ items: { id: number; kind: string; builtin: boolean }[] }>(
      `/inspections/templates?orgId=${guard.orgId}&kind=patrol`,
    );
    const patrol = templates.items.find((item) => item.kind === 'patrol')!;
    const route = await officer.post<{ id: number; checkpoints: { qr: string }[] }>('/inspections/routes', {
      orgId: guard.orgId,
      name: `夜间巡逻 ${run}`,
      placeIds: [second!.id, third!.id, fourth!.id],
    });
    routeQrs = route.checkpoints.map((point) => point.qr);
    const other = await officer.post<{ checkpoints: { qr: string }[] }>('/inspections/routes', {
      orgId: guard.orgId,
      name: `另一路线 ${run}`,
      placeIds: [first!.id],
    });
    otherRouteQr = other.checkpoints[0]!.qr;
    const schedule = { frequency: 'daily', windows: [{ start: '00:00', end: '23:59' }], startsOn: '2020-01-01' };
    await officer.post('/inspections/plans', {
      orgId: guard.orgId,
      name: `器材点检 ${run}`,
      templateId: template.id,
      placeIds: [first!.id],
      assigneeIds: [guardApi.userId],
      schedule,
    });
    await officer.post('/inspections/plans', {
      orgId: guard.orgId,
      name: `巡逻 ${run}`,
      templateId: patrol.id,
      routeId: route.id,
      assigneeIds: [guardApi.userId],
      schedule,
    });

    ({ context, page } = await newPage(browser, server.url, { width: 360, height: 740 }));
    await context.addInitScript(FAKE_CAMERA);
    page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/api/v1/inspections/sync') {
        syncBodies.push(JSON.parse(request.postData() ?? '{}'));
      }
    });
    await page.goto('/m');
    const form = page.locator('[data-testid="mobile-login"]');
    await form.locator('input[name=username]').fill(guard.username);
    await form.locator('input[name=password]').fill(guard.password);
    await form.locator('button[type=submit]').click();
    await page.locator('[data-testid="action-patrol"]').waitFor({ timeout: 30_000 });
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
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: path.join(SHOTS, `${name}-390.png`), fullPage: true });
    await page.setViewportSize({ width: 360, height: 740 });
  }

  /** The guard's records of this run's plans (demo data has older ones). */
  const records = () =>
    officer
      .get<{ items: RecordRow[] }>(`/inspections/records?inspectorId=${guardApi.userId}&limit=100`)
      .then((page) => page.items.filter((row) => row.planName?.includes(run)));

  it('downloads today’s tasks, works offline, queues both records and sends each exactly once', async () => {
    // The service worker takes the page over on the first visit.
    await page.waitForFunction(() => navigator.serviceWorker?.controller !== null, undefined, { timeout: 20_000 });
    await page.locator('[data-testid="action-patrol"]').click();
    // Demo plans may give the guard more tasks; ours carry this run's name.
    const cards = page.locator('[data-testid="task-card"]').filter({ hasText: run });
    await expect.poll(() => cards.count(), { timeout: 20_000 }).toBe(2);
    await shoot('tasks');
    await page.waitForTimeout(1000); // the worker caches the chunks this page loaded

    await context.setOffline(true);
    try {
      // The checklist: a blocked exit (failed, photo required), a pressure out of range, then submit.
      await cards.filter({ hasText: '消防器材点检' }).click();
      await page.locator('[data-testid="run-page"]').waitFor();
      const exits = page.locator('[data-testid="item-0-exits"]');
      await exits.getByRole('button', { name: /不合格/ }).click();
      await expect(exits.getAttribute('data-status')).resolves.toBe('incomplete');
      await page.locator('[data-testid="run-submit"]').click();
      await page.locator('[data-testid="run-blocking"]').waitFor();
      await exits
        .locator('input[type=file]')
        .setInputFiles({ name: 'exit.png', mimeType: 'image/png', buffer: png(2400, 1200) });
      await exits.locator('img').first().waitFor();
      await exits.getByRole('textbox').fill(`东侧楼梯堆放桌椅 ${run}`);
      await expect(exits.getAttribute('data-status')).resolves.toBe('failed');
      const pressure = page.locator('[data-testid="item-0-pressure"]');
      await pressure.locator('input').first().fill('1.5');
      await expect(pressure.getAttribute('data-status')).resolves.toBe('failed');
      await expect(pressure.textContent()).resolves.toContain('合格范围 0.8–1.2 MPa');
      await pressure.locator('input').first().fill('1.0');
      await expect(pressure.getAttribute('data-status')).resolves.toBe('passed');
      await shoot('checklist');
      await page.locator('[data-testid="run-submit"]').click();
      await expect.poll(() => page.locator('[data-testid="run-outcome"]').getAttribute('data-outcome')).toBe('queued');
      await page.getByRole('link', { name: '返回今日任务' }).click();

      // The route: refused codes first, then each label (typed, then read by the "camera").
      await cards.filter({ hasText: `夜间巡逻 ${run}` }).click();
      await page.locator('[data-testid="run-page"]').waitFor();
      await page.locator('[data-testid="scan-button"]').click();
      const scanner = page.locator('[data-testid="scanner"]');
      await scanner.waitFor();
      const forged = routeQrs[0]!.replace(/\.[0-9a-f]{16}$/, '.0000000000000000');
      await scanner.locator('[data-testid="manual-code"]').fill(forged);
      await scanner.locator('[data-testid="manual-submit"]').click();
      await expect(scanner.locator('[data-testid="scan-error"]').textContent()).resolves.toContain('伪造');
      await scanner.locator('[data-testid="manual-code"]').fill(otherRouteQr);
      await scanner.locator('[data-testid="manual-submit"]').click();
      await expect.poll(() => scanner.locator('[data-testid="scan-error"]').textContent()).toContain('不属于本路线');
      await shoot('scanner-refused');
      await scanner.locator('[data-testid="manual-code"]').fill(routeQrs[0]!);
      await scanner.locator('[data-testid="manual-submit"]').click();
      await scanner.waitFor({ state: 'detached' });
      for (const qr of routeQrs.slice(1)) {
        await page.locator('[data-testid="scan-button"]').click();
        await scanner.waitFor();
        await page.evaluate((value) => {
          (window as unknown as { __qr: string }).__qr = value;
        }, qr);
        await scanner.waitFor({ state: 'detached' });
      }
      await expect(page.locator('[data-testid="checkpoint"][data-scanned="yes"]').count()).resolves.toBe(3);
      for (const button of await page.getByRole('button', { name: /^✓ 合格$/ }).all()) await button.click();
      await shoot('route');
      await page.locator('[data-testid="run-submit"]').click();
      await expect.poll(() => page.locator('[data-testid="run-outcome"]').getAttribute('data-outcome')).toBe('queued');
      await page.getByRole('link', { name: '返回今日任务' }).click();
      const queued = page.locator('[data-testid="record-item"][data-status="pending"]');
      await expect.poll(() => queued.count()).toBe(2);
      await expect(page.locator('[data-testid="offline-banner"]').count()).resolves.toBe(1);
      await shoot('tasks-offline');
      expect(await records()).toHaveLength(0);
    } finally {
      await context.setOffline(false);
    }

    // Back online: both go out once, the list forgets them.
    await expect.poll(() => records().then((rows) => rows.length), { timeout: 30_000 }).toBe(2);
    await page.locator('[data-testid="record-outbox"]').waitFor({ state: 'detached', timeout: 15_000 });
    const rows = await records();
    expect(rows.map((row) => row.failedCount).sort()).toEqual([0, 1]);
    // The failed item became a hazard linked to the record.
    const checklist = rows.find((row) => row.routeId === null)!;
    const detail = await officer.get<{
      hazards: { id: number; title: string }[];
      answers: { itemKey: string; photos: unknown[] }[];
    }>(`/inspections/records/${checklist.id}`);
    expect(detail.hazards).toHaveLength(1);
    expect(detail.answers.find((answer) => answer.itemKey === 'exits')!.photos).toHaveLength(1);
    // A replayed batch (the answer lost on the way back) is a duplicate, never a second record.
    const sent = syncBodies.flatMap((body) => body.records);
    expect(sent).toHaveLength(2);
    const replay = await guardApi.post<SyncResponse>('/inspections/sync', { records: sent });
    expect(replay.results.map((result) => result.outcome)).toEqual(['duplicate', 'duplicate']);
    expect(await records()).toHaveLength(2);
    await expect
      .poll(() => page.locator('[data-testid="task-card"][data-look="done"]').filter({ hasText: run }).count())
      .toBe(2);
    await shoot('tasks-done');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
  });

  it('opens the phone shell from the service worker with the server gone, showing the tasks on the phone', async () => {
    // JavaScript the patrol page loaded (gzip), for the budget.
    const scripts = await page.evaluate(() =>
      performance
        .getEntriesByType('resource')
        .map((entry) => new URL(entry.name).pathname)
        .filter((name) => name.startsWith('/assets/') && name.endsWith('.js')),
    );
    let gzip = 0;
    for (const script of new Set(scripts)) {
      gzip += zlib.gzipSync(fs.readFileSync(path.join(ROOT, 'web/dist', script)), { level: 9 }).length;
    }
    console.log(`[inspections] patrol page JavaScript: ${scripts.length} files, ${(gzip / 1024).toFixed(1)} KB gzip`);
    expect(gzip).toBeLessThan(300 * 1024);

    await server.stop();
    await page.reload();
    await page.locator('[data-testid="offline-shell"]').waitFor({ timeout: 20_000 });
    await expect.poll(() => page.locator('[data-testid="task-card"]').filter({ hasText: run }).count()).toBe(2);
    // Sent before the reload: still shown done from the copy on the phone.
    await expect
      .poll(() => page.locator('[data-testid="task-card"][data-look="done"]').filter({ hasText: run }).count())
      .toBe(2);
    await shoot('offline-start');
    expect(pageProblems).toEqual([]);
  });
});
