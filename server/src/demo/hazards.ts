import { type AlertPolicy, alertsDue, type HazardCategory, type HazardState, nextAlertAt } from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../db/schema.js';

/**
 * Demo hazards: every demo school gets 5–15, in every state, each with the timeline the API would have
 * written (report → confirm → assign → rectify → verify, returns, supervision notices and progress reports,
 * overdue notices and escalations), so that the ledger, the detail page, the statistics and the
 * supervision board have something true-to-life to show. Titles follow the seed documents' checklists
 * (消防、治安、交通、食品、校舍、危化品、特种设备、周边环境). Deterministic: the same demo every time.
 */

interface Template {
  title: string;
  category: HazardCategory;
  /** Place code in the school (data.ts placesFor); missing places fall back to none. */
  place?: string;
  description: string;
  /** Department key (data.ts DEPARTMENTS) that fixes it. */
  unit: 'bwc' | 'zwc' | 'jwc' | 'xsc';
  measures: string;
  interim: string;
  funds: number;
  rectification: string;
}

const TEMPLATES: Template[] = [
  {
    title: '灭火器过期未更换',
    category: 'fire',
    place: 'B1',
    description: '教学楼二层走廊4具干粉灭火器压力表指针在红区，检验标签已过期。',
    unit: 'zwc',
    measures: '更换过期灭火器，全面检查各楼层灭火器压力与有效期并建立月检记录。',
    interim: '从相邻楼层临时调配灭火器，张贴提示，指定专人每日巡查。',
    funds: 1200,
    rectification: '已更换4具新灭火器，全楼灭火器逐一检查并登记月检卡。',
  },
  {
    title: '疏散通道堆放杂物',
    category: 'fire',
    place: 'B2',
    description: '实验楼一层东侧疏散通道堆放废旧课桌椅和纸箱，通道宽度不足1米。',
    unit: 'zwc',
    measures: '清理通道杂物，废旧桌椅统一入库或报废处置，通道划线禁止堆放。',
    interim: '立即清出主通道，安排保安每日两次巡查通道畅通情况。',
    funds: 0,
    rectification: '杂物已全部清运，通道地面已划禁止堆放标线。',
  },
  {
    title: '安全出口指示灯损坏',
    category: 'fire',
    place: 'B1',
    description: '教学楼三层西侧安全出口指示灯不亮，应急照明灯断电测试无法点亮。',
    unit: 'zwc',
    measures: '更换损坏的疏散指示灯和应急照明灯，全楼进行断电测试。',
    interim: '在出口处张贴夜光疏散标识，晚自习期间安排值班教师引导。',
    funds: 800,
    rectification: '更换指示灯3个、应急灯2个，断电测试全部正常。',
  },
  {
    title: '电动车在楼道内充电',
    category: 'fire',
    place: 'B3',
    description: '食堂后门楼道内有员工电动自行车私拉电线充电。',
    unit: 'bwc',
    measures: '拆除私拉电线，建设集中充电车棚，开展电动车消防安全教育。',
    interim: '禁止楼道停放充电，电动车一律停放到室外车棚。',
    funds: 15000,
    rectification: '私拉电线已拆除，集中充电车棚已建成投入使用。',
  },
  {
    title: '校门口防冲撞设施缺失',
    category: 'public_order',
    place: 'G-S',
    description: '南门（正门）未设置硬质防冲撞设施，上下学时段人员密集。',
    unit: 'bwc',
    measures: '在校门口安装升降式防冲撞柱和防撞墩，纳入护学岗日常检查。',
    interim: '上下学时段放置临时隔离墩，保安和护学岗民警到岗值守。',
    funds: 60000,
    rectification: '已安装防冲撞升降柱6根、防撞墩4个，验收合格。',
  },
  {
    title: '围墙破损可攀爬',
    category: 'public_order',
    description: '操场北侧围墙约3米长墙体破损，外侧堆土可直接攀爬进入校园。',
    place: 'A-FIELD',
    unit: 'zwc',
    measures: '修补围墙并加装防攀爬刺网，清理外侧堆土，纳入周界报警覆盖。',
    interim: '临时拉设铁丝网，夜间加强巡逻，监控室重点关注该区域。',
    funds: 18000,
    rectification: '围墙已修复并加装防攀爬刺网，周界报警已覆盖。',
  },
  {
    title: '监控探头画面模糊',
    category: 'public_order',
    place: 'KP-MON',
    description: '监控室显示北门、操场两路摄像头画面模糊，录像保存不足30天。',
    unit: 'bwc',
    measures: '更换老化摄像头，扩容录像存储至30天以上。',
    interim: '北门和操场安排人工定时巡查。',
    funds: 9000,
    rectification: '更换摄像头2台，新增硬盘，录像保存已达30天。',
  },
  {
    title: '一键报警装置无响应',
    category: 'public_order',
    place: 'G-S',
    description: '门卫室一键报警按钮测试时公安联网平台未收到报警信号。',
    unit: 'bwc',
    measures: '联系设备厂家检修报警线路，与属地派出所联调测试。',
    interim: '门卫室配备对讲机并张贴派出所值班电话。',
    funds: 1500,
    rectification: '已更换报警主机，与派出所联调测试成功。',
  },
  {
    title: '上下学时段车辆乱停',
    category: 'traffic',
    place: 'G-S',
    description: '放学时段接送车辆在校门口双排停放，占用人行道。',
    unit: 'bwc',
    measures: '联系交警设置临时停车区和禁停标志，实行错峰放学。',
    interim: '护学岗人员引导车辆停放，家长志愿者协助疏导。',
    funds: 3000,
    rectification: '交警已施划临时停车区，错峰放学方案已执行。',
  },
  {
    title: '校门口缺少人行横道',
    category: 'traffic',
    place: 'G-N',
    description: '北门外道路无人行横道和减速设施，学生横穿马路存在危险。',
    unit: 'bwc',
    measures: '报请交通管理部门施划人行横道、设置减速带和警示标志。',
    interim: '上下学时段安排保安在北门外护送学生过马路。',
    funds: 0,
    rectification: '交管部门已施划人行横道并设置减速带。',
  },
  {
    title: '食堂留样不足48小时',
    category: 'food',
    place: 'KP-KITCHEN',
    description: '检查发现前一日午餐留样已被清理，留样记录不全。',
    unit: 'zwc',
    measures: '严格执行每餐每样留样125克、冷藏48小时制度，专人负责留样登记。',
    interim: '由食堂管理员每日核对留样柜并拍照留存。',
    funds: 0,
    rectification: '已重新培训食堂人员，留样记录连续两周完整。',
  },
  {
    title: '从业人员健康证过期',
    category: 'food',
    place: 'B3',
    description: '食堂2名从业人员健康证已过期。',
    unit: 'zwc',
    measures: '过期人员暂停上岗并办理健康证，建立健康证到期提醒台账。',
    interim: '相关人员调离直接接触入口食品岗位。',
    funds: 200,
    rectification: '2人已重新办理健康证，台账已建立。',
  },
  {
    title: '冷藏柜温度超标',
    category: 'food',
    place: 'KP-KITCHEN',
    description: '后厨冷藏柜实测温度9℃，超过0–8℃要求。',
    unit: 'zwc',
    measures: '维修冷藏柜压缩机，加装温度记录仪。',
    interim: '冷藏食品转移至备用冰柜，每两小时记录一次温度。',
    funds: 2500,
    rectification: '压缩机已维修，温度稳定在4℃，已加装温度记录仪。',
  },
  {
    title: '楼梯扶手松动',
    category: 'building',
    place: 'B1',
    description: '教学楼西侧楼梯二至三层扶手固定螺栓松动，晃动明显。',
    unit: 'zwc',
    measures: '更换固定螺栓并加固扶手，全校楼梯扶手排查一遍。',
    interim: '设置警示标识，课间安排值日教师在楼梯口疏导。',
    funds: 1800,
    rectification: '扶手已加固，全校楼梯扶手排查完毕无其他问题。',
  },
  {
    title: '教学楼外墙瓷砖脱落',
    category: 'building',
    place: 'B1',
    description: '教学楼南立面四层窗下外墙瓷砖脱落，下方为学生通道。',
    unit: 'zwc',
    measures: '搭设脚手架清除空鼓瓷砖，外墙整体检测并修缮。',
    interim: '下方通道拉设警戒线并改道通行。',
    funds: 45000,
    rectification: '空鼓瓷砖已全部清除，外墙已修缮并通过检测。',
  },
  {
    title: '屋面渗漏',
    category: 'building',
    place: 'B2',
    description: '实验楼顶层屋面渗水，雨后吊顶受潮、电线管有积水。',
    unit: 'zwc',
    measures: '屋面防水层翻修，检查并更换受潮线路。',
    interim: '渗水教室停用，切断该区域照明电源。',
    funds: 32000,
    rectification: '屋面防水已翻修，受潮线路已更换，闭水试验合格。',
  },
  {
    title: '实验室危化品未双人双锁',
    category: 'hazardous_chemicals',
    place: 'KP-CHEM',
    description: '化学实验室药品柜仅一把锁，钥匙由一名实验员保管，领用无登记。',
    unit: 'jwc',
    measures: '危化品柜实行双人双锁管理，建立领用登记和月度盘点制度。',
    interim: '药品柜暂由保卫处加锁，实验课前由两人共同开柜。',
    funds: 3000,
    rectification: '已更换双锁药品柜，领用登记和盘点台账已建立。',
  },
  {
    title: '危化品台账与实物不符',
    category: 'hazardous_chemicals',
    place: 'KP-CHEM',
    description: '盘点发现浓硫酸、乙醇库存量与台账记录不一致。',
    unit: 'jwc',
    measures: '全面盘点危化品，查明差异原因，规范出入库登记。',
    interim: '暂停危化品领用，实验课改用演示实验。',
    funds: 0,
    rectification: '盘点完成，差异系登记遗漏，已补登并完善出入库制度。',
  },
  {
    title: '实验室缺少洗眼器',
    category: 'hazardous_chemicals',
    place: 'KP-LAB',
    description: '科学实验室未配备紧急洗眼器和急救箱。',
    unit: 'jwc',
    measures: '配备洗眼器、急救箱，张贴化学品灼伤应急处置流程。',
    interim: '实验课暂停使用腐蚀性试剂。',
    funds: 1600,
    rectification: '洗眼器和急救箱已配备，应急流程已张贴。',
  },
  {
    title: '配电房无防鼠挡板',
    category: 'special_equipment',
    place: 'KP-POWER',
    description: '配电房门口未设防鼠挡板，室内堆放纸箱等可燃物。',
    unit: 'zwc',
    measures: '安装防鼠挡板，清理可燃物，配电房上锁并张贴警示。',
    interim: '立即清除可燃物，配电房门常闭上锁。',
    funds: 600,
    rectification: '防鼠挡板已安装，可燃物已清理。',
  },
  {
    title: '电梯年检过期',
    category: 'special_equipment',
    place: 'B2',
    description: '实验楼电梯检验合格标志已过有效期一个月。',
    unit: 'zwc',
    measures: '联系特种设备检验机构年检，与维保单位签订维保合同。',
    interim: '电梯停止使用并张贴停用告示。',
    funds: 2800,
    rectification: '电梯年检合格，已张贴新的检验合格标志。',
  },
  {
    title: '校门口流动摊贩聚集',
    category: 'surroundings',
    place: 'G-S',
    description: '放学时段校门口有流动摊贩售卖无证食品，占道经营。',
    unit: 'bwc',
    measures: '报请城管、市场监管部门联合整治，设置校园周边禁止摆摊区域。',
    interim: '护学岗人员劝离摊贩，提醒学生不购买无证食品。',
    funds: 0,
    rectification: '经城管联合整治，校门口已无流动摊贩。',
  },
  {
    title: '周边施工工地围挡缺失',
    category: 'surroundings',
    place: 'G-N',
    description: '北门外道路施工工地围挡缺失，沟槽无防护。',
    unit: 'bwc',
    measures: '函告施工单位补设围挡和夜间警示灯，报住建部门督促。',
    interim: '北门暂时关闭，学生改由南门出入。',
    funds: 0,
    rectification: '施工单位已补设围挡和警示灯，北门恢复通行。',
  },
  {
    title: '宿舍门禁失效',
    category: 'public_order',
    place: 'B4',
    description: '学生宿舍一楼门禁刷卡后门锁不能闭合，夜间无法落锁。',
    unit: 'xsc',
    measures: '维修门禁电锁，宿管夜间查寝后核查门锁状态。',
    interim: '宿管人员夜间加挂机械锁并每两小时巡查一次。',
    funds: 2200,
    rectification: '门禁电锁已更换，夜间落锁正常。',
  },
  {
    title: '应急演练记录不全',
    category: 'other',
    description: '本学期消防疏散演练无方案、无签到、无总结评估。',
    unit: 'bwc',
    measures: '补充完善演练方案，本月内组织一次全员疏散演练并评估。',
    interim: '班主任利用班会课开展疏散路线教育。',
    funds: 0,
    rectification: '已组织全员疏散演练，方案、签到表、评估总结齐全。',
  },
];

