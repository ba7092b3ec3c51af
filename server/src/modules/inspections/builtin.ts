import { type ChecklistContent, checklistContent, type TemplateKind } from '@safe-campus/domain';

/**
 * Built-in checklist templates (owner none, read-only; schools copy and adapt). Drawn from the seeds — “每日对重点部位
 * 进行消防安全巡查，每周检查，每季度开展一次消防安全隐患排查，对发现的安全隐患登记造册并限期整改” (seed 002), “严格执行门卫管理、
 * 值班巡逻、防范守护等安全管理制度” (seed 001), “积极开展校园24小时治安巡逻巡查”, “定期开展校园治安秩序整治和危化物品管理检查”
 * — and common practice (《机关、团体、企业、事业单位消防安全管理规定》公安部令第61号 for the fire items).
 */
export interface BuiltinTemplate {
  code: string;
  name: string;
  kind: TemplateKind;
  description: string;
  content: ChecklistContent;
}

type Item = ChecklistContent[number]['items'][number];
const pf = (key: string, text: string, extra: Partial<Item> = {}): Item =>
  ({ key, text, type: 'pass_fail', required: true, photoRequired: true, hazardCategory: 'fire', ...extra }) as Item;
const num = (
  key: string,
  text: string,
  min: number | null,
  max: number | null,
  unit: string,
  extra: Partial<Item> = {},
) =>
  ({
    key,
    text,
    type: 'number',
    required: true,
    min,
    max,
    unit,
    photoRequired: true,
    hazardCategory: 'fire',
    ...extra,
  }) as Item;
const text = (key: string, t: string, required = false): Item => ({ key, text: t, type: 'text', required }) as Item;
const order: Partial<Item> = { hazardCategory: 'public_order' };

const FIRE_DAILY: ChecklistContent = [
  {
    title: '疏散通道与安全出口',
    items: [
      pf('exits-clear', '疏散通道、安全出口是否畅通，无堆放杂物、无上锁', {
        hint: '公安部令第61号第二十五条：任何单位、个人不得占用疏散通道，不得在安全出口上锁。',
      }),
      pf('exit-signs', '安全出口标志、疏散指示标志是否完好、常亮'),
      pf('emergency-lights', '应急照明灯是否完好有效'),
      pf('fire-doors', '常闭式防火门是否处于关闭状态，闭门器完好'),
    ],
  },
  {
    title: '消防设施器材',
    items: [
      pf('extinguisher-pressure', '灭火器压力是否在绿区，铅封完好、在有效期内'),
      pf('hydrant', '室内消火栓箱内水带、水枪齐全，箱门无遮挡'),
      pf('alarm-panel', '消防控制室火灾报警控制器运行正常、无故障报警'),
    ],
  },
  {
    title: '用火用电',
    items: [
      pf('no-illegal-power', '无私拉乱接电线、无违规使用大功率电器'),
      pf('no-smoking', '禁烟区域无吸烟、无违规动火'),
      pf('power-off', '放学后教室、办公室电源、门窗已关闭', { required: false }),
    ],
  },
  { title: '巡查记录', items: [text('remarks', '其他情况说明')] },
];

const FIRE_MONTHLY: ChecklistContent = [
  {
    title: '消防设施器材',
    items: [
      num('extinguisher-count-missing', '灭火器缺失或失效数量', 0, 0, '具'),
      pf('extinguisher-inspection-tag', '灭火器月检记录卡已填写'),
      num('hydrant-pressure', '最不利点消火栓静压', 0.07, null, 'MPa', {
        hint: '高层建筑最不利点静水压力一般不低于0.07MPa。',
      }),
      pf('sprinkler', '自动喷水灭火系统末端试水装置压力正常', { required: false }),
      pf('smoke-detectors', '抽查烟感探测器报警功能正常'),
    ],
  },
  {
    title: '重点部位',
    items: [
      pf('kitchen-gas', '食堂燃气管道、阀门无泄漏，燃气报警器有效'),
      pf('distribution-room', '配电房无杂物，设有灭火器材，警示标识完好'),
      pf('library-archives', '图书馆、档案室无违规用电，灭火器配置到位'),
    ],
  },
  {
    title: '消防安全管理',
    items: [
      pf('training', '本月已开展员工消防安全培训或宣传', { photoRequired: false }),
      pf('patrol-records', '每日防火巡查记录完整', { photoRequired: false }),
      text('remarks', '检查意见'),
    ],
  },
];

