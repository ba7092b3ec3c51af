/**
 * Live-data prefill of report forms (issue #7). Each id names one thing the platform already knows about a school
 * for a reporting period; a form template field may carry `prefill: PrefillSourceId`.
 */
export const PREFILL_SOURCES = [
  'duty.holidayTable', // 学校假期是否有值班表 (yes/no)
  'duty.leaderOnDuty', // 领导是否带班 (yes/no)
  'guards.total', // 保安员人数 (number)
  'guards.licensed', // 保安员持证上岗人数 (number)
  'guards.overAge', // 超龄保安员人数 (number)
  'video.retention30', // 视频监控保存天数是否达30天 (yes/no)
  'cameras.count', // 视频探头数量 (number)
  'intrusion.perimeter', // 围墙周界有无防入侵报警系统 (yes/no)
  'intrusion.keyParts', // 重点要害部位有无防入侵报警 (yes/no)
  'oneKeyAlarm.gate', // 一键报警 门卫 (yes/no)
  'oneKeyAlarm.dormitory', // 一键报警 学生宿舍 (yes/no, or not applicable "/" when the school has no dormitory)
  'tech.allRunning', // 技防系统是否全部正常运行 (yes/no)
  'barrier.fence', // 隔离栏有无
  'barrier.antiRam', // 硬质防冲撞设施有无
  'barrier.bollard', // 升降柱有无
  'hazards.found', // 排查出的总隐患数 (number, in the reporting period)
  'hazards.rectified', // 隐患整改数
  'hazards.unrectified', // 未整改隐患数
] as const;

export type PrefillSourceId = (typeof PREFILL_SOURCES)[number];

/** A live value for one field; `value` is boolean for yes/no, number for counts, 'n/a' when not applicable. */
export interface PrefillValue {
  value: boolean | number | 'n/a' | null;
  /** Chinese, e.g. "设备台账：摄像机 24 台，其中 2 台离线" */
  basis: string;
}

export type PrefillValues = Partial<Record<PrefillSourceId, PrefillValue>>;

export function isPrefillSourceId(value: unknown): value is PrefillSourceId {
  return typeof value === 'string' && (PREFILL_SOURCES as readonly string[]).includes(value);
}