const REJECT_REASONS = [
  '经现场复核，设施完好，系误报',
  '属于日常维修事项，已由后勤当场处理，不构成安全隐患',
  '与已登记隐患重复，合并处理',
];

const RETURN_REASONS = ['整改照片不清晰，未见整改后全貌，请补充并彻底整改', '现场复查仍有部分问题未整改到位'];

const SUPERVISION_REQUIREMENTS =
  '挂牌督办：学校主要负责人牵头，制定整改方案，落实资金和责任人，每周报送整改进展，整改完成后报督办单位验收销号。';

const DAY = 86_400_000;
const HOUR = 3_600_000;
export const DEFAULT_ALERT_POLICY: AlertPolicy = { reminderHours: 24, escalationGraceHours: 72 };

/** A small deterministic generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 17:00 in Shanghai (09:00 UTC) of the day `days` from `now`: deadlines fall at the end of a working day. */
function endOfDay(now: Date, days: number): Date {
  const day = new Date(now.getTime() + days * DAY);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 9, 0, 0));
}

interface Person {
  id: number;
  name: string;
}

interface SchoolFacts {
  id: number;
  path: string;
  countyId: number;
  cityId: number;
  provinceId: number;
  security: Person[];
  leaders: Person[];
  reporters: Person[];
  /** Department key → unit, its officer. */
  departments: Map<string, { id: number; name: string; path: string; officer: Person | null }>;
  places: Map<string, number>;
  countyBureau: Person | null;
  countyName: string;
}

