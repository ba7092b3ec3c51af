import type { SchoolType } from '@safe-campus/domain';

/**
 * The demo province: real administrative divisions (codes from GB/T 2260) with fictional schools.
 * School names follow common naming patterns but are made up, so that demo hazards and incidents
 * are never read as statements about a real school.
 */

export interface DemoSchool {
  name: string;
  type: SchoolType;
  /** Street and number; the province, city and county are prefixed. */
  street: string;
  /** Boarding schools get dormitories. */
  boarding?: boolean;
}

export interface DemoCounty {
  code: string;
  /** Short ASCII key used in user names, e.g. `xw` for 玄武区. */
  key: string;
  name: string;
  schools: DemoSchool[];
}

export interface DemoCity {
  code: string;
  key: string;
  name: string;
  counties: DemoCounty[];
}

export const DEMO_PROVINCE = { code: '320000', key: 'js', name: '江苏省' } as const;

export const DEMO_CITIES: DemoCity[] = [
  {
    code: '320100',
    key: 'nj',
    name: '南京市',
    counties: [
      {
        code: '320102',
        key: 'xw',
        name: '玄武区',
        schools: [
          { name: '南京市玄武区第一中学', type: 'secondary', street: '北京东路41号' },
          { name: '南京市玄武区珠江路小学', type: 'primary', street: '珠江路218号' },
          { name: '南京市玄武区龙蟠里幼儿园', type: 'kindergarten', street: '龙蟠中路96号' },
          { name: '南京钟山理工大学', type: 'university', street: '中山门大街301号', boarding: true },
        ],
      },
      {
        code: '320106',
        key: 'gl',
        name: '鼓楼区',
        schools: [
          { name: '南京市鼓楼区汉中门中学', type: 'secondary', street: '汉中路156号' },
          { name: '南京市鼓楼区广州路小学', type: 'primary', street: '广州路67号' },
          { name: '南京市鼓楼区清凉山幼儿园', type: 'kindergarten', street: '清凉门大街12号' },
          { name: '南京金陵师范学院', type: 'university', street: '北京西路122号', boarding: true },
          { name: '南京市鼓楼区中等专业学校', type: 'vocational', street: '中山北路280号', boarding: true },
        ],
      },
      {
        code: '320115',
        key: 'jn',
        name: '江宁区',
        schools: [
          { name: '南京市江宁区天元中学', type: 'secondary', street: '天元中路88号', boarding: true },
          { name: '南京市江宁区胜太路小学', type: 'primary', street: '胜太路59号' },
          { name: '南京市江宁区东山幼儿园', type: 'kindergarten', street: '上元大街35号' },
          { name: '南京江宁职业技术学院', type: 'vocational', street: '双龙大道1200号', boarding: true },
          { name: '南京方山工程学院', type: 'university', street: '弘景大道3601号', boarding: true },
        ],
      },
      {
        code: '320104',
        key: 'qh',
        name: '秦淮区',
        schools: [
          { name: '南京市秦淮区第二中学', type: 'secondary', street: '中华路206号' },
          { name: '南京市秦淮区瑞金路小学', type: 'primary', street: '瑞金路18号' },
          { name: '南京市秦淮区夫子庙幼儿园', type: 'kindergarten', street: '大光路77号' },
        ],
      },
    ],
  },
  {
    code: '320500',
    key: 'sz',
    name: '苏州市',
    counties: [
      {
        code: '320508',
        key: 'gs',
        name: '姑苏区',
        schools: [
          { name: '苏州市姑苏区平江中学', type: 'secondary', street: '人民路1308号' },
          { name: '苏州市姑苏区十全街小学', type: 'primary', street: '十全街46号' },
          { name: '苏州市姑苏区三香幼儿园', type: 'kindergarten', street: '三香路219号' },
          { name: '苏州东吴艺术学院', type: 'university', street: '干将东路158号', boarding: true },
        ],
      },
      {
        code: '320506',
        key: 'wz',
        name: '吴中区',
        schools: [
          { name: '苏州市吴中区木渎中学', type: 'secondary', street: '木渎金山路66号', boarding: true },
          { name: '苏州市吴中区宝带小学', type: 'primary', street: '宝带西路303号' },
          { name: '苏州市吴中区东吴幼儿园', type: 'kindergarten', street: '东吴北路25号' },
          { name: '苏州吴中中等专业学校', type: 'vocational', street: '吴中大道1888号', boarding: true },
        ],
      },
      {
        code: '320583',
        key: 'ks',
        name: '昆山市',
        schools: [
          { name: '昆山市柏庐中学', type: 'secondary', street: '柏庐中路199号' },
          { name: '昆山市前进路小学', type: 'primary', street: '前进中路432号' },
          { name: '昆山市玉山幼儿园', type: 'kindergarten', street: '马鞍山中路17号' },
          { name: '昆山第一中等专业学校', type: 'vocational', street: '朝阳东路501号', boarding: true },
          { name: '昆山阳澄湖科技学院', type: 'university', street: '学苑路8号', boarding: true },
        ],
      },
      {
        code: '320509',
        key: 'wj',
        name: '吴江区',
        schools: [
          { name: '苏州市吴江区松陵中学', type: 'secondary', street: '松陵大道220号' },
          { name: '苏州市吴江区鲈乡小学', type: 'primary', street: '鲈乡北路81号' },
          { name: '苏州市吴江区开平幼儿园', type: 'kindergarten', street: '开平路36号' },
        ],
      },
    ],
  },
  {
    code: '320400',
    key: 'cz',
    name: '常州市',
    counties: [
      {
        code: '320402',
        key: 'tn',
        name: '天宁区',
        schools: [
          { name: '常州市天宁区延陵中学', type: 'secondary', street: '延陵西路119号' },
          { name: '常州市天宁区青洋路小学', type: 'primary', street: '青洋北路45号' },
          { name: '常州市天宁区红梅幼儿园', type: 'kindergarten', street: '光华路23号' },
          { name: '常州龙城工学院', type: 'university', street: '竹林北路200号', boarding: true },
        ],
      },
      {
        code: '320404',
        key: 'zl',
        name: '钟楼区',
        schools: [
          { name: '常州市钟楼区勤业中学', type: 'secondary', street: '勤业路168号' },
          { name: '常州市钟楼区西新桥小学', type: 'primary', street: '西新桥路12号' },
          { name: '常州市钟楼区怀德幼儿园', type: 'kindergarten', street: '怀德中路58号' },
          { name: '常州钟楼中等专业学校', type: 'vocational', street: '南大街306号', boarding: true },
        ],
      },
      {
        code: '320412',
        key: 'wjn',
        name: '武进区',
        schools: [
          { name: '常州市武进区湖塘中学', type: 'secondary', street: '湖塘人民中路77号', boarding: true },
          { name: '常州市武进区延政小学', type: 'primary', street: '延政中路98号' },
          { name: '常州市武进区长虹幼儿园', type: 'kindergarten', street: '长虹中路31号' },
          { name: '常州武进职业教育中心校', type: 'vocational', street: '常武中路688号', boarding: true },
        ],
      },
      {
        code: '320411',
        key: 'xb',
        name: '新北区',
        schools: [
          { name: '常州市新北区河海中学', type: 'secondary', street: '太湖东路99号' },
          { name: '常州市新北区通江小学', type: 'primary', street: '通江中路260号' },
          { name: '常州市新北区黄河幼儿园', type: 'kindergarten', street: '黄河西路15号' },
        ],
      },
    ],
  },
];