const FIRE_QUARTERLY: ChecklistContent = [
  {
    title: '消防安全责任',
    items: [
      pf('responsibility', '消防安全责任人、管理人明确，岗位职责落实', { photoRequired: false }),
      pf('plan-drill', '本学期已组织灭火和应急疏散演练', { photoRequired: false }),
      pf('ledger', '消防安全工作台账健全（巡查、检查、维保、培训记录）', { photoRequired: false }),
    ],
  },
  {
    title: '建筑防火',
    items: [
      pf('no-illegal-building', '无违章搭建、无彩钢板易燃可燃材料房屋用于住人或教学'),
      pf('evacuation', '教学楼、宿舍楼疏散楼梯、安全出口数量与宽度符合要求'),
      pf('window-bars', '人员密集场所外窗无影响逃生和灭火救援的铁栅栏、广告牌'),
    ],
  },
  {
    title: '消防设施',
    items: [
      pf('maintenance', '消防设施已委托具备资质的单位年度检测、维护保养', { photoRequired: false }),
      num('faulty-devices', '消防设施故障未修复数量', 0, 0, '处'),
      pf('fire-water', '消防水池、水箱水位正常，消防水泵能正常启动'),
    ],
  },
  { title: '排查结论', items: [text('conclusion', '隐患排查结论及整改要求', true)] },
];

const GATE: ChecklistContent = [
  {
    title: '门卫值守',
    items: [
      pf('guard-on-post', '门卫在岗在位，着装规范', order),
      pf('visitor-register', '外来人员、车辆登记核实，来访登记本填写完整', { ...order, photoRequired: false }),
      pf('equipment', '防暴器械（钢叉、盾牌、警棍等）配备齐全、放置在便于取用处', order),
      pf('barrier', '上下学时段防冲撞设施（隔离桩、升降柱）已启用', { hazardCategory: 'traffic', photoRequired: true }),
      pf('alarm-button', '一键报警装置与公安机关联网正常', order),
      pf('gate-closed', '非上下学时段校门关闭，实行封闭管理', order),
    ],
  },
  { title: '备注', items: [text('remarks', '值守情况说明')] },
];

const DORMITORY: ChecklistContent = [
  {
    title: '消防与用电',
    items: [
      pf('no-appliances', '宿舍内无违规电器（热得快、电热毯、电炉等）'),
      pf('no-open-fire', '无点蜡烛、焚烧杂物、吸烟等明火'),
      pf('exits', '宿舍楼疏散通道、安全出口畅通，夜间未锁闭'),
      pf('extinguishers', '楼层灭火器、应急照明、疏散指示完好'),
    ],
  },
  {
    title: '管理',
    items: [
      pf('attendance', '晚间查寝学生在寝情况清楚，缺勤已报告', {
        hazardCategory: 'public_order',
        photoRequired: false,
      }),
      pf('manager-on-duty', '宿管人员夜间值班在岗', { hazardCategory: 'public_order', photoRequired: false }),
      pf('windows-rails', '门窗、护栏、床铺护栏牢固', { hazardCategory: 'building' }),
      num('absent-count', '未归寝学生人数', 0, 0, '人', { hazardCategory: 'public_order', photoRequired: false }),
    ],
  },
  { title: '备注', items: [text('remarks', '检查情况说明')] },
];

