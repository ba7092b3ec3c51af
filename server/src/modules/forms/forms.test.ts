import {
  type CollectionDetail,
  exampleSeed003Answers,
  type FormAnswers,
  type FormSummary,
  type FormTemplateDetail,
  type SubmissionDetail,
  type SubmissionTable,
} from '@safe-campus/domain';
import ExcelJS from 'exceljs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type BuiltOrg, type BuiltUser, buildOrg, buildTree, buildUser, type Tree } from '../../../test/factories.js';
import { type Client, createTestApp, login, type TestApp, tableCounts } from '../../../test/harness.js';
import { sweepFormReminders } from './reminders.js';

let t: TestApp;
let tree: Tree;
let cityOfficer: Client;
let countyOfficer: Client;
let principal: Client;
let security: Client;
let otherSecurity: Client;
let police: Client;
let seed: FormTemplateDetail;
const ZONE = 'Asia/Shanghai';
const START = new Date('2026-07-20T10:00:00+08:00');

async function as(user: BuiltUser): Promise<Client> {
  return login(t.app, user.username, user.password);
}

const hours = (n: number) => new Date(Date.now() + n * 3600_000).toISOString();

async function issue(client: Client, body: Record<string, unknown>): Promise<CollectionDetail> {
  const response = await client.post('/api/v1/forms/collections', {
    periodFrom: '2026-07-01',
    periodTo: '2026-07-31',
    deadline: hours(48),
    ...body,
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

async function taskOf(client: Client, collectionId: number): Promise<number> {
  const response = await client.get('/api/v1/forms/tasks');
  expect(response.statusCode, response.body).toBe(200);
  const task = response.json().items.find((item: { collectionId: number }) => item.collectionId === collectionId);
  expect(task).toBeTruthy();
  return task.submissionId;
}

let sweepClock = 0;
/** Runs the sweeper once, in a slot of its own (a slot runs each sweep once): due jobs first, then the sweeps. */
async function tick(): Promise<void> {
  sweepClock = Math.max(sweepClock + t.app.platform.config.sweepIntervalMs, Date.now());
  await t.app.platform.sweeper.tick(new Date(sweepClock));
}

/** The reminder sweep, then the sweeper's job runner that sends the notifications the sweep queued. */
async function sweepReminders(options: { chunkSchools?: number } = {}): Promise<void> {
  await sweepFormReminders(t.database.db, ZONE, new Date(), options);
  await tick();
}

async function step(client: Client, id: number, action: string, body: unknown = {}): Promise<SubmissionDetail> {
  const response = await client.post(`/api/v1/forms/submissions/${id}/${action}`, body);
  expect(response.statusCode, `${action}: ${response.body}`).toBe(200);
  return response.json();
}

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
  vi.setSystemTime(START);
  t = await createTestApp({ adminTotpRequired: false });
  tree = await buildTree(t.database.db);
  const db = t.database.db;
  cityOfficer = await as(await buildUser(db, { role: 'bureau_officer', org: tree.city }));
  countyOfficer = await as(await buildUser(db, { role: 'bureau_officer', org: tree.county }));
  principal = await as(await buildUser(db, { role: 'school_leader', org: tree.school }));
  security = await as(await buildUser(db, { role: 'school_security', org: tree.school }));
  otherSecurity = await as(await buildUser(db, { role: 'school_security', org: tree.otherSchool }));
  police = await as(await buildUser(db, { role: 'police_liaison', org: tree.county }));
  const list = await cityOfficer.get('/api/v1/forms/templates');
  expect(list.statusCode, list.body).toBe(200);
  const builtin = list.json().items.find((item: { code: string }) => item.code === 'seed003-school');
  seed = (await cityOfficer.get(`/api/v1/forms/templates/${builtin.id}`)).json();
});
afterAll(async () => {
  await t.close();
  vi.useRealTimers();
});

describe('templates', () => {
  it('ships the seed 003 form read-only; a copy is versioned; the builder check names problems', async () => {
    expect(seed.builtin).toBe(true);
    expect(seed.cosign).toBe(true);
    expect(seed.content.summary?.columns.map((column) => column.label)).toContain('涉校不稳定因素情况（未解决）');
    const edit = await cityOfficer.put(`/api/v1/forms/templates/${seed.id}/content`, { content: seed.content });
    expect(edit.statusCode).toBe(409);
    expect(edit.json().code).toBe('form_template_read_only');

    const check = await cityOfficer.post('/api/v1/forms/templates/check', {
      content: {
        title: '测试',
        sections: [{ title: '一', fields: [{ key: 'a', label: '甲', type: 'text', prefill: 'guards.total' }] }],
        rules: [{ kind: 'lte', left: 'a', right: 'b' }],
      },
    });
    expect(check.statusCode, check.body).toBe(200);
    expect(check.json().ok).toBe(false);
    expect(check.json().problems.map((problem: { code: string }) => problem.code)).toEqual(
      expect.arrayContaining(['prefill_type', 'rule_not_number', 'rule_unknown_field']),
    );
    // A school has no report.issue.
    expect((await security.get('/api/v1/forms/templates')).statusCode).toBe(403);
  });

  it('a template edited after issue: the running collection keeps its version', async () => {
    const copy = await cityOfficer.post('/api/v1/forms/templates', {
      orgId: tree.city.id,
      copyOf: seed.id,
      name: '本市暑期排查表',
    });
    expect(copy.statusCode, copy.body).toBe(200);
    const template: FormTemplateDetail = copy.json();
    const first = await issue(cityOfficer, { orgId: tree.city.id, templateId: template.id, title: '版本测试一' });
    expect(first.templateVersion).toBe(1);

    const changed = structuredClone(template.content);
    changed.sections[0]!.fields.push({ key: 'extraQuestion', label: '新增问题', type: 'text' });
    const put = await cityOfficer.put(`/api/v1/forms/templates/${template.id}/content`, { content: changed });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json().currentVersion).toBe(2);

    const again: CollectionDetail = (await cityOfficer.get(`/api/v1/forms/collections/${first.id}`)).json();
    expect(again.templateVersion).toBe(1);
    expect(JSON.stringify(again.content)).not.toContain('extraQuestion');
    const id = await taskOf(security, first.id);
    const detail: SubmissionDetail = (await security.get(`/api/v1/forms/submissions/${id}`)).json();
    expect(JSON.stringify(detail.content)).not.toContain('extraQuestion');
    // an answer to the new field is not accepted on the old version
    const save = await security.put(`/api/v1/forms/submissions/${id}/draft`, { answers: { extraQuestion: '答' } });
    expect(save.statusCode).toBe(400);
    expect(save.json().errors[0].path).toBe('extraQuestion');

    const second = await issue(cityOfficer, { orgId: tree.city.id, templateId: template.id, title: '版本测试二' });
    expect(second.templateVersion).toBe(2);
    expect(JSON.stringify(second.content)).toContain('extraQuestion');
  });
});

