import type { NoticeDetail, NoticeReceipt, UrgentReportDetail } from '@safe-campus/domain';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltUser, buildOrg, buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';
import { multipartBody } from '../files/test-support.js';
import { sendNoticeReminders } from './reminders.js';

let t: TestApp;
let tree: Tree;
let county: Client;
let city: Client;
let leader: Client;
let teacher: Client;
let teacherUser: BuiltUser;
let security: Client;
let securityUser: BuiltUser;
let otherSecurity: Client;
let otherSecurityUser: BuiltUser;
let department: Client;
let far: Client;
let cityOfficerUser: BuiltUser;
let countyOfficerUser: BuiltUser;

const MINUTE = 60_000;
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

async function as(user: BuiltUser): Promise<Client> {
  return login(t.app, user.username, user.password);
}

async function publish(client: Client, body: Record<string, unknown>): Promise<NoticeDetail> {
  const response = await client.post('/api/v1/notices', { title: '通知', body: '正文', ...body });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function upload(client: Client): Promise<string> {
  const { payload, headers } = multipartBody(PDF, '附件.pdf', { contentType: 'application/pdf' });
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/files',
    payload,
    headers: { ...headers, cookie: client.cookie, 'x-csrf-token': client.csrfToken },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().id as string;
}

async function auditCount(action: string, targetId?: number) {
  let query = t.database.db
    .selectFrom('audit_log')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('action', '=', action);
  if (targetId !== undefined) query = query.where('target_id', '=', String(targetId));
  return Number((await query.executeTakeFirstOrThrow()).n);
}

async function receipts(client: Client, id: number, query = ''): Promise<NoticeReceipt[]> {
  const response = await client.get(`/api/v1/notices/${id}/receipts${query}`);
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items;
}

beforeAll(async () => {
  t = await createTestApp({ adminTotpRequired: false });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  countyOfficerUser = await buildUser(db, { role: 'bureau_officer', org: tree.county });
  county = await as(countyOfficerUser);
  cityOfficerUser = await buildUser(db, { role: 'bureau_officer', org: tree.city });
  city = await as(cityOfficerUser);
  leader = await as(await buildUser(db, { role: 'school_leader', org: tree.school }));
  teacherUser = await buildUser(db, { role: 'teacher', org: tree.school });
  teacher = await as(teacherUser);
  securityUser = await buildUser(db, { role: 'school_security', org: tree.school });
  security = await as(securityUser);
  otherSecurityUser = await buildUser(db, { role: 'school_security', org: tree.otherSchool });
  otherSecurity = await as(otherSecurityUser);
  department = await as(await buildUser(db, { role: 'department_officer', org: tree.department }));
  far = await as(await buildUser(db, { role: 'school_security', org: tree.farSchool }));
}, 60_000);

afterAll(async () => {
  await t?.close();
});

describe('notices', () => {
  it('publishes to the subtree by level and school type, set-based', async () => {
    const all = await publish(county, { title: '关于开展暑期安全检查的通知' });
    expect(all.recipientCount).toBe(2); // the county's two schools
    expect(all.canManage).toBe(true);
    const cityWide = await publish(city, { target: { levels: ['county'] } });
    expect(cityWide.recipientCount).toBe(1);
    const primaries = await publish(city, { target: { schoolTypes: ['primary'] } });
    expect(primaries.recipientCount).toBe(2); // the county + 第二小学
    const toDepartments = await publish(security, { title: '部门通知' });
    expect(toDepartments.recipientCount).toBe(1);
    expect(
      (await county.post('/api/v1/notices', { title: 'x', body: 'y', target: { levels: ['city'] } })).json().code,
    ).toBe('notice_target_invalid');
    // A unit with nothing below it that matches: no empty notice is left behind.
    const lonely = await buildOrg(t.database.db, { parent: tree.otherCity, level: 'county' });
    const lonelyOfficer = await as(await buildUser(t.database.db, { role: 'bureau_officer', org: lonely }));
    const before = await tableCounts(t.database);
    const empty = await lonelyOfficer.post('/api/v1/notices', { title: '空', body: '无接收单位' });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('notice_no_recipients');
    expect(await tableCounts(t.database)).toEqual(before);
    // Teachers read notices but do not publish them.
    expect((await teacher.post('/api/v1/notices', { title: 'x', body: 'y' })).statusCode).toBe(403);
  });

  it('records the receipt when the first person of a unit opens it, and shows it to the publisher', async () => {
    const notice = await publish(county, { title: '防溺水安全提醒', receiptRequired: true });
    expect((await leader.get('/api/v1/notices/inbox/unread-count')).json().count).toBeGreaterThan(0);
    const inbox = (await leader.get('/api/v1/notices/inbox?unread=true')).json();
    expect(inbox.items.map((item: { id: number }) => item.id)).toContain(notice.id);

    const opened = (await teacher.get(`/api/v1/notices/${notice.id}`)).json() as NoticeDetail;
    expect(opened.body).toBe('正文');
    expect(opened.canManage).toBe(false);
    expect(opened.myReceipt?.status).toBe('read');
    expect(opened.myReceipt?.readByName).toBe('测试teacher');
    // A second person of the same unit does not change who read it first.
    const again = (await leader.get(`/api/v1/notices/${notice.id}`)).json() as NoticeDetail;
    expect(again.myReceipt?.readByName).toBe('测试teacher');
    const unreadAfter = (await leader.get('/api/v1/notices/inbox?unread=true')).json();
    expect(unreadAfter.items.map((item: { id: number }) => item.id)).not.toContain(notice.id);

    const list = await receipts(county, notice.id);
    expect(list.map((r) => [r.orgName, r.status])).toEqual(
      expect.arrayContaining([
        ['第一中学', 'read'],
        ['第二小学', 'unread'],
      ]),
    );
    expect((await receipts(county, notice.id, '?status=unread')).map((r) => r.orgName)).toEqual(['第二小学']);
    const summary = (await county.get(`/api/v1/notices/${notice.id}`)).json() as NoticeDetail;
    expect([summary.readCount, summary.recipientCount]).toEqual([1, 2]);
    // The city above sees the county's notice and its receipts too.
    expect((await receipts(city, notice.id)).length).toBe(2);
    // Cursor pagination walks the list without repeats.
    const first = (await county.get(`/api/v1/notices/${notice.id}/receipts?limit=1`)).json();
    const second = (
      await county.get(`/api/v1/notices/${notice.id}/receipts?limit=1&cursor=${first.nextCursor}`)
    ).json();
    expect(first.items[0].id).not.toBe(second.items[0].id);
    expect(second.nextCursor).toBeNull();
  });

  it("lets a department's staff read its school's notices for the school", async () => {
    const notice = await publish(county, { title: '部门可见' });
    const opened = (await department.get(`/api/v1/notices/${notice.id}`)).json() as NoticeDetail;
    expect(opened.myReceipt?.orgName).toBe('第一中学');
    expect(opened.myReceipt?.status).toBe('read');
  });

  it('keeps notices to their recipients: other schools, other counties and the wrong side get 404', async () => {
    const notice = await publish(security, { title: '校内部门通知' });
    expect((await otherSecurity.get(`/api/v1/notices/${notice.id}`)).statusCode).toBe(404);
    expect((await far.get(`/api/v1/notices/${notice.id}`)).statusCode).toBe(404);
    const countyNotice = await publish(county, { title: '县通知' });
    expect((await far.get(`/api/v1/notices/${countyNotice.id}`)).statusCode).toBe(404);
    // Recipients read it but cannot see other units' receipts, remind or withdraw.
    expect((await security.get(`/api/v1/notices/${countyNotice.id}/receipts`)).statusCode).toBe(404);
    expect((await security.post(`/api/v1/notices/${countyNotice.id}/remind`)).statusCode).toBe(404);
    expect((await security.post(`/api/v1/notices/${countyNotice.id}/withdraw`, { reason: '误发' })).statusCode).toBe(
      404,
    );
    expect((await teacher.post(`/api/v1/notices/${countyNotice.id}/withdraw`, { reason: '误发' })).statusCode).toBe(
      403,
    );
    expect((await county.get('/api/v1/notices/999999')).statusCode).toBe(404);
    // Lists: the publisher's list never holds notices from elsewhere.
    const farList = (await far.get('/api/v1/notices/inbox')).json();
    expect(farList.items.map((item: { id: number }) => item.id)).not.toContain(countyNotice.id);
  });

  it('refuses huge and malformed input with 400 and writes nothing', async () => {
    const before = await tableCounts(t.database);
    for (const body of [
      { title: 'x'.repeat(201), body: '正文' },
      { title: '标题', body: 'x'.repeat(20_001) },
      { title: '标题', body: '正文\u0000' },
      { title: '标题', body: '正文', fileIds: Array.from({ length: 21 }, () => crypto.randomUUID()) },
      { title: '标题', body: '正文', replyDeadline: 'tomorrow' },
      { title: '标题', body: '正文', receiptRequired: true, replyDeadline: '2001-01-01T00:00:00Z' },
      { title: '标题', body: '正文', target: { levels: ['galaxy'] } },
    ]) {
      const response = await county.post('/api/v1/notices', body);
      expect(response.statusCode, JSON.stringify(body).slice(0, 80)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
    }
    expect((await county.get('/api/v1/notices?q=' + 'x'.repeat(101))).statusCode).toBe(400);
    expect((await county.get('/api/v1/notices?cursor=garbage')).statusCode).toBe(400);
    expect(await tableCounts(t.database)).toEqual(before);
  });

  it("attaches the publisher's own files, refuses another user's", async () => {
    const mine = await upload(county);
    const notice = await publish(county, { title: '附件通知', fileIds: [mine] });
    expect(notice.files.map((file) => file.filename)).toEqual(['附件.pdf']);
    // A recipient reads the attachment, another county does not.
    expect((await teacher.get(`/api/v1/files/${mine}`)).statusCode).toBe(200);
    expect((await far.get(`/api/v1/files/${mine}`)).statusCode).toBe(404);

    const theirs = await upload(security);
    const before = await tableCounts(t.database);
    const refused = await county.post('/api/v1/notices', { title: '借用附件', body: '正文', fileIds: [theirs] });
    expect(refused.statusCode).toBe(400);
    expect(await tableCounts(t.database)).toEqual(before);
    // An already attached file cannot be attached twice.
    expect(
      (await county.post('/api/v1/notices', { title: '重复附件', body: '正文', fileIds: [mine] })).statusCode,
    ).toBe(400);
  });

  it('takes one reply per unit, with files, marked late after the deadline', async () => {
    const deadline = new Date(Date.now() + 60 * MINUTE).toISOString();
    const notice = await publish(county, { title: '需回执通知', receiptRequired: true, replyDeadline: deadline });
    const file = await upload(security);
    const replied = await security.post(`/api/v1/notices/${notice.id}/reply`, {
      text: '已收到，将按要求落实。',
      fileIds: [file],
    });
    expect(replied.statusCode, replied.body).toBe(200);
    const detail = replied.json() as NoticeDetail;
    expect(detail.myReceipt?.status).toBe('replied');
    expect(detail.myReceipt?.replyFiles).toHaveLength(1);
    expect(await auditCount('notice.reply', notice.id)).toBe(1);
    expect((await security.post(`/api/v1/notices/${notice.id}/reply`, { text: '再次' })).json().code).toBe(
      'notice_already_replied',
    );
    // The publisher reads the reply and its file; another school does not.
    const list = await receipts(county, notice.id, '?status=replied');
    expect(list.map((r) => [r.orgName, r.replyText, r.late])).toEqual([['第一中学', '已收到，将按要求落实。', false]]);
    expect((await county.get(`/api/v1/files/${file}`)).statusCode).toBe(200);
    expect((await otherSecurity.get(`/api/v1/files/${file}`)).statusCode).toBe(404);
    // Past the deadline a reply is still taken, and marked late.
    await t.database.db
      .updateTable('notice')
      .set({ reply_deadline: new Date(Date.now() - MINUTE) })
      .where('id', '=', notice.id)
      .execute();
    expect((await otherSecurity.post(`/api/v1/notices/${notice.id}/reply`, { text: '收到' })).statusCode).toBe(200);
    expect((await receipts(county, notice.id, '?q=第二')).map((r) => r.late)).toEqual([true]);
    // A notice without 需回执 takes no reply; an empty reply is refused.
    const plain = await publish(county, { title: '无需回执' });
    expect((await security.post(`/api/v1/notices/${plain.id}/reply`, { text: '收到' })).json().code).toBe(
      'notice_reply_not_required',
    );
    const other = await publish(county, { title: '需回执2', receiptRequired: true });
    expect((await security.post(`/api/v1/notices/${other.id}/reply`, { text: '  ' })).json().code).toBe(
      'notice_reply_empty',
    );
    // The county itself is not a recipient of its own notice.
    expect((await county.post(`/api/v1/notices/${other.id}/reply`, { text: '收到' })).statusCode).toBe(404);
  });

  it('reminds unread units only, not twice within an hour', async () => {
    const notice = await publish(county, { title: '催办测试' });
    await leader.get(`/api/v1/notices/${notice.id}`); // 第一中学 has read it
    const before = await t.database.db
      .selectFrom('notification')
      .select(['user_id'])
      .where('kind', '=', 'notice.reminder')
      .execute();
    const reminded = await county.post(`/api/v1/notices/${notice.id}/remind`);
    expect(reminded.statusCode, reminded.body).toBe(200);
    expect(reminded.json()).toMatchObject({ units: 1, users: 1 });
    const after = await t.database.db
      .selectFrom('notification')
      .select(['user_id', 'link'])
      .where('kind', '=', 'notice.reminder')
      .execute();
    const fresh = after.slice(before.length);
    expect(fresh.map((row) => row.user_id)).toEqual([otherSecurityUser.id]);
    expect(fresh[0]?.link).toBe(`/notices/${notice.id}`);
    expect(await auditCount('notice.remind', notice.id)).toBe(1);

    const again = await county.post(`/api/v1/notices/${notice.id}/remind`);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('notice_remind_too_soon');
    // An hour later it may remind again.
    await t.database.db
      .updateTable('notice')
      .set({ last_reminded_at: new Date(Date.now() - 61 * MINUTE) })
      .where('id', '=', notice.id)
      .execute();
    expect((await county.post(`/api/v1/notices/${notice.id}/remind`)).statusCode).toBe(200);
    expect((await receipts(county, notice.id, '?status=unread'))[0]?.remindedCount).toBe(2);
  });

  it('a reminder to more users than one chunk: the first chunk at once, the others by jobs, each user once', async () => {
    const db = t.database.db;
    const notice = await publish(county, { title: '分批催办' });
    const users: number[] = [];
    for (let index = 0; index < 5; index++)
      users.push((await buildUser(db, { role: 'school_security', org: tree.otherSchool })).id);
    const remindedUsers = async () =>
      (
        await db
          .selectFrom('notification')
          .select('user_id')
          .where('kind', '=', 'notice.reminder')
          .where('link', '=', `/notices/${notice.id}`)
          .execute()
      )
        .map((row) => row.user_id)
        .sort((a, b) => a - b);
    const jobs = () =>
      db
        .selectFrom('job')
        .select('status')
        .where('dedupe_key', 'like', `notices.remind:${notice.id}:%`)
        .orderBy('dedupe_key')
        .execute();
    await db
      .transaction()
      .execute((trx) =>
        sendNoticeReminders(trx, { id: notice.id, title: '分批催办', receiptRequired: false }, users, new Date(), 2),
      );
    expect(await remindedUsers()).toEqual(users.slice(0, 2));
    expect((await jobs()).map((job) => job.status)).toEqual(['queued', 'queued']);
    // Slots of their own, a minute or two ahead: the sweeper runs the due jobs first.
    const sweeper = t.app.platform.sweeper;
    await sweeper.tick(new Date(Date.now() + MINUTE));
    expect((await jobs()).map((job) => job.status)).toEqual(['done', 'done']);
    expect(await remindedUsers()).toEqual(users);
    // A job run again (its first run committed, but the runner could not record it done) sends nothing twice.
    await db
      .updateTable('job')
      .set({ status: 'queued' })
      .where('dedupe_key', 'like', `notices.remind:${notice.id}:%`)
      .execute();
    await sweeper.tick(new Date(Date.now() + 2 * MINUTE));
    expect((await jobs()).map((job) => job.status)).toEqual(['done', 'done']);
    expect(await remindedUsers()).toEqual(users);
  });

  it('withdraws with an audit row; recipients then see the title and reason only', async () => {
    const file = await upload(county);
    const notice = await publish(county, { title: '将撤回', body: '原文', fileIds: [file], receiptRequired: true });
    const withdrawn = await county.post(`/api/v1/notices/${notice.id}/withdraw`, { reason: '内容有误，另行通知' });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    expect(await auditCount('notice.withdraw', notice.id)).toBe(1);
    const seen = (await security.get(`/api/v1/notices/${notice.id}`)).json() as NoticeDetail;
    expect(seen).toMatchObject({ state: 'withdrawn', body: null, files: [], withdrawReason: '内容有误，另行通知' });
    expect(seen.myReceipt?.status).toBe('unread'); // opening a withdrawn notice is not a receipt
    expect((await security.get(`/api/v1/files/${file}`)).statusCode).toBe(404);
    expect((await county.get(`/api/v1/notices/${notice.id}`)).json().body).toBe('原文');
    expect((await county.post(`/api/v1/notices/${notice.id}/withdraw`, { reason: '再撤' })).statusCode).toBe(409);
    expect((await county.post(`/api/v1/notices/${notice.id}/remind`)).statusCode).toBe(409);
    expect((await security.post(`/api/v1/notices/${notice.id}/reply`, { text: '收到' })).statusCode).toBe(409);
    const unread = (await security.get('/api/v1/notices/inbox?unread=true')).json();
    expect(unread.items.map((item: { id: number }) => item.id)).not.toContain(notice.id);
  });

  it('exports the receipt list to Excel, audited', async () => {
    const notice = await publish(county, { title: '导出测试', receiptRequired: true });
    await teacher.get(`/api/v1/notices/${notice.id}`);
    const response = await county.get(`/api/v1/notices/${notice.id}/receipts/export.xlsx`);
    expect(response.statusCode).toBe(200);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0]!;
    expect(String(sheet.getCell('A1').value)).toContain('导出测试');
    const rows = sheet.getSheetValues().map((row) => (Array.isArray(row) ? row.slice(1).map(String) : []));
    expect(rows.some((row) => row.includes('第一中学') && row.includes('已读'))).toBe(true);
    expect(rows.some((row) => row.includes('第二小学') && row.includes('未读'))).toBe(true);
    expect(await auditCount('notice.export', notice.id)).toBe(1);
    expect((await security.get(`/api/v1/notices/${notice.id}/receipts/export.xlsx`)).statusCode).toBe(404);
  });
});

describe('urgent information reports', () => {
  const report = (extra: Record<string, unknown> = {}) => ({
    orgId: tree.school.id,
    category: 'safety_accident',
    severity: 'major',
    occurredAt: new Date(Date.now() - 20 * MINUTE).toISOString(),
    place: '教学楼东侧楼梯',
    description: '课间学生下楼拥挤，发生踩踏，两名学生受伤送医。',
    measures: '已疏散学生，通知家长，校医到场处置。',
    injuries: 2,
    ...extra,
  });

  async function create(extra: Record<string, unknown> = {}): Promise<UrgentReportDetail> {
    const response = await security.post('/api/v1/urgent-reports', report(extra));
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  it('sets deadlines by severity, lists for the county, takes follow-ups and the acknowledgement', async () => {
    const created = await create();
    const reportedAt = new Date(created.reportedAt).getTime();
    expect(new Date(created.acknowledgeBy!).getTime() - reportedAt).toBe(30 * MINUTE);
    expect(new Date(created.writtenBy).getTime() - new Date(created.occurredAt).getTime()).toBe(120 * MINUTE);
    expect(created).toMatchObject({ state: 'pending', handlingLevel: 'county', late: false, injuries: 2 });
    expect(created.code).toMatch(/^XB\d{8}-\d{5}$/);
    const late = await create({
      severity: 'extraordinary',
      occurredAt: new Date(Date.now() - 3 * 3600_000).toISOString(),
    });
    expect(late.late).toBe(true);
    // The county bureau is told, and clients of the subtree hear of it.
    const told = await t.database.db
      .selectFrom('notification')
      .select('user_id')
      .where('kind', '=', 'urgent_report')
      .execute();
    expect(told.map((row) => row.user_id)).toContain(countyOfficerUser.id);
    const events = await t.database.db
      .selectFrom('realtime_event')
      .select(['type', 'org_path'])
      .where('type', '=', 'urgent_report.raised')
      .execute();
    expect(events.some((event) => event.org_path === tree.school.path)).toBe(true);

    const list = (await county.get('/api/v1/urgent-reports?severity=major&state=pending')).json();
    expect(list.items.map((item: { id: number }) => item.id)).toContain(created.id);
    expect((await far.get(`/api/v1/urgent-reports/${created.id}`)).statusCode).toBe(404);
    expect((await otherSecurity.get(`/api/v1/urgent-reports/${created.id}`)).statusCode).toBe(404);

    const followed = await security.post(`/api/v1/urgent-reports/${created.id}/followups`, {
      text: '一名学生已出院，另一名留院观察。',
      injuries: 2,
    });
    expect(followed.statusCode, followed.body).toBe(200);
    expect((followed.json() as UrgentReportDetail).followups).toHaveLength(1);
    // Schools cannot acknowledge; the county can, once.
    expect((await security.post(`/api/v1/urgent-reports/${created.id}/acknowledge`, {})).statusCode).toBe(403);
    const acked = await county.post(`/api/v1/urgent-reports/${created.id}/acknowledge`, {
      note: '已收悉，请做好善后。',
    });
    expect(acked.statusCode, acked.body).toBe(200);
    expect(acked.json()).toMatchObject({ state: 'acknowledged', acknowledgedOrgName: '一区', acknowledgeBy: null });
    expect((await county.post(`/api/v1/urgent-reports/${created.id}/acknowledge`, {})).statusCode).toBe(409);
    expect(await auditCount('urgent_report.acknowledge', created.id)).toBe(1);

    const xlsx = await county.get('/api/v1/urgent-reports/export.xlsx');
    expect(xlsx.statusCode).toBe(200);
    expect(await auditCount('urgent_report.export')).toBe(1);
  });

  it('refuses names, bad counts, future events and non-school units', async () => {
    const before = await tableCounts(t.database);
    for (const extra of [
      { victims: ['张三'] },
      { deaths: -1 },
      { injuries: 1.5 },
      { description: 'x'.repeat(5001) },
      { severity: 'apocalyptic' },
    ]) {
      expect((await security.post('/api/v1/urgent-reports', report(extra))).statusCode).toBe(400);
    }
    const future = await security.post(
      '/api/v1/urgent-reports',
      report({ occurredAt: new Date(Date.now() + 3600_000).toISOString() }),
    );
    expect(future.json().code).toBe('urgent_report_occurred_future');
    const dept = await security.post('/api/v1/urgent-reports', report({ orgId: tree.department.id }));
    expect(dept.json().code).toBe('urgent_report_school_only');
    expect((await security.post('/api/v1/urgent-reports', report({ orgId: tree.otherSchool.id }))).statusCode).toBe(
      404,
    );
    expect(await tableCounts(t.database)).toEqual(before);
  });

  it('escalates unacknowledged reports one bureau up per missed deadline, idempotently', async () => {
    const created = await create();
    const due = new Date(created.acknowledgeBy!).getTime();
    const sweeper = t.app.platform.sweeper;
    const level = async () =>
      t.database.db
        .selectFrom('urgent_report')
        .select(['handling_level', 'escalation_level', 'acknowledge_by'])
        .where('id', '=', created.id)
        .executeTakeFirstOrThrow();

    await sweeper.tick(new Date(due - MINUTE));
    expect((await level()).handling_level).toBe('county');
    await sweeper.tick(new Date(due + MINUTE));
    const first = await level();
    expect(first).toMatchObject({ handling_level: 'city', escalation_level: 1 });
    expect(first.acknowledge_by!.getTime()).toBe(due + MINUTE + 30 * MINUTE);
    // Another sweep before the next deadline changes nothing.
    await sweeper.tick(new Date(due + 3 * MINUTE));
    expect(await level()).toEqual(first);
    const told = await t.database.db
      .selectFrom('notification')
      .select('user_id')
      .where('kind', '=', 'urgent_report')
      .where('title', 'like', '%逾期未签收%')
      .execute();
    expect(told.map((row) => row.user_id)).toContain(cityOfficerUser.id);
    const escalated = await t.database.db
      .selectFrom('realtime_event')
      .select('payload')
      .where('type', '=', 'urgent_report.escalated')
      .execute();
    expect(escalated.some((event) => (event.payload as { id: number }).id === created.id)).toBe(true);

    await sweeper.tick(new Date(first.acknowledge_by!.getTime() + MINUTE));
    expect(await level()).toMatchObject({ handling_level: 'province', escalation_level: 2, acknowledge_by: null });
    await sweeper.tick(new Date(first.acknowledge_by!.getTime() + 24 * 60 * MINUTE));
    expect((await level()).escalation_level).toBe(2);
    // The city bureau now sees it as its own to acknowledge.
    const detail = (await city.get(`/api/v1/urgent-reports/${created.id}`)).json() as UrgentReportDetail;
    expect(detail).toMatchObject({ handlingLevel: 'province', escalationLevel: 2, canAcknowledge: true });
  });
});