const LAB: ChecklistContent = [
  {
    title: '危化品管理（三防：防火、防盗、防泄漏）',
    items: [
      pf('dual-lock', '危化品是否双人双锁保管，专柜存放', { hazardCategory: 'hazardous_chemicals' }),
      pf('ledger', '危化品出入库台账账物相符，领用有记录', {
        hazardCategory: 'hazardous_chemicals',
        photoRequired: false,
      }),
      pf('separation', '易燃、易爆、强氧化剂、剧毒品分类分柜存放，禁忌物品不混存', {
        hazardCategory: 'hazardous_chemicals',
      }),
      pf('leak', '试剂容器密封完好、标签清晰，无泄漏、无过期试剂', { hazardCategory: 'hazardous_chemicals' }),
      pf('ventilation', '试剂柜、实验室通风设施运行正常', { hazardCategory: 'hazardous_chemicals' }),
      num('temperature', '危化品储存室温度', null, 30, '℃', { hazardCategory: 'hazardous_chemicals' }),
    ],
  },
  {
    title: '防火防盗',
    items: [
      pf('extinguisher', '实验室配备适用的灭火器、灭火毯、洗眼器、喷淋装置'),
      pf('anti-theft', '门窗牢固，防盗门、监控、报警装置有效', { hazardCategory: 'public_order' }),
      pf('power', '实验结束后水、电、气已关闭'),
    ],
  },
  { title: '备注', items: [text('remarks', '检查情况说明')] },
];

const SCHOOL_BUS: ChecklistContent = [
  {
    title: '车辆与驾驶人',
    items: [
      pf('license', '校车标牌、驾驶人校车驾驶资格有效', { hazardCategory: 'traffic', photoRequired: false }),
      pf('inspection', '车辆按期年检，保险在有效期内', { hazardCategory: 'traffic', photoRequired: false }),
      pf('brakes-lights', '制动、转向、灯光、雨刮、轮胎状况良好', { hazardCategory: 'traffic' }),
      pf('safety-equipment', '灭火器、安全锤、急救箱配备齐全，安全出口可正常开启', { hazardCategory: 'traffic' }),
      pf('gps-video', '卫星定位和车内视频监控正常', { hazardCategory: 'traffic' }),
    ],
  },
  {
    title: '运行',
    items: [
      num('passengers', '实载人数', 0, null, '人', { hazardCategory: 'traffic', photoRequired: false }),
      pf('no-overload', '未超员，每名学生有座位并系好安全带', { hazardCategory: 'traffic' }),
      pf('attendant', '随车照管人员在岗，上下车清点人数', { hazardCategory: 'traffic', photoRequired: false }),
      pf('no-left-child', '到站后检查车厢，无学生滞留车内', { hazardCategory: 'traffic' }),
    ],
  },
];

const HOLIDAY: ChecklistContent = [
  {
    title: '消防与用电',
    items: [
      pf('power-off', '假期不用的教室、办公室、实验室切断电源'),
      pf('extinguishers', '灭火器、消火栓等消防器材完好有效'),
      pf('hazmat-sealed', '危化品已清点封存，双人双锁', { hazardCategory: 'hazardous_chemicals' }),
    ],
  },
  {
    title: '校舍与设施',
    items: [
      pf('buildings', '校舍、围墙、护栏无倾斜开裂等安全隐患', { hazardCategory: 'building' }),
      pf('flood', '防汛排水设施畅通（汛期）', { hazardCategory: 'building', required: false }),
      pf('canteen', '食堂食材清理、燃气阀门关闭', { hazardCategory: 'food' }),
    ],
  },
  {
    title: '值班安排',
    items: [
      pf('duty-roster', '假期值班表已排定，领导带班、24小时值班', {
        hazardCategory: 'public_order',
        photoRequired: false,
      }),
      pf('safety-education', '已开展假期安全教育，告家长书已发放', { hazardCategory: 'other', photoRequired: false }),
      text('remarks', '检查意见'),
    ],
  },
];

