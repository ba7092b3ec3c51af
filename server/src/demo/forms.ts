import { exampleSeed003Answers, type FormAnswers } from '@safe-campus/domain';
import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { formatDate } from '../platform/dates.js';

const DAY = 24 * 3600_000;
const ZONE = 'Asia/Shanghai';
const RECORD = 'form_submission';

function random(seed: number): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const HOTSPOTS = [
  '无',
  '校门口东侧有流动摊贩聚集，已联合城管、街道每日上下学时段整治。',
  '周边网吧一处，已会同文化执法部门检查，未发现接纳未成年人。',
  '放学时段校门口道路拥堵，已设置护学岗并施划临时停车区。',
];
const INSTABILITY = ['无', '食堂伙食价格有家长反映，已召开家委会说明并公示成本，已解决。', '无'];

type Plan = 'draft' | 'accepted' | 'cosigned' | 'signed' | 'submitted' | 'returned' | 'late';

/**
 * Demo report forms: 常州市教育局 issues the seed 003 school form (学校及周边安全排查整改情况报表) to every school of the
 * city for the past month, deadline two days ago, so the late list has schools; most schools handed it in (accepted,
 * co-signed, signed or just submitted), one handed in after the deadline, one was returned with a comment and some
 * have not started. Each county bureau also issues the form to its own schools with a deadline next week, so the
 * first school of each county (where the demo logins work) has an open task to fill, prefilled on first open.
 * Deterministic apart from the clock.
 */