interface EventRow {
  record_type: 'hazard';
  record_id: number;
  org_path: string;
  at: Date;
  actor_id: number | null;
  action: string;
  from_state: string | null;
  to_state: string | null;
  note: string | null;
  data: string;
}

/** States of the first six hazards of every school, so every school shows the whole loop. */
const FIRST_STATES: HazardState[] = ['closed', 'rectifying', 'reported', 'confirmed', 'rectified', 'rejected'];

function pickState(rng: () => number): HazardState {
  const r = rng();
  if (r < 0.5) return 'closed';
  if (r < 0.75) return 'rectifying';
  if (r < 0.83) return 'rectified';
  if (r < 0.91) return 'reported';
  if (r < 0.96) return 'confirmed';
  return 'rejected';
}

async function readSchools(db: Kysely<DB>): Promise<SchoolFacts[]> {
  const schools = await db
    .selectFrom('org_unit as school')
    .innerJoin('org_unit as county', 'county.id', 'school.parent_id')
    .innerJoin('org_unit as city', 'city.id', 'county.parent_id')
    .select([
      'school.id',
      'school.path',
      'county.id as county_id',
      'county.name as county_name',
      'city.id as city_id',
      'city.parent_id as province_id',
    ])
    .where('school.level', '=', 'school')
    .orderBy('school.id')
    .execute();
  const roles = await db
    .selectFrom('role_assignment')
    .innerJoin('app_user', 'app_user.id', 'role_assignment.user_id')
    .select([
      'role_assignment.org_id',
      'role_assignment.role',
      'app_user.id',
      'app_user.display_name',
      'app_user.username',
    ])
    .orderBy('app_user.id')
    .execute();
  const departments = await db
    .selectFrom('org_unit')
    .select(['id', 'parent_id', 'code', 'name', 'path'])
    .where('level', '=', 'department')
    .execute();
  const places = await db.selectFrom('place').select(['id', 'org_id', 'code']).execute();

  const byOrg = new Map<number, { role: string; person: Person }[]>();
  for (const row of roles) {
    const list = byOrg.get(row.org_id) ?? [];
    list.push({ role: row.role, person: { id: row.id, name: row.display_name } });
    byOrg.set(row.org_id, list);
  }
  const withRole = (orgId: number, role: string) =>
    (byOrg.get(orgId) ?? []).filter((entry) => entry.role === role).map((entry) => entry.person);

  return schools.map((school) => {
    const units = new Map<string, { id: number; name: string; path: string; officer: Person | null }>();
    for (const department of departments) {
      if (department.parent_id !== school.id) continue;
      const key = department.code.slice(department.code.lastIndexOf('-') + 1);
      units.set(key, {
        id: department.id,
        name: department.name,
        path: department.path,
        officer: withRole(department.id, 'department_officer')[0] ?? null,
      });
    }
    const schoolPlaces = new Map<string, number>();
    for (const place of places) if (place.org_id === school.id) schoolPlaces.set(place.code, place.id);
    return {
      id: school.id,
      path: school.path,
      countyId: school.county_id,
      cityId: school.city_id,
      provinceId: school.province_id!,
      security: withRole(school.id, 'school_security'),
      leaders: withRole(school.id, 'school_leader'),
      reporters: [
        ...withRole(school.id, 'teacher'),
        ...withRole(school.id, 'guard'),
        ...withRole(school.id, 'student_officer'),
      ],
      departments: units,
      places: schoolPlaces,
      countyBureau: withRole(school.county_id, 'bureau_officer')[0] ?? null,
      countyName: school.county_name,
    };
  });
}