const SUPERVISION: ChecklistContent = [
  {
    title: '人防',
    items: [
      pf('security-staff', '专职保安员配备数量符合要求，持证上岗', {
        hazardCategory: 'public_order',
        photoRequired: false,
      }),
      pf('guard-duty', '门卫值守、巡逻制度落实，记录完整', { hazardCategory: 'public_order', photoRequired: false }),
    ],
  },
  {
    title: '物防',
    items: [
      pf('barriers', '校门口防冲撞设施、防护器械配备到位', { hazardCategory: 'public_order' }),
      pf('walls', '围墙、护栏完好，无可攀爬缺口', { hazardCategory: 'building' }),
    ],
  },
  {
    title: '技防',
    items: [
      pf('cctv', '视频监控覆盖重点部位、保存不少于30天', { hazardCategory: 'public_order' }),
      pf('alarm-link', '一键报警与公安机关联网正常', { hazardCategory: 'public_order' }),
    ],
  },
  {
    title: '制度与台账',
    items: [
      pf('fire-ledger', '防火巡查、季度隐患排查台账完整', { photoRequired: false }),
      pf('hazard-closure', '已发现隐患按期整改销号', { hazardCategory: 'other', photoRequired: false }),
      text('opinion', '督导意见', true),
    ],
  },
];

const PATROL: ChecklistContent = [
  {
    title: '巡逻点检查',
    items: [
      pf('area-safe', '巡逻点无可疑人员、无异常情况', { hazardCategory: 'public_order' }),
      pf('doors-locked', '门窗已关闭锁好', { hazardCategory: 'public_order' }),
      pf('lights-cctv', '照明、监控设备正常', { hazardCategory: 'public_order' }),
      pf('fire-safe', '无火情、无异味、无违规用电', { hazardCategory: 'fire' }),
    ],
  },
];

export const BUILTIN_TEMPLATES: BuiltinTemplate[] = [
  {
    code: 'builtin.fire_daily',
    name: '每日防火巡查',
    kind: 'fire_daily',
    description: '每日对重点部位进行消防安全巡查。',
    content: FIRE_DAILY,
  },
  {
    code: 'builtin.fire_monthly',
    name: '每月防火检查',
    kind: 'fire_monthly',
    description: '每月对消防设施器材和重点部位开展防火检查。',
    content: FIRE_MONTHLY,
  },
  {
    code: 'builtin.fire_quarterly',
    name: '季度消防安全隐患排查',
    kind: 'fire_quarterly',
    description: '每季度开展一次消防安全隐患排查，发现的隐患登记造册并限期整改。',
    content: FIRE_QUARTERLY,
  },
  {
    code: 'builtin.gate',
    name: '门卫值守检查',
    kind: 'gate',
    description: '门卫管理、封闭管理与防冲撞设施检查。',
    content: GATE,
  },
  {
    code: 'builtin.dormitory',
    name: '学生宿舍安全检查',
    kind: 'dormitory',
    description: '宿舍消防、用电与晚间管理检查。',
    content: DORMITORY,
  },
  {
    code: 'builtin.laboratory',
    name: '实验室危化品检查（三防）',
    kind: 'laboratory',
    description: '危化品防火、防盗、防泄漏检查。',
    content: LAB,
  },
  {
    code: 'builtin.school_bus',
    name: '校车安全检查',
    kind: 'school_bus',
    description: '校车车况、驾驶人与运行检查。',
    content: SCHOOL_BUS,
  },
  {
    code: 'builtin.holiday',
    name: '假期前安全大检查',
    kind: 'holiday',
    description: '寒暑假、节假日前的安全大检查。',
    content: HOLIDAY,
  },
  {
    code: 'builtin.supervision',
    name: '上级督导检查',
    kind: 'supervision',
    description: '教育局对学校人防、物防、技防和制度落实的督导检查。',
    content: SUPERVISION,
  },
  {
    code: 'builtin.patrol_night',
    name: '夜间安全巡逻',
    kind: 'patrol',
    description: '按巡逻路线逐点扫码，检查每个巡逻点。',
    content: PATROL,
  },
];

// Fail fast in development if a built-in template stops matching the schema.
for (const template of BUILTIN_TEMPLATES) checklistContent.parse(template.content);
