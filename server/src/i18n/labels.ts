import type {
  DeviceKind,
  HazardCategory,
  HazardGrade,
  HazardState,
  OrgLevel,
  PlaceKind,
  RiskLevel,
  RoleCode,
  SchoolType,
} from '@safe-campus/domain';

/** Chinese labels of the domain's enumerations, for Excel templates, imports and ledgers. */
export const ORG_LEVEL_LABELS: Record<OrgLevel, string> = {
  province: '省',
  city: '市',
  county: '区县',
  school: '学校',
  department: '部门',
};

export const SCHOOL_TYPE_LABELS: Record<SchoolType, string> = {
  university: '高校',
  vocational: '中职',
  secondary: '中学',
  primary: '小学',
  kindergarten: '幼儿园',
};

export const PLACE_KIND_LABELS: Record<PlaceKind, string> = {
  building: '楼宇',
  floor: '楼层',
  room: '房间',
  gate: '校门',
  key_part: '重点部位',
  area: '区域',
};

export const ROLE_LABELS: Record<RoleCode, string> = {
  system_admin: '系统管理员',
  security_admin: '安全管理员',
  audit_admin: '审计管理员',
  bureau_officer: '教育局安全干部',
  school_leader: '学校领导',
  school_security: '保卫处/安保办',
  department_officer: '部门安全员',
  teacher: '教职工',
  guard: '保安',
  student_officer: '学生安全员',
  police_liaison: '公安联络员',
};

export const YES_NO = { yes: '是', no: '否' } as const;

/** Reverse lookup: the code whose label is `label`, or undefined. */
export function codeOfLabel<C extends string>(labels: Record<C, string>, label: string): C | undefined {
  return (Object.keys(labels) as C[]).find((code) => labels[code] === label);
}

/** Row-level messages of Excel imports. `{name}` placeholders are filled by `importMessage`. */
export const IMPORT_MESSAGES = {
  duplicate_in_file: '与第 {row} 行的编码重复',
  school_not_found: '学校编码“{code}”不存在，或不在所选单位范围内',
  school_required: '所选单位不是学校，请填写学校编码',
  place_parent_not_found: '上级场所“{code}”不存在（须为本校已有场所或本表中更早的行）',
  place_parent_cycle: '上级场所不能是该场所本身或其下级',
  place_parent_self: '上级场所不能是自己',
  org_parent_not_found: '上级单位“{code}”不存在或不在您的管理范围内（须为已有单位或本表中更早的行）',
  org_code_elsewhere: '单位编码“{code}”已被其他单位使用（上级或层级不同）',
  org_level_invalid: '“{child}”级单位不能设在“{parent}”级单位之下',
  school_type_required: '学校须填写学校类型',
  school_type_not_allowed: '只有学校可以填写学校类型',
  // devices (modules/devices)
  device_not_found: '设备编码“{code}”不是本校已登记的设备（新设备请留空）',
  device_kind_changed: '已登记设备的类型不能修改',
  place_not_found: '场所编码“{code}”不是本校已登记的场所',
  device_zone_required: '入侵探测器须填写防区类型',
  device_field_not_applicable: '该类设备不填写此列',
} as const;

export function importMessage(key: keyof typeof IMPORT_MESSAGES, params: Record<string, string | number> = {}): string {
  return IMPORT_MESSAGES[key].replace(/\{(\w+)\}/g, (_, name: string) => String(params[name] ?? ''));
}

export const HAZARD_CATEGORY_LABELS: Record<HazardCategory, string> = {
  fire: '消防',
  public_order: '治安',
  traffic: '交通',
  food: '食品',
  building: '校舍建筑',
  hazardous_chemicals: '危化品',
  special_equipment: '特种设备',
  surroundings: '周边环境',
  other: '其他',
};

/** 一般 / 较大 / 重大 */
export const HAZARD_GRADE_LABELS: Record<HazardGrade, string> = {
  general: '一般',
  larger: '较大',
  major: '重大',
};

export const RISK_LEVEL_LABELS: Record<RiskLevel, string> = {
  red: '红色（重大风险）',
  orange: '橙色（较大风险）',
  yellow: '黄色（一般风险）',
  blue: '蓝色（低风险）',
};

export const HAZARD_STATE_LABELS: Record<HazardState, string> = {
  reported: '待确认',
  confirmed: '已确认待交办',
  rectifying: '整改中',
  rectified: '已整改待验收',
  closed: '已验收销号',
  rejected: '不属于隐患',
};

// devices (modules/devices)
export const DEVICE_KIND_LABELS: Record<DeviceKind, string> = {
  camera: '视频监控摄像机',
  one_key_alarm: '一键报警',
  intrusion_detector: '入侵探测器',
  fire_alarm_panel: '火灾报警控制器',
  access_control: '门禁',
  vehicle_barrier: '车辆道闸',
  bollard: '防冲撞设施',
};

export const DETECTOR_ZONE_LABELS = { perimeter: '周界', key_part: '重点部位' } as const;

export const ALARM_KIND_LABELS = {
  intrusion: '入侵报警',
  one_key: '一键报警',
  fire: '火灾报警',
  tamper: '防拆报警',
  duress: '胁迫报警',
  help_request: '求助',
  other: '其他报警',
} as const;