export async function loadDemoForms(db: Kysely<DB>, now = new Date()): Promise<void> {
  const template = await db
    .selectFrom('form_template as t')
    .innerJoin('form_template_version as v', (join) =>
      join.onRef('v.template_id', '=', 't.id').onRef('v.version', '=', 't.current_version'),
    )
    .select(['t.id', 'v.id as version_id'])
    .where('t.code', '=', 'seed003-school')
    .where('t.owner_org_id', 'is', null)
    .executeTakeFirst();
  if (!template) return;
  const city = await db.selectFrom('org_unit').select(['id', 'path']).where('code', '=', '320400').executeTakeFirst();
  if (!city) return;
  const officer = async (orgId: number) =>
    (
      await db
        .selectFrom('role_assignment')
        .select('user_id')
        .where('org_id', '=', orgId)
        .where('role', '=', 'bureau_officer')
        .orderBy('user_id')
        .executeTakeFirst()
    )?.user_id ?? null;
  const cityOfficer = await officer(city.id);
  const periodFrom = formatDate(new Date(now.getTime() - 32 * DAY), ZONE);
  const periodTo = formatDate(new Date(now.getTime() - 3 * DAY), ZONE);
  const deadline = new Date(now.getTime() - 2 * DAY);

  const issue = async (issuer: { id: number; path: string }, title: string, due: Date, by: number | null) => {
    const collection = await db
      .insertInto('form_collection')
      .values({
        issuer_org_id: issuer.id,
        issuer_org_path: issuer.path,
        template_id: template.id,
        template_version_id: template.version_id,
        title,
        note: '请各校会同属地派出所如实填写，校长、所长签字后报送。有关统计数据截至报告期末。',
        period_from: periodFrom,
        period_to: periodTo,
        deadline: due,
        remind_days_before: 2,
        created_by: by,
        created_at: new Date(now.getTime() - 30 * DAY),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const schools = await db
      .selectFrom('org_unit')
      .select(['id', 'path', 'name'])
      .where('level', '=', 'school')
      .where('path', 'like', `${issuer.path}%`)
      .orderBy('path')
      .execute();
    const rows = await db
      .insertInto('form_submission')
      .values(
        schools.map((school) => {
          const [provinceId, cityId, countyId] = school.path.split('/').filter(Boolean).map(Number) as [
            number,
            number,
            number,
          ];
          return {
            collection_id: collection.id,
            school_id: school.id,
            org_path: school.path,
            province_id: provinceId,
            city_id: cityId,
            county_id: countyId,
            answers: JSON.stringify({}),
          };
        }),
      )
      .returning(['id', 'school_id', 'org_path', 'county_id'])
      .execute();
    await db
      .updateTable('form_collection')
      .set({ school_count: rows.length })
      .where('id', '=', collection.id)
      .execute();
    return { id: collection.id, rows };
  };

  const cityCollection = await issue(city, '常州市学校及周边安全排查整改情况报表（暑期）', deadline, cityOfficer);
  const next = random(20260731);
  const firstOfCounty = new Set<number>();
  const seenCounty = new Set<number>();
  for (const row of cityCollection.rows) {
    if (!seenCounty.has(row.county_id)) firstOfCounty.add(row.id);
    seenCounty.add(row.county_id);
  }
  let index = 0;
  for (const row of cityCollection.rows) {
    // The first school of each county (demo logins) shows the whole path: one accepted, the next returned.
    const plans: Plan[] = ['accepted', 'cosigned', 'signed', 'submitted', 'accepted', 'draft', 'late', 'cosigned'];
    const plan: Plan = firstOfCounty.has(row.id)
      ? index % 2 === 0
        ? 'accepted'
        : 'returned'
      : plans[index % plans.length]!;
    index++;
    if (plan === 'draft') continue;
    await fillDemoSubmission(db, row, plan, next, { deadline, now, reviewer: cityOfficer });
  }

  // Each county's own form, open until next week.
  const counties = await db
    .selectFrom('org_unit')
    .select(['id', 'path'])
    .where('level', '=', 'county')
    .where('path', 'like', `${city.path}%`)
    .execute();
  for (const county of counties) {
    await issue(
      county,
      '学校及周边安全排查整改情况报表（区级复查）',
      new Date(now.getTime() + 6 * DAY),
      await officer(county.id),
    );
  }
}

async function schoolUser(db: Kysely<DB>, schoolId: number, role: string): Promise<number | null> {
  const row = await db
    .selectFrom('role_assignment')
    .select('user_id')
    .where('org_id', '=', schoolId)
    .where('role', '=', role)
    .orderBy('user_id')
    .executeTakeFirst();
  return row?.user_id ?? null;
}

async function fillDemoSubmission(
  db: Kysely<DB>,
  row: { id: number; school_id: number; org_path: string; county_id: number },
  plan: Exclude<Plan, 'draft'>,
  next: () => number,
  context: { deadline: Date; now: Date; reviewer: number | null },
): Promise<void> {
  const guards = 2 + Math.floor(next() * 10);
  const found = Math.floor(next() * 25);
  const rectified = Math.max(0, found - Math.floor(next() * 4));
  const cameras = 12 + Math.floor(next() * 120);
  const answers: FormAnswers = exampleSeed003Answers({
    guards,
    guardsLicensed: guards - (next() < 0.3 ? 1 : 0),
    guardsOverAge: next() < 0.2 ? 1 : 0,
    cameraCount: cameras,
    hazardsFound: found,
    hazardsRectified: Math.min(found, rectified),
    hazardsUnrectified: found - Math.min(found, rectified),
    bollard: next() < 0.5,
    surroundingsHotspots: HOTSPOTS[Math.floor(next() * HOTSPOTS.length)]!,
    instabilityFactors: INSTABILITY[Math.floor(next() * INSTABILITY.length)]!,
    policeStation: `${['湖塘', '南大街', '新北', '青果巷', '邹区'][row.county_id % 5]}派出所`,
    fillDate: formatDate(new Date(context.deadline.getTime() - 3 * DAY), ZONE),
  });
  const prefilled = {
    guards: { value: guards, basis: '保安员台账：在岗保安员（演示数据）', source: 'guards.total' },
    cameraCount: {
      value: cameras - 2,
      basis: `设备台账：摄像机 ${cameras - 2} 台（演示数据）`,
      source: 'cameras.count',
    },
    hazardsFound: { value: found, basis: `隐患台账：报告期内排查隐患 ${found} 处`, source: 'hazards.found' },
  };
  const filler = await schoolUser(db, row.school_id, 'school_security');
  const principal = await schoolUser(db, row.school_id, 'school_leader');
  const police = (
    await db
      .selectFrom('role_assignment')
      .select('user_id')
      .where('role', '=', 'police_liaison')
      .where('org_id', '=', row.county_id)
      .orderBy('user_id')
      .executeTakeFirst()
  )?.user_id;
  const late = plan === 'late';
  const submittedAt = new Date(late ? context.now.getTime() - DAY : context.deadline.getTime() - 4 * DAY);
  const signedAt = new Date(submittedAt.getTime() + 3 * 3600_000);
  const cosignedAt = new Date(submittedAt.getTime() + 20 * 3600_000);
  const reviewedAt = new Date(submittedAt.getTime() + 40 * 3600_000);
  const status = plan === 'late' ? 'submitted' : plan;
  const signed = ['signed', 'cosigned', 'accepted'].includes(plan);
  const cosigned = ['cosigned', 'accepted'].includes(plan);
  await db
    .updateTable('form_submission')
    .set({
      status,
      late,
      answers: JSON.stringify(answers),
      prefilled: JSON.stringify(prefilled),
      prefilled_at: new Date(submittedAt.getTime() - DAY),
      corrections: JSON.stringify(['cameraCount']),
      revision: 3,
      submitted_by: filler,
      submitted_at: submittedAt,
      ...(signed ? { signed_by: principal, signed_at: signedAt } : {}),
      ...(cosigned ? { cosigned_by: police ?? null, cosigned_at: cosignedAt } : {}),
      ...(plan === 'accepted' || plan === 'returned'
        ? {
            reviewed_by: context.reviewer,
            reviewed_at: reviewedAt,
            review_comment: plan === 'returned' ? '未整改隐患数与隐患台账不一致，请核实后重新报送。' : '同意。',
          }
        : {}),
    })
    .where('id', '=', row.id)
    .execute();
  // Timeline rows are written directly: the demo's steps happened in the past.
  const event = (
    at: Date,
    actorId: number | null,
    action: string,
    from: string | null,
    to: string | null,
    note?: string,
  ) =>
    db
      .insertInto('timeline_event')
      .values({
        record_type: RECORD,
        record_id: row.id,
        org_path: row.org_path,
        at,
        actor_id: actorId,
        action,
        from_state: from,
        to_state: to,
        note: note ?? null,
        data: JSON.stringify(null),
      })
      .execute();
  await event(new Date(submittedAt.getTime() - DAY), filler, 'prefill', null, null, '系统预填 3 项');
  await event(submittedAt, filler, 'submit', 'draft', 'submitted', late ? '逾期提交' : undefined);
  if (plan === 'returned') {
    await event(signedAt, principal, 'sign', 'submitted', 'signed');
    await event(cosignedAt, police ?? null, 'cosign', 'signed', 'cosigned');
    await event(
      reviewedAt,
      context.reviewer,
      'return',
      'cosigned',
      'returned',
      '未整改隐患数与隐患台账不一致，请核实后重新报送。',
    );
    // A returned form goes back to the school without signatures.
    return;
  }
  if (signed) await event(signedAt, principal, 'sign', 'submitted', 'signed');
  if (cosigned) await event(cosignedAt, police ?? null, 'cosign', 'signed', 'cosigned');
  if (plan === 'accepted') await event(reviewedAt, context.reviewer, 'accept', 'cosigned', 'accepted', '同意。');
}
