import { DEFAULT_URGENT_MINUTES, urgentDeadlines } from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.js';
import { DEMO_CITIES } from './data.js';

const HOUR = 3600_000;
const DAY = 24 * HOUR;

interface DemoNotice {
  level: 'province' | 'city' | 'county';
  title: string;
  body: string;
  levels: string[];
  receiptRequired: boolean;
  daysAgo: number;
  /** Share of recipients that have read it (by id, deterministic); a fifth of the readers replied. */
  readShare: number;
}

const NOTICES: DemoNotice[] = [
  {
    level: 'province',
    title: '关于做好寒假及春节期间学校安全工作的通知',
    body:
      '各设区市教育局，各县（市、区）教育局，各学校：\n\n' +
      '寒假及春节临近，为确保广大师生度过一个平安祥和的假期，现就有关工作通知如下：\n' +
      '一、放假前组织开展一次安全隐患大排查，重点检查消防设施、用电线路、食堂和危化品，做到排查到位、整改到位。\n' +
      '二、严格落实假期值班和领导带班制度，值班表于放假前报上级教育行政部门备案。\n' +
      '三、加强对学生的防溺水、防火、交通和网络安全教育，通过告家长书落实监护责任。\n' +
      '四、发生突发事件须按规定时限及时报送，不得迟报、漏报、瞒报。\n\n' +
      '请各单位于收到通知后提交回执。',
    levels: ['city', 'county', 'school'],
    receiptRequired: true,
    daysAgo: 5,
    readShare: 0.7,
  },
  {
    level: 'city',
    title: '关于开展校园周边安全隐患专项排查的通知',
    body:
      '各县（市、区）教育局，各学校：\n\n' +
      '为进一步净化校园周边环境，决定开展为期一个月的校园周边安全隐患专项排查，重点排查校园周边治安乱点、' +
      '交通安全设施、无证摊点和娱乐场所。请各校会同属地派出所开展排查，建立问题清单并限期整改。',
    levels: ['county', 'school'],
    receiptRequired: false,
    daysAgo: 3,
    readShare: 0.5,
  },
  {
    level: 'county',
    title: '关于组织开展防溺水安全教育的通知',
    body:
      '各中小学、幼儿园：\n\n' +
      '近期气温回升，学生溺水风险上升。请各校于本周内组织一次防溺水专题教育，落实“六不”要求，' +
      '并将教育开展情况（含照片）以回执形式报送。',
    levels: ['school'],
    receiptRequired: true,
    daysAgo: 1,
    readShare: 0.4,
  },
];

/**
 * Demo notices from the province, the first city and every county of it, with partial receipts (the first school of
 * each county — where the demo logins work — has not yet read its county's notice), and two urgent reports at the
 * first school of the first county: one acknowledged by the county, one pending.
 */