/** Offices every school has, by type; universities add colleges. */
export const DEPARTMENTS: Record<SchoolType, { key: string; name: string }[]> = {
  university: [
    { key: 'bwc', name: '保卫处' },
    { key: 'zwc', name: '总务处' },
    { key: 'jwc', name: '教务处' },
    { key: 'xsc', name: '学生处' },
    { key: 'jsj', name: '计算机学院' },
    { key: 'hx', name: '化学化工学院' },
    { key: 'jx', name: '机械工程学院' },
  ],
  vocational: [
    { key: 'bwc', name: '保卫处' },
    { key: 'zwc', name: '总务处' },
    { key: 'jwc', name: '教务处' },
    { key: 'xsc', name: '学生处' },
    { key: 'sx', name: '实训中心' },
  ],
  secondary: [
    { key: 'bwc', name: '保卫处' },
    { key: 'zwc', name: '总务处' },
    { key: 'jwc', name: '教务处' },
    { key: 'xsc', name: '学生处' },
  ],
  primary: [
    { key: 'bwc', name: '保卫处' },
    { key: 'zwc', name: '总务处' },
    { key: 'jwc', name: '教务处' },
    { key: 'xsc', name: '学生处' },
  ],
  kindergarten: [
    { key: 'bwc', name: '保卫处' },
    { key: 'zwc', name: '总务处' },
    { key: 'bjc', name: '保教处' },
  ],
};