describe('lifecycle', () => {
  let collection: CollectionDetail;

  beforeAll(async () => {
    collection = await issue(cityOfficer, { orgId: tree.city.id, templateId: seed.id, title: '暑期安全排查整改报表' });
  });

  it('issues one form per school of the subtree (chosen types only when asked)', async () => {
    expect(collection.progress.total).toBe(2);
    expect(collection.progress.notYet).toBe(2);
    const primaryOnly = await issue(countyOfficer, {
      orgId: tree.county.id,
      templateId: seed.id,
      schoolTypes: ['primary'],
    });
    expect(primaryOnly.progress.total).toBe(1);
    const none = await countyOfficer.post('/api/v1/forms/collections', {
      orgId: tree.county.id,
      templateId: seed.id,
      schoolTypes: ['university'],
      periodFrom: '2026-07-01',
      periodTo: '2026-07-31',
      deadline: hours(24),
    });
    expect(none.statusCode).toBe(400);
    expect(none.json().code).toBe('form_no_schools');
    // A county cannot issue for the city above it.
    const above = await countyOfficer.post('/api/v1/forms/collections', {
      orgId: tree.city.id,
      templateId: seed.id,
      periodFrom: '2026-07-01',
      periodTo: '2026-07-31',
      deadline: hours(24),
    });
    expect(above.statusCode).toBe(404);
  });

  it('runs draft → submitted → signed → cosigned → accepted, with prefill marked and history kept', async () => {
    const id = await taskOf(security, collection.id);
    const opened = await step(security, id, 'open');
    expect(opened.prefilledAt).not.toBeNull();
    expect(opened.prefilled).not.toBeNull();
    expect(Object.keys(opened.prefilled ?? {})).toContain('cameraCount');
    expect(opened.prefilled?.cameraCount?.basis).toBeTruthy();
    // a second open does not prefill again
    const reopened = await step(security, id, 'open');
    expect(reopened.prefilledAt).toBe(opened.prefilledAt);

    // A blank answer to a prefilled field is not a correction (one rule with the web's 「已更正」 mark).
    const known = Object.entries(opened.prefilled ?? {}).find(([, entry]) => entry != null && entry.value !== null);
    if (!known) throw new Error('no prefilled field with a known value');
    const blank = await security.put(`/api/v1/forms/submissions/${id}/draft`, {
      answers: { [known[0]]: null },
      revision: reopened.revision,
    });
    expect(blank.statusCode, blank.body).toBe(200);
    expect(blank.json().corrections).toEqual([]);

    const answers = exampleSeed003Answers({ cameraCount: 99 });
    const saved = await security.put(`/api/v1/forms/submissions/${id}/draft`, {
      answers,
      revision: blank.json().revision,
    });
    expect(saved.statusCode, saved.body).toBe(200);
    const stale = await security.put(`/api/v1/forms/submissions/${id}/draft`, { answers, revision: reopened.revision });
    expect(stale.statusCode).toBe(409);
    expect(stale.json().code).toBe('form_revision');
    if (opened.prefilled?.cameraCount?.value !== 99) expect(saved.json().corrections).toContain('cameraCount');

    // Signing before submission is a state conflict; a school security officer cannot sign.
    expect((await principal.post(`/api/v1/forms/submissions/${id}/sign`, {})).statusCode).toBe(409);
    const submitted = await step(security, id, 'submit', {});
    expect(submitted.status).toBe('submitted');
    expect(submitted.late).toBe(false);
    expect((await security.post(`/api/v1/forms/submissions/${id}/sign`, {})).statusCode).toBe(403);
    // Co-sign needs the principal's signature first; accept needs the co-signature.
    expect((await police.post(`/api/v1/forms/submissions/${id}/cosign`, {})).statusCode).toBe(409);
    expect((await step(principal, id, 'sign', { note: '情况属实' })).status).toBe('signed');
    expect((await cityOfficer.post(`/api/v1/forms/submissions/${id}/accept`, {})).statusCode).toBe(409);
    const cosigned = await step(police, id, 'cosign');
    expect(cosigned.status).toBe('cosigned');
    expect(cosigned.cosignedByName).toBeTruthy();
    // The county is not the issuer: it may read but not review.
    const notIssuer = await countyOfficer.post(`/api/v1/forms/submissions/${id}/accept`, {});
    expect(notIssuer.statusCode).toBe(403);
    expect(notIssuer.json().code).toBe('form_review_not_issuer');
    const accepted = await step(cityOfficer, id, 'accept', { comment: '同意' });
    expect(accepted.status).toBe('accepted');
    expect(accepted.history.map((event) => event.action)).toEqual(['prefill', 'submit', 'sign', 'cosign', 'accept']);
    // Accepted is final; the school can no longer edit.
    const late = await security.put(`/api/v1/forms/submissions/${id}/draft`, { answers });
    expect(late.statusCode).toBe(409);

    const exported = await cityOfficer.get(`/api/v1/forms/submissions/${id}/export.xlsx`);
    expect(exported.statusCode).toBe(200);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(exported.rawPayload as unknown as ArrayBuffer);
    const text = JSON.stringify(book.worksheets[0]!.getSheetValues());
    expect(text).toContain('学校及周边安全排查整改情况报表');
    expect(text).toContain('保安员持证上岗人数');
    expect(text).toContain('所长：');
    expect(text).toContain('系统预填');
  });

  it('a returned form keeps its history and goes back to the school', async () => {
    const id = await taskOf(otherSecurity, collection.id);
    await step(otherSecurity, id, 'submit', { answers: exampleSeed003Answers({ policeStation: '南门派出所' }) });
    const returned = await step(cityOfficer, id, 'return', { comment: '未整改隐患数有误，请核实' });
    expect(returned.status).toBe('returned');
    expect(returned.reviewComment).toBe('未整改隐患数有误，请核实');
    const noComment = await cityOfficer.post(`/api/v1/forms/submissions/${id}/return`, { comment: ' ' });
    expect(noComment.statusCode).toBe(400);
    const tasks = (await otherSecurity.get('/api/v1/forms/tasks?open=true')).json().items;
    expect(tasks.find((task: { submissionId: number }) => task.submissionId === id)?.reviewComment).toBe(
      '未整改隐患数有误，请核实',
    );
    const again = await step(otherSecurity, id, 'submit', {});
    expect(again.status).toBe('submitted');
    expect(again.history.map((event) => `${event.action}:${event.toState}`)).toEqual([
      'submit:submitted',
      'return:returned',
      'submit:submitted',
    ]);
    expect(again.history[1]!.note).toBe('未整改隐患数有误，请核实');
  });

  it("another school's submission is 404, a bureau outside the subtree too", async () => {
    const id = await taskOf(security, collection.id);
    expect((await otherSecurity.get(`/api/v1/forms/submissions/${id}`)).statusCode).toBe(404);
    expect((await otherSecurity.post(`/api/v1/forms/submissions/${id}/submit`, {})).statusCode).toBe(404);
    expect((await otherSecurity.get(`/api/v1/forms/submissions/${id}/export.xlsx`)).statusCode).toBe(404);
    const far = await as(await buildUser(t.database.db, { role: 'bureau_officer', org: tree.otherCity }));
    expect((await far.get(`/api/v1/forms/submissions/${id}`)).statusCode).toBe(404);
    expect((await far.get(`/api/v1/forms/collections/${collection.id}`)).statusCode).toBe(404);
    expect((await countyOfficer.get(`/api/v1/forms/submissions/${id}`)).statusCode).toBe(200);
  });

  it('shows the table with county and city totals and the Attachment 2 summary', async () => {
    const table: SubmissionTable = (
      await cityOfficer.get(`/api/v1/forms/collections/${collection.id}/submissions?limit=1`)
    ).json();
    expect(table.items).toHaveLength(1);
    expect(table.nextCursor).not.toBeNull();
    const next = await cityOfficer.get(
      `/api/v1/forms/collections/${collection.id}/submissions?limit=1&cursor=${table.nextCursor}`,
    );
    expect(next.json().items[0].id).not.toBe(table.items[0]!.id);
    expect(table.byCounty[0]!.submitted).toBe(2);
    expect(table.byCity[0]!.totals.sums.hazardsFound).toBe(20);
    const summary: FormSummary = (await cityOfficer.get(`/api/v1/forms/collections/${collection.id}/summary`)).json();
    expect(summary.columns.map((column) => column.label)[0]).toBe('区域');
    expect(summary.counties[0]!.rows).toHaveLength(2);
    expect(summary.counties[0]!.rows.map((row) => row[1]).sort()).toEqual(['南门派出所', '湖塘派出所']);
    expect(summary.overall.totals[5]).toBe(20);
    const bad = await cityOfficer.get(`/api/v1/forms/collections/${collection.id}/submissions?cursor=abc`);
    expect(bad.statusCode).toBe(400);
  });
});