export async function loadDemoNotices(trx: Kysely<DB>, now = new Date()): Promise<void> {
  const bureaus = await sql<{ id: number; path: string; level: string; code: string; user_id: number }>`
    SELECT o.id, o.path, o.level, o.code, min(ra.user_id) AS user_id
    FROM org_unit o JOIN role_assignment ra ON ra.org_id = o.id AND ra.role = 'bureau_officer'
    WHERE o.level IN ('province', 'city', 'county')
    GROUP BY o.id, o.path, o.level, o.code
    ORDER BY o.code`.execute(trx);
  const province = bureaus.rows.find((row) => row.level === 'province');
  // The first demo city (南京市), where the demo logins work.
  const city = bureaus.rows.find((row) => row.level === 'city' && row.code === DEMO_CITIES[0]?.code);
  if (!province || !city) return;
  const firstSchools = await sql<{ id: number }>`
    SELECT DISTINCT ON (parent_id) id FROM org_unit WHERE level = 'school' ORDER BY parent_id, code`.execute(trx);
  const firstSchoolIds = firstSchools.rows.map((row) => row.id);

  for (const plan of NOTICES) {
    const publishers =
      plan.level === 'province'
        ? [province]
        : plan.level === 'city'
          ? [city]
          : bureaus.rows.filter((row) => row.level === 'county' && row.path.startsWith(city.path));
    for (const publisher of publishers) {
      const publishedAt = new Date(now.getTime() - plan.daysAgo * DAY);
      const notice = await trx
        .insertInto('notice')
        .values({
          org_id: publisher.id,
          org_path: publisher.path,
          title: plan.title,
          body: plan.body,
          receipt_required: plan.receiptRequired,
          reply_deadline: plan.receiptRequired ? new Date(publishedAt.getTime() + 7 * DAY) : null,
          target_levels: plan.levels,
          published_by: publisher.user_id,
          published_at: publishedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await sql`
        INSERT INTO notice_recipient (notice_id, org_id, org_path, level)
        SELECT ${notice.id}, o.id, o.path, o.level FROM org_unit o
        WHERE o.path LIKE ${`${publisher.path}%`} AND o.id <> ${publisher.id} AND o.level = ANY(${plan.levels}::text[])`.execute(
        trx,
      );
      // Readers: the unit's bureau officer / school leader; a deterministic share by id. A county's notice stays
      // unread at its first school, so the demo school login finds an unread notice.
      const cutoff = Math.round(plan.readShare * 10);
      const exclude = plan.level === 'county' ? firstSchoolIds : [];
      await sql`
        UPDATE notice_recipient r SET
          read_at = ${publishedAt}::timestamptz + ((r.org_id % 47) || ' hours')::interval,
          read_by = reader.user_id,
          replied_at = CASE WHEN ${plan.receiptRequired} AND r.org_id % 5 = 0
            THEN ${publishedAt}::timestamptz + ((r.org_id % 47 + 2) || ' hours')::interval END,
          replied_by = CASE WHEN ${plan.receiptRequired} AND r.org_id % 5 = 0 THEN reader.user_id END,
          reply_text = CASE WHEN ${plan.receiptRequired} AND r.org_id % 5 = 0 THEN '已收到，已按通知要求部署落实。' END
        FROM (
          SELECT ra.org_id, min(ra.user_id) AS user_id FROM role_assignment ra
          WHERE ra.role IN ('bureau_officer', 'school_leader', 'school_security') GROUP BY ra.org_id
        ) reader
        WHERE r.notice_id = ${notice.id} AND reader.org_id = r.org_id AND r.org_id % 10 < ${cutoff}
          AND NOT (r.org_id = ANY(${exclude}::int[]))`.execute(trx);
      await sql`
        UPDATE notice SET
          recipient_count = (SELECT count(*) FROM notice_recipient WHERE notice_id = ${notice.id}),
          read_count = (SELECT count(*) FROM notice_recipient WHERE notice_id = ${notice.id} AND read_at IS NOT NULL),
          replied_count = (SELECT count(*) FROM notice_recipient WHERE notice_id = ${notice.id} AND replied_at IS NOT NULL)
        WHERE id = ${notice.id}`.execute(trx);
    }
  }

  // Urgent reports at the first school of the first county of the first city.
  const county = bureaus.rows.find((row) => row.level === 'county' && row.path.startsWith(city.path));
  if (!county) return;
  const school = await sql<{ id: number; path: string; user_id: number | null }>`
    SELECT o.id, o.path,
      (SELECT min(user_id) FROM role_assignment WHERE org_id = o.id AND role = 'school_security') AS user_id
    FROM org_unit o WHERE o.parent_id = ${county.id} AND o.level = 'school' ORDER BY o.code LIMIT 1`.execute(trx);
  const target = school.rows[0];
  if (!target?.user_id) return;
  const reports = [
    {
      severity: 'ordinary' as const,
      category: 'safety_accident',
      occurredAt: new Date(now.getTime() - 2 * DAY - 3 * HOUR),
      delayMinutes: 40,
      place: '学校操场东侧篮球场',
      description: '体育课上两名学生相撞，一名学生左臂骨折，校医现场处置后由班主任陪同送区人民医院治疗。',
      measures: '已通知家长；已对体育课组织进行复查，调整分组练习方式。',
      injuries: 1,
      acknowledged: true,
    },
    {
      severity: 'larger' as const,
      category: 'public_health',
      occurredAt: new Date(now.getTime() - 50 * 60_000),
      delayMinutes: 20,
      place: '学校食堂',
      description: '午餐后 12 名学生出现腹痛、呕吐等症状，疑似食物中毒，已送医观察。',
      measures: '已封存当日留样食品，通知市场监管部门和疾控中心，暂停食堂供餐。',
      injuries: 12,
      acknowledged: false,
    },
  ];
  for (const report of reports) {
    const reportedAt = new Date(report.occurredAt.getTime() + report.delayMinutes * 60_000);
    const deadlines = urgentDeadlines(report.severity, report.occurredAt, reportedAt, DEFAULT_URGENT_MINUTES);
    const row = await trx
      .insertInto('urgent_report')
      .values({
        school_id: target.id,
        org_path: target.path,
        category: report.category,
        severity: report.severity,
        occurred_at: report.occurredAt,
        place: report.place,
        description: report.description,
        measures: report.measures,
        injuries: report.injuries,
        phoned: report.severity !== 'ordinary',
        reported_by: target.user_id,
        reported_at: reportedAt,
        written_by: deadlines.writtenBy,
        phone_by: deadlines.phoneBy,
        late: deadlines.late,
        handling_org_id: county.id,
        handling_level: 'county',
        state: report.acknowledged ? 'acknowledged' : 'pending',
        acknowledge_by: report.acknowledged ? null : deadlines.acknowledgeBy,
        acknowledged_at: report.acknowledged ? new Date(reportedAt.getTime() + 25 * 60_000) : null,
        acknowledged_by: report.acknowledged ? county.user_id : null,
        acknowledged_org_id: report.acknowledged ? county.id : null,
        acknowledge_note: report.acknowledged ? '已收悉，请做好学生及家长安抚工作，及时续报。' : null,
        followup_count: report.acknowledged ? 1 : 0,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (report.acknowledged) {
      await trx
        .insertInto('urgent_report_followup')
        .values({
          report_id: row.id,
          org_path: target.path,
          text: '受伤学生已完成手术，情况稳定；学校已与家长沟通，保险理赔手续办理中。',
          created_by: target.user_id,
          created_at: new Date(reportedAt.getTime() + DAY),
        })
        .execute();
    }
  }
}