export interface DemoPlace {
  kind: 'building' | 'floor' | 'room' | 'gate' | 'key_part' | 'area';
  code: string;
  name: string;
  keyPart?: boolean;
  description?: string;
  children?: DemoPlace[];
}

function floors(
  buildingCode: string,
  count: number,
  rooms: number,
  keyParts: Record<number, DemoPlace[]> = {},
): DemoPlace[] {
  return Array.from({ length: count }, (_, index) => {
    const floor = index + 1;
    const code = `${buildingCode}-F${floor}`;
    const roomList: DemoPlace[] = Array.from({ length: rooms }, (_, r) => ({
      kind: 'room',
      code: `${code}-${floor}0${r + 1}`,
      name: `${floor}0${r + 1}室`,
    }));
    return { kind: 'floor', code, name: `${floor}层`, children: [...roomList, ...(keyParts[floor] ?? [])] };
  });
}

/** Buildings, floors, rooms, gates and key parts (重点部位) of a school of the given type. */
export function placesFor(type: SchoolType, boarding: boolean): DemoPlace[] {
  const young = type === 'primary' || type === 'kindergarten';
  const lab: DemoPlace = young
    ? { kind: 'key_part', code: 'KP-LAB', name: '科学实验室', keyPart: true, description: '实验器材与药品柜' }
    : { kind: 'key_part', code: 'KP-CHEM', name: '化学实验室', keyPart: true, description: '危险化学品双人双锁管理' };
  const places: DemoPlace[] = [
    { kind: 'gate', code: 'G-S', name: '南门（正门）', keyPart: true, description: '上下学高峰护学岗' },
    { kind: 'gate', code: 'G-N', name: '北门', description: '后勤车辆出入口' },
    {
      kind: 'building',
      code: 'B1',
      name: type === 'kindergarten' ? '幼儿活动楼' : '教学楼',
      children: floors('B1', type === 'kindergarten' ? 3 : 4, 3),
    },
    {
      kind: 'building',
      code: 'B2',
      name: young ? '综合楼' : '实验楼',
      children: floors('B2', 3, 2, {
        1: [{ kind: 'key_part', code: 'KP-MON', name: '监控室', keyPart: true, description: '视频监控与一键报警中心' }],
        2: [lab],
      }),
    },
    {
      kind: 'building',
      code: 'B3',
      name: '食堂',
      keyPart: true,
      description: '食品安全与燃气安全重点部位',
      children: [
        { kind: 'key_part', code: 'KP-KITCHEN', name: '食堂后厨', keyPart: true, description: '燃气灶具与留样柜' },
      ],
    },
    { kind: 'key_part', code: 'KP-POWER', name: '配电房', keyPart: true, description: '高低压配电设备' },
    { kind: 'area', code: 'A-FIELD', name: type === 'kindergarten' ? '户外活动场地' : '操场' },
  ];
  if (boarding) {
    places.push({
      kind: 'building',
      code: 'B4',
      name: '学生宿舍',
      keyPart: true,
      description: '夜间查寝与消防通道',
      children: floors('B4', 5, 4),
    });
  }
  if (type === 'university' || type === 'vocational') {
    places.push({
      kind: 'key_part',
      code: 'KP-HAZ',
      name: '危化品仓库',
      keyPart: true,
      description: '危险化学品集中存放',
    });
  }
  return places;
}

const SURNAMES =
  '王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文';
const GIVEN = [
  '建国',
  '丽华',
  '志强',
  '秀英',
  '海燕',
  '明',
  '静',
  '伟',
  '芳',
  '军',
  '敏',
  '磊',
  '洋',
  '勇',
  '艳',
  '杰',
  '娟',
  '涛',
  '超',
  '霞',
  '平',
  '刚',
  '桂英',
  '文博',
  '思远',
  '晓东',
  '雪梅',
  '国庆',
  '春燕',
  '永刚',
  '红梅',
  '子涵',
  '宇航',
  '欣怡',
  '浩然',
  '梓萱',
];

/** A deterministic Chinese personal name for the n-th demo user. */
export function personName(n: number): string {
  const surname = SURNAMES[n % SURNAMES.length]!;
  const given = GIVEN[Math.floor(n / SURNAMES.length + n * 7) % GIVEN.length]!;
  return surname + given;
}