describe('bad input', () => {
  it('numbers that break the rules are a 400 with field errors, and nothing is written', async () => {
    const collection = await issue(countyOfficer, { orgId: tree.county.id, templateId: seed.id, title: '规则测试' });
    const id = await taskOf(security, collection.id);
    const before = await tableCounts(t.database);
    const beforeDetail: SubmissionDetail = (await security.get(`/api/v1/forms/submissions/${id}`)).json();
    const response = await security.post(`/api/v1/forms/submissions/${id}/submit`, {
      answers: exampleSeed003Answers({ guards: 3, guardsLicensed: 5, hazardsRectified: 4, hazardsUnrectified: 9 }),
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const body = response.json();
    expect(body.code).toBe('form_invalid');
    expect(body.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ path: 'guardsLicensed', message: '保安员持证上岗人数不能大于保安员人数' }),
        expect.objectContaining({ path: 'hazardsUnrectified', code: 'rule' }),
      ]),
    );
    expect(body.message).toContain('保安员持证上岗人数不能大于保安员人数');
    expect(await tableCounts(t.database)).toEqual(before);
    const afterDetail: SubmissionDetail = (await security.get(`/api/v1/forms/submissions/${id}`)).json();
    expect(afterDetail.revision).toBe(beforeDetail.revision);
    expect(afterDetail.status).toBe('draft');
    // 「/」 where the seed does not allow it
    const slash = await security.post(`/api/v1/forms/submissions/${id}/submit`, {
      answers: exampleSeed003Answers({ oneKeyAlarmGate: '/' }),
    });
    expect(slash.statusCode).toBe(400);
    expect(slash.json().errors[0]).toMatchObject({ path: 'oneKeyAlarmGate', code: 'not_applicable' });
  });

  it('a form submitted after the deadline is accepted and marked late; reminders go out once a day', async () => {
    const collection = await issue(countyOfficer, {
      orgId: tree.county.id,
      templateId: seed.id,
      title: '逾期测试',
      deadline: hours(20),
      remindDaysBefore: 1,
    });
    const db = t.database.db;
    const countNotices = async () =>
      (await db.selectFrom('notification').select('kind').where('kind', 'in', ['form.reminder', 'form.late']).execute())
        .length;
    const before = await countNotices();
    await sweepReminders();
    const afterOne = await countNotices();
    expect(afterOne).toBeGreaterThan(before);
    await sweepReminders();
    expect(await countNotices()).toBe(afterOne);

    // The deadline passes (moving the clock would expire the test sessions instead).
    await db
      .updateTable('form_collection')
      .set({ deadline: new Date(Date.now() - 3600_000) })
      .where('id', '=', collection.id)
      .execute();
    const late = await countyOfficer.get(`/api/v1/forms/collections/${collection.id}/late`);
    expect(late.json().deadlinePassed).toBe(true);
    expect(late.json().items).toHaveLength(2);
    const id = await taskOf(security, collection.id);
    const submitted = await step(security, id, 'submit', { answers: exampleSeed003Answers() });
    expect(submitted.late).toBe(true);
    expect(submitted.history.at(-1)?.note).toBe('逾期提交');
    const list = (await countyOfficer.get(`/api/v1/forms/collections/${collection.id}/late`)).json().items;
    expect(list.find((item: { submissionId: number }) => item.submissionId === id)).toMatchObject({
      late: true,
      status: 'submitted',
    });
    const detail: CollectionDetail = (await countyOfficer.get(`/api/v1/forms/collections/${collection.id}`)).json();
    expect(detail.progress).toMatchObject({ total: 2, submitted: 1, late: 1, overdue: 1 });
    await sweepReminders();
    const lateNotices = await db.selectFrom('notification').select('id').where('kind', '=', 'form.late').execute();
    expect(lateNotices.length).toBeGreaterThan(0);
    await sweepReminders();
    const again = await db.selectFrom('notification').select('id').where('kind', '=', 'form.late').execute();
    expect(again.length).toBe(lateNotices.length);
  });

  it('exports an empty district as the empty layout with a note, not an error', async () => {
    const collection = await issue(countyOfficer, { orgId: tree.county.id, templateId: seed.id, title: '空表测试' });
    const response = await countyOfficer.get(`/api/v1/forms/collections/${collection.id}/summary.xlsx`);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-type']).toContain('spreadsheetml');
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.getCell('A1').value).toBe('学校及周边安全排查整改情况汇总表（区）');
    const text = JSON.stringify(sheet.getSheetValues());
    expect(text).toContain('校园周边治安乱点情况');
    expect(text).toContain('暂无已提交的报表');
    expect(text).toContain('填报单位（盖章）');
    const audit = await t.database.db
      .selectFrom('audit_log')
      .select('action')
      .where('action', '=', 'form.summary_export')
      .execute();
    expect(audit.length).toBeGreaterThan(0);
  });
});