/**
 * Adds the demo hazards and their timelines; returns how many hazards were added. Run inside the demo
 * load's transaction, after the org tree, accounts and places.
 */
export async function loadDemoHazards(
  db: Kysely<DB>,
  now = new Date(),
  policy: AlertPolicy = DEFAULT_ALERT_POLICY,
): Promise<number> {
  const schools = (await readSchools(db)).filter((school) => school.security.length > 0);
  const hazards: Record<string, unknown>[] = [];
  const events: EventRow[] = [];
  // Hazards numbered in report order, so codes and ids grow with time as the API's would.
  const planned: { school: SchoolFacts; index: number; state: HazardState; rng: () => number; age: number }[] = [];

  schools.forEach((school, schoolIndex) => {
    const rng = random(20261123 + schoolIndex * 7919);
    const count = 6 + Math.floor(rng() * 10);
    for (let index = 0; index < count; index++) {
      const state = index < FIRST_STATES.length ? FIRST_STATES[index]! : pickState(rng);
      // Open ones are recent, finished ones up to half a year old.
      const age =
        state === 'closed' || state === 'rejected'
          ? 20 + rng() * 160
          : state === 'reported'
            ? 0.2 + rng() * 3
            : state === 'confirmed'
              ? 1 + rng() * 5
              : 5 + rng() * 40;
      planned.push({ school, index, state, rng: random(rng() * 2 ** 32), age });
    }
  });
  planned.sort((a, b) => b.age - a.age);
  const ids = await sql<{ id: number }>`
    SELECT nextval(pg_get_serial_sequence('hazard', 'id'))::int AS id FROM generate_series(1, ${planned.length})`.execute(
    db,
  );

  // Major hazards are supervised by the county bureau (挂牌督办).
  const countiesWithMajor = new Set<string>();
  planned.forEach((plan, n) => {
    const id = ids.rows[n]!.id;
    const { school, state, rng } = plan;
    const template = TEMPLATES[(plan.index * 7 + school.id) % TEMPLATES.length]!;
    const reportedAt = new Date(now.getTime() - plan.age * DAY);
    const spotCheck = school.countyBureau !== null && plan.index === 6 && rng() < 0.4;
    const security = school.security[0]!;
    const unit = school.departments.get(template.unit) ?? school.departments.get('zwc') ?? null;
    // A department officer reports inside their department; teachers, guards and student officers for the school.
    const byOfficer = !spotCheck && unit?.officer && rng() < 0.3;
    const reporter = spotCheck
      ? school.countyBureau!
      : byOfficer
        ? unit!.officer!
        : (school.reporters[Math.floor(rng() * school.reporters.length)] ?? security);
    const department = byOfficer ? unit : null;
    const orgPath = department ? department.path : school.path;
    const responsible = unit?.officer ?? school.leaders[0] ?? security;
    const placeId = template.place ? (school.places.get(template.place) ?? null) : null;
    const graded = state !== 'reported' && state !== 'rejected';
    // One finished and one open major hazard per county, on the county's supervision board.
    const majorKey = `${school.countyId}:${state === 'closed' ? 'closed' : 'open'}`;
    const wantsMajor =
      graded && !countiesWithMajor.has(majorKey) && school.countyBureau !== null && template.funds >= 15000;
    if (wantsMajor) countiesWithMajor.add(majorKey);
    const grade = !graded ? null : wantsMajor ? 'major' : template.funds >= 15000 || rng() < 0.1 ? 'larger' : 'general';
    const riskLevel =
      grade === null
        ? null
        : grade === 'major'
          ? 'red'
          : grade === 'larger'
            ? 'orange'
            : rng() < 0.5
              ? 'yellow'
              : 'blue';
    const noticed = grade === 'major';
    const supervised = spotCheck || noticed;
    const supervisor = supervised ? school.countyBureau : null;

    const add = (
      at: Date,
      actor: Person | null,
      action: string,
      from: HazardState | null,
      to: HazardState | null,
      note: string | null,
      data: Record<string, unknown> | null,
    ) =>
      events.push({
        record_type: 'hazard',
        record_id: id,
        org_path: orgPath,
        at,
        actor_id: actor?.id ?? null,
        action,
        from_state: from,
        to_state: to,
        note,
        data: JSON.stringify(data),
      });

    // The steps happen in order over the hazard's life so far.
    const age = plan.age * DAY;
    const at = (fraction: number) => new Date(reportedAt.getTime() + age * fraction);
    const source = spotCheck ? 'spot_check' : 'report';
    const description = spotCheck ? `督导检查发现：${template.description}` : template.description;
    add(reportedAt, reporter, 'report', null, 'reported', description, {
      photoIds: [],
      category: template.category,
      source,
    });
    let updatedAt = reportedAt;
    let rejectReason: string | null = null;
    let deadline: Date | null = null;
    let rectifiedAt: Date | null = null;
    let closedAt: Date | null = null;
    let closedBy: number | null = null;
    let supervisionDeadline: Date | null = null;
    let supervisedAt: Date | null = spotCheck ? reportedAt : null;
    let rectificationNote: string | null = null;
    let remindedAt: Date | null = null;
    let overdueNotifiedAt: Date | null = null;
    let escalationLevel = 0;
    let escalatedAt: Date | null = null;
    const assigned = state === 'rectifying' || state === 'rectified' || state === 'closed';

    if (state === 'rejected') {
      rejectReason = REJECT_REASONS[Math.floor(rng() * REJECT_REASONS.length)]!;
      updatedAt = at(0.02);
      add(updatedAt, security, 'reject', 'reported', 'rejected', rejectReason, {});
    }
    if (graded) {
      updatedAt = at(state === 'confirmed' ? 0.3 : 0.03);
      add(updatedAt, security, 'confirm', 'reported', 'confirmed', null, { grade, riskLevel });
    }
    if (noticed && supervisor) {
      supervisedAt = at(state === 'confirmed' ? 0.6 : 0.05);
      supervisionDeadline = endOfDay(supervisedAt, 60);
      if (supervisionDeadline.getTime() <= now.getTime()) supervisionDeadline = endOfDay(now, 30);
      updatedAt = supervisedAt;
      add(supervisedAt, supervisor, 'supervise', 'confirmed', 'confirmed', SUPERVISION_REQUIREMENTS, {
        supervisingOrgName: `${school.countyName}教育局`,
        deadline: supervisionDeadline.toISOString(),
      });
    }
    if (assigned) {
      const assignedAt = at(0.08);
      // Closed and rectified ones were mostly fixed in time; open ones: about a third are overdue.
      const overdue = state === 'rectifying' && rng() < 0.35;
      deadline =
        state === 'rectifying'
          ? overdue
            ? endOfDay(now, -(1 + Math.floor(rng() * 10)))
            : endOfDay(now, 2 + Math.floor(rng() * 20))
          : endOfDay(assignedAt, 7 + Math.floor(rng() * 20));
      if (deadline.getTime() <= assignedAt.getTime()) deadline = endOfDay(assignedAt, 3);
      if (noticed && supervisionDeadline && supervisionDeadline.getTime() < deadline.getTime()) {
        supervisionDeadline = deadline;
      }
      updatedAt = assignedAt;
      add(assignedAt, security, 'assign', 'confirmed', 'rectifying', null, {
        responsibleUnit: unit?.name ?? '总务处',
        responsibleUserId: responsible.id,
        responsibleUserName: responsible.name,
        measures: template.measures,
        funds: template.funds,
        deadline: deadline.toISOString(),
        interimMeasures: template.interim,
      });
      if (supervised) {
        const progressAt = new Date(assignedAt.getTime() + Math.min(0.01 * age, 12 * HOUR));
        updatedAt = progressAt;
        add(
          progressAt,
          security,
          'progress',
          'rectifying',
          'rectifying',
          '已制定整改方案，资金已落实，正在组织施工。',
          {
            photoIds: [],
          },
        );
      }
      if (state === 'closed' || state === 'rectified') {
        // Some fixes are sent back once before they pass (返工).
        const returned = state === 'closed' && rng() < 0.2;
        if (returned) {
          const firstFix = at(0.4);
          add(firstFix, responsible, 'rectify', 'rectifying', 'rectified', template.rectification, { photoIds: [] });
          const returnAt = at(0.45);
          const reason = RETURN_REASONS[Math.floor(rng() * RETURN_REASONS.length)]!;
          deadline = endOfDay(returnAt, 5);
          add(returnAt, supervised ? supervisor : security, 'return', 'rectified', 'rectifying', reason, {
            deadline: deadline.toISOString(),
          });
        }
        // Fixed a little before the deadline, or at 70–90% of the way to now if that is earlier.
        rectifiedAt = new Date(
          Math.min(at(state === 'rectified' ? 0.9 : 0.7).getTime(), deadline.getTime() - (1 + rng() * 48) * HOUR),
        );
        rectificationNote = template.rectification;
        updatedAt = rectifiedAt;
        add(rectifiedAt, responsible, 'rectify', 'rectifying', 'rectified', template.rectification, { photoIds: [] });
        // Reminded if the deadline came near before the fix.
        if (rectifiedAt.getTime() > deadline.getTime() - policy.reminderHours * HOUR) {
          remindedAt = new Date(deadline.getTime() - policy.reminderHours * HOUR + 60_000);
        }
      }
      if (state === 'closed') {
        closedAt = at(0.8);
        const verifier = supervised && supervisor ? supervisor : security;
        closedBy = verifier.id;
        updatedAt = closedAt;
        add(closedAt, verifier, 'verify', 'rectified', 'closed', '现场复查，整改到位，同意销号。', {});
      }
      if (state === 'rectifying') {
        // What the sweeper would have sent by now: a reminder, the overdue notice, escalations.
        const reminder = deadline.getTime() - policy.reminderHours * HOUR;
        if (reminder <= now.getTime()) remindedAt = new Date(Math.max(reminder, assignedAt.getTime()) + 60_000);
        if (deadline.getTime() <= now.getTime()) {
          overdueNotifiedAt = new Date(deadline.getTime() + 60_000);
          add(overdueNotifiedAt, null, 'overdue', null, null, null, { deadline: deadline.toISOString() });
          updatedAt = overdueNotifiedAt;
          const grace = policy.escalationGraceHours * HOUR;
          const level = Math.min(3, Math.floor((now.getTime() - deadline.getTime()) / grace));
          for (let step = 1; step <= level; step++) {
            escalatedAt = new Date(deadline.getTime() + step * grace);
            add(escalatedAt, null, 'escalate', null, null, null, { level: step });
          }
          escalationLevel = level;
          if (escalatedAt) updatedAt = escalatedAt;
        }
      }
    }
    const facts = { state, deadline, remindedAt, overdueNotifiedAt, escalationLevel };
    if (alertsDue(facts, now, policy).length > 0) throw new Error(`demo hazard ${id} owes an alert`);

    hazards.push({
      id,
      code: `YH${reportedAt.getUTCFullYear()}${String(id).padStart(7, '0')}`,
      org_path: orgPath,
      province_id: school.provinceId,
      city_id: school.cityId,
      county_id: school.countyId,
      school_id: school.id,
      department_id: department?.id ?? null,
      title: template.title,
      description,
      category: template.category,
      place_id: placeId,
      plan_x: null,
      plan_y: null,
      source,
      inspection_id: null,
      reported_by: reporter.id,
      reported_at: reportedAt,
      state,
      grade,
      risk_level: riskLevel,
      reject_reason: rejectReason,
      responsible_unit: assigned ? (unit?.name ?? '总务处') : null,
      responsible_user_id: assigned ? responsible.id : null,
      measures: assigned ? template.measures : null,
      funds: assigned ? template.funds : null,
      deadline,
      interim_measures: assigned ? template.interim : null,
      rectification_note: rectificationNote,
      rectified_at: rectifiedAt,
      closed_at: closedAt,
      closed_by: closedBy,
      supervised,
      supervising_org_id: supervised ? school.countyId : null,
      supervision_deadline: noticed ? supervisionDeadline : null,
      supervision_requirements: noticed && supervisor ? SUPERVISION_REQUIREMENTS : null,
      supervised_at: supervised ? supervisedAt : null,
      reminded_at: remindedAt,
      overdue_notified_at: overdueNotifiedAt,
      escalation_level: escalationLevel,
      escalated_at: escalatedAt,
      next_alert_at: nextAlertAt(facts, policy),
      created_at: reportedAt,
      updated_at: updatedAt,
    });
  });

  for (let start = 0; start < hazards.length; start += 300) {
    await db
      .insertInto('hazard')
      .values(hazards.slice(start, start + 300) as never)
      .execute();
  }
  // Event ids follow time within each hazard: the timeline reads in id order.
  events.sort((a, b) => a.record_id - b.record_id || a.at.getTime() - b.at.getTime());
  for (let start = 0; start < events.length; start += 1000) {
    await db
      .insertInto('timeline_event')
      .values(events.slice(start, start + 1000))
      .execute();
  }
  return hazards.length;
}