describe('reminders', () => {
  it('a collection larger than one job: each pending school reminded once, by jobs; a second sweep adds nothing', async () => {
    const db = t.database.db;
    const city = await buildOrg(db, { parent: tree.province, level: 'city', name: '丁市' });
    const county = await buildOrg(db, { parent: city, level: 'county', name: '南区' });
    const schools: BuiltUser[] = [];
    for (let index = 0; index < 6; index++) {
      const org = await buildOrg(db, { parent: county, level: 'school', name: `丁市第${index + 1}校` });
      schools.push(await buildUser(db, { role: 'school_security', org }));
    }
    const officer = await as(await buildUser(db, { role: 'bureau_officer', org: city }));
    const collection = await issue(officer, {
      orgId: city.id,
      templateId: seed.id,
      title: '分批提醒',
      deadline: hours(20),
      remindDaysBefore: 1,
    });
    const submit = async (user: BuiltUser) => {
      const client = await as(user);
      await step(client, await taskOf(client, collection.id), 'submit', { answers: exampleSeed003Answers() });
    };
    const remindedUsers = async () =>
      (
        await db
          .selectFrom('notification')
          .select('user_id')
          .where('kind', '=', 'form.reminder')
          .where('title', 'like', '%分批提醒%')
          .execute()
      )
        .map((row) => row.user_id)
        .sort((a, b) => a - b);
    const jobsOf = () =>
      db
        .selectFrom('job')
        .select(['dedupe_key', 'status'])
        .where('dedupe_key', 'like', `forms.remind:${collection.id}:%`)
        .orderBy('dedupe_key')
        .execute();

    // Already submitted: never reminded.
    await submit(schools[0]!);
    await sweepFormReminders(db, ZONE, new Date(), { chunkSchools: 2 });
    // Five pending schools, two per job: three jobs; the sweep itself sends nothing.
    expect((await jobsOf()).map((job) => job.status)).toEqual(['queued', 'queued', 'queued']);
    expect(await remindedUsers()).toEqual([]);
    // Submitted after the sweep, before its job ran: not reminded either.
    await submit(schools[1]!);
    await tick();
    expect((await jobsOf()).map((job) => job.status)).toEqual(['done', 'done', 'done']);
    const expected = schools
      .slice(2)
      .map((user) => user.id)
      .sort((a, b) => a - b);
    expect(await remindedUsers()).toEqual(expected);
    const notice = await db
      .selectFrom('form_collection_notice')
      .select('recipients')
      .where('collection_id', '=', collection.id)
      .where('kind', '=', 'reminder')
      .execute();
    expect(notice).toEqual([{ recipients: expected.length }]);
    // A job run again (its first run committed, but the runner could not record it done) sends nothing twice.
    await db
      .updateTable('job')
      .set({ status: 'queued' })
      .where('dedupe_key', 'like', `forms.remind:${collection.id}:%`)
      .execute();
    await tick();
    expect((await jobsOf()).map((job) => job.status)).toEqual(['done', 'done', 'done']);
    expect(await remindedUsers()).toEqual(expected);

    // The same day again: the claim stands, no job is queued, nobody is reminded twice.
    await sweepReminders({ chunkSchools: 2 });
    await tick();
    expect(await jobsOf()).toHaveLength(3);
    expect(await remindedUsers()).toEqual(expected);
  });
});

describe('summary equals the submitted forms', () => {
  it('on random answers for schools in two counties', async () => {
    const db = t.database.db;
    const city = await buildOrg(db, { parent: tree.province, level: 'city', name: '丙市' });
    const counties = [
      await buildOrg(db, { parent: city, level: 'county', name: '东区' }),
      await buildOrg(db, { parent: city, level: 'county', name: '西区' }),
    ];
    const schools: { org: BuiltOrg; client: Client }[] = [];
    for (let index = 0; index < 8; index++) {
      const org = await buildOrg(db, { parent: counties[index % 2]!, level: 'school', name: `丙市第${index + 1}校` });
      schools.push({ org, client: await as(await buildUser(db, { role: 'school_security', org })) });
    }
    const officer = await as(await buildUser(db, { role: 'bureau_officer', org: city }));
    const collection = await issue(officer, { orgId: city.id, templateId: seed.id, title: '随机汇总' });
    const answerArbitrary = fc
      .record({
        guards: fc.integer({ min: 0, max: 40 }),
        cameraCount: fc.integer({ min: 0, max: 500 }),
        hazardsFound: fc.integer({ min: 0, max: 60 }),
        share: fc.integer({ min: 0, max: 100 }),
        fence: fc.boolean(),
        dormitory: fc.constantFrom(true, false, '/'),
        submit: fc.boolean(),
      })
      .map((value) => {
        const rectified = Math.floor((value.hazardsFound * value.share) / 100);
        return {
          submit: value.submit,
          answers: exampleSeed003Answers({
            guards: value.guards,
            guardsLicensed: Math.floor(value.guards / 2),
            guardsOverAge: 0,
            cameraCount: value.cameraCount,
            hazardsFound: value.hazardsFound,
            hazardsRectified: rectified,
            hazardsUnrectified: value.hazardsFound - rectified,
            fence: value.fence,
            oneKeyAlarmDormitory: value.dormitory,
          }),
        };
      });
    const samples = fc.sample(answerArbitrary, { numRuns: schools.length, seed: 20260720 });
    samples[0]!.submit = true;
    const submitted: { county: number; answers: FormAnswers }[] = [];
    for (const [index, school] of schools.entries()) {
      const sample = samples[index]!;
      const id = await taskOf(school.client, collection.id);
      await step(school.client, id, 'open');
      if (sample.submit) {
        await step(school.client, id, 'submit', { answers: sample.answers });
        submitted.push({ county: counties[index % 2]!.id, answers: sample.answers });
      } else {
        // a draft with numbers must not count
        const saved = await school.client.put(`/api/v1/forms/submissions/${id}/draft`, { answers: sample.answers });
        expect(saved.statusCode, saved.body).toBe(200);
      }
    }
    const sum = (list: typeof submitted, key: string) =>
      list.reduce((total, form) => total + (form.answers[key] as number), 0);
    const countOf = (list: typeof submitted, key: string, value: unknown) =>
      list.filter((form) => form.answers[key] === value).length;

    const summary: FormSummary = (await officer.get(`/api/v1/forms/collections/${collection.id}/summary`)).json();
    const found = summary.columns.findIndex((column) => column.label === '校园隐患总数');
    const fixed = summary.columns.findIndex((column) => column.label === '整改数');
    expect(summary.overall.submitted).toBe(submitted.length);
    expect(summary.overall.totals[found]).toBe(sum(submitted, 'hazardsFound'));
    expect(summary.overall.totals[fixed]).toBe(sum(submitted, 'hazardsRectified'));
    expect(summary.fieldTotals.sums.guards).toBe(sum(submitted, 'guards'));
    expect(summary.fieldTotals.sums.cameraCount).toBe(sum(submitted, 'cameraCount'));
    expect(summary.fieldTotals.yes.fence).toBe(countOf(submitted, 'fence', true));
    expect(summary.fieldTotals.notApplicable.oneKeyAlarmDormitory).toBe(
      countOf(submitted, 'oneKeyAlarmDormitory', '/'),
    );
    for (const county of counties) {
      const own = submitted.filter((form) => form.county === county.id);
      const group = summary.counties.find((item) => item.orgId === county.id);
      expect(group?.schools).toBe(4);
      expect(group?.submitted ?? 0).toBe(own.length);
      expect(group?.rows.length ?? 0).toBe(own.length);
      expect(group?.totals[found] ?? 0).toBe(sum(own, 'hazardsFound'));
      // each row's numbers are the school's own
      const rowSum = (group?.rows ?? []).reduce((total, row) => total + (row[found] as number), 0);
      expect(rowSum).toBe(sum(own, 'hazardsFound'));
    }
    expect(summary.cities).toHaveLength(1);
    expect(summary.cities[0]!.totals[found]).toBe(sum(submitted, 'hazardsFound'));
    // A county sees its own district only.
    const east = await as(await buildUser(db, { role: 'bureau_officer', org: counties[0]! }));
    const eastSummary: FormSummary = (await east.get(`/api/v1/forms/collections/${collection.id}/summary`)).json();
    expect(eastSummary.counties.map((county) => county.orgId)).toEqual([counties[0]!.id]);
    // The table agrees with the summary.
    const table: SubmissionTable = (
      await officer.get(`/api/v1/forms/collections/${collection.id}/submissions?limit=200`)
    ).json();
    expect(table.items).toHaveLength(8);
    expect(table.overall.sums.hazardsRectified).toBe(sum(submitted, 'hazardsRectified'));
    expect(table.byCity[0]!.submitted).toBe(submitted.length);
  });
});
