import {
  type DeviceKind,
  deviceStatus,
  holidayCoverage,
  MIN_RETENTION_DAYS,
  type PrefillSourceId,
  type PrefillValue,
  type PrefillValues,
} from '@safe-campus/domain';
import { type Kysely, sql } from 'kysely';
import type { DB } from '../../db/schema.js';
import { type Config, loadConfig } from '../../platform/config.js';
import { formatDate } from '../../platform/dates.js';
import { isDormitory } from '../devices/coverage.js';
import { escapeLike } from '../orgs/queries.js';

export interface PrefillSchool {
  id: number;
  path: string;
}

/** The reporting period: instants, `from` inclusive, `to` exclusive (the start of the day after the last day). */
export interface PrefillPeriod {
  from: Date;
  to: Date;
}

export interface PrefillOptions {
  /** A guard older than this at the period's end is over-age (GUARD_MAX_AGE, default 60). */
  guardMaxAge?: number;
  /** Business time zone of days (TZ_BUSINESS, default Asia/Shanghai). */
  timeZone?: string;
  /** Seconds without a heartbeat after which a device counts as offline (DEVICE_OFFLINE_AFTER_SECONDS, default 300). */
  offlineAfterSeconds?: number;
  /** "Now" for the state of devices (default: the current time). */
  now?: Date;
}

let environment: Config | null = null;
/** Options not given come from the environment's configuration (GUARD_MAX_AGE, TZ_BUSINESS, …). */
function configured(): Config {
  environment ??= loadConfig();
  return environment;
}

const GROUPS = {
  duty: ['duty.holidayTable', 'duty.leaderOnDuty'],
  guards: ['guards.total', 'guards.licensed', 'guards.overAge'],
  devices: [
    'video.retention30',
    'cameras.count',
    'intrusion.perimeter',
    'intrusion.keyParts',
    'oneKeyAlarm.gate',
    'oneKeyAlarm.dormitory',
    'tech.allRunning',
    'barrier.fence',
    'barrier.antiRam',
    'barrier.bollard',
  ],
  hazards: ['hazards.found', 'hazards.rectified', 'hazards.unrectified'],
} as const satisfies Record<string, readonly PrefillSourceId[]>;

type Group = keyof typeof GROUPS;

/**
 * Live values for one school's form over a reporting period (issue #7, seed 003 Attachment 1). Reads only that
 * school's rows, through indexes (duty_shift(org_id, starts_at), role_assignment's guard index, device(school_id,
 * kind), place(org_id, code), hazard(school_id, reported_at)); the groups asked for run concurrently. Each value
 * carries a Chinese basis saying what was counted; a value the platform cannot know is null with the reason.
 */
export async function prefillSchool(
  db: Kysely<DB>,
  school: PrefillSchool,
  period: PrefillPeriod,
  sources: readonly PrefillSourceId[],
  options: PrefillOptions = {},
): Promise<PrefillValues> {
  const wanted = new Set(sources);
  const groups = (Object.keys(GROUPS) as Group[]).filter((group) =>
    GROUPS[group].some((source: PrefillSourceId) => wanted.has(source)),
  );
  const zone = options.timeZone ?? configured().businessTimeZone;
  const compute: Record<Group, () => Promise<PrefillValues>> = {
    duty: () => dutyValues(db, school, period, zone),
    guards: () => guardValues(db, school, period, zone, options.guardMaxAge ?? configured().guardMaxAge),
    devices: () =>
      deviceValues(
        db,
        school,
        options.now ?? new Date(),
        options.offlineAfterSeconds ?? configured().deviceOfflineAfterSeconds,
      ),
    hazards: () => hazardValues(db, school, period),
  };
  const parts = await Promise.all(groups.map((group) => compute[group]()));
  const all: PrefillValues = Object.assign({}, ...parts);
  const out: PrefillValues = {};
  for (const source of sources) out[source] = all[source] ?? { value: null, basis: '暂无数据' };
  return out;
}

// ------------------------------------------------------------------------------------------------ duty

const DAY_MS = 24 * 3600_000;

/** Ids of the units above the school, from its materialised path (`/1/12/305/8812/` → 1, 12, 305). */
function ancestorIds(path: string, selfId: number): number[] {
  return path
    .split('/')
    .filter(Boolean)
    .map(Number)
    .filter((id) => Number.isInteger(id) && id !== selfId);
}

function shortDay(day: string): string {
  const [, month, date] = day.split('-').map(Number);
  return `${month}月${date}日`;
}

function dayList(days: string[]): string {
  const shown = days.slice(0, 5).map(shortDay).join('、');
  return days.length > 5 ? `${shown}等 ${days.length} 天` : shown;
}

/**
 * 学校假期是否有值班表 / 领导是否带班. The platform has no school calendar: a holiday is what the duty module
 * says one is, a holiday shift (kind `holiday`, with its name) of the school or of a bureau above it. The holiday
 * days of the period are the days those shifts touch; the school has a table when each of them has a shift of the
 * school, and a leader on duty when each has a leader — the rule of the duty module's holiday coverage.
 */
async function dutyValues(
  db: Kysely<DB>,
  school: PrefillSchool,
  period: PrefillPeriod,
  zone: string,
): Promise<PrefillValues> {
  const units = [school.id, ...ancestorIds(school.path, school.id)];
  const rows = await db
    .selectFrom('duty_shift as s')
    .select([
      's.org_id',
      's.starts_at',
      's.ends_at',
      's.kind',
      's.holiday_name',
      sql<boolean>`EXISTS (SELECT 1 FROM duty_assignment a WHERE a.shift_id = s.id AND a.duty_role = 'leader')`.as(
        'has_leader',
      ),
    ])
    .where('s.org_id', 'in', units)
    .where('s.starts_at', '<', period.to)
    .where('s.starts_at', '>', new Date(period.from.getTime() - DAY_MS))
    .where('s.ends_at', '>', period.from)
    .where((eb) => eb.or([eb('s.org_id', '=', school.id), eb('s.kind', '=', 'holiday')]))
    .limit(5000)
    .execute();
  const first = formatDate(period.from, zone);
  const last = formatDate(new Date(period.to.getTime() - 1), zone);
  const holidayDays = new Set<string>();
  const names = new Set<string>();
  for (const row of rows) {
    if (row.kind !== 'holiday') continue;
    if (row.holiday_name) names.add(row.holiday_name);
    for (let at = row.starts_at.getTime(); at < row.ends_at.getTime(); at += 3600_000) {
      const day = formatDate(new Date(at), zone);
      if (day >= first && day <= last) holidayDays.add(day);
    }
  }
  const days = [...holidayDays].sort();
  if (days.length === 0) {
    const basis = `报告期内（${first} 至 ${last}）没有假期：本校及上级单位均未排假期值班，请学校据实填写`;
    return { 'duty.holidayTable': { value: null, basis }, 'duty.leaderOnDuty': { value: null, basis } };
  }
  const own = rows
    .filter((row) => row.org_id === school.id)
    .map((row) => ({ startsAt: row.starts_at, endsAt: row.ends_at, hasLeader: row.has_leader }));
  const { uncovered, withoutLeader } = holidayCoverage(days, own, (at) => formatDate(at, zone));
  const span = days.length === 1 ? shortDay(days[0]!) : `${shortDay(days[0]!)}至${shortDay(days[days.length - 1]!)}`;
  const holidays = `${names.size > 0 ? [...names].join('、') : '假期'}（${span}，共 ${days.length} 天）`;
  const holidayTable: PrefillValue = {
    value: uncovered.length === 0,
    basis:
      uncovered.length === 0
        ? `值班表：${holidays}每天都有本校值班`
        : `值班表：${holidays}中 ${dayList(uncovered)} 无本校值班`,
  };
  const leaderOnDuty: PrefillValue = {
    value: withoutLeader.length === 0,
    basis:
      withoutLeader.length === 0
        ? `值班表：${holidays}每天都有领导带班`
        : `值班表：${holidays}中 ${dayList(withoutLeader)} 无领导带班`,
  };
  return { 'duty.holidayTable': holidayTable, 'duty.leaderOnDuty': leaderOnDuty };
}

// ------------------------------------------------------------------------------------------------ guards

/**
 * 保安员人数 / 持证上岗人数 / 超龄保安员人数: enabled users holding the guard role at the school (or one of its
 * departments), with their guard profile. Age at the period's end is that year minus the year of birth (only the
 * year is kept); over-age is older than `maxAge`. Guards without a profile count as unlicensed and of unknown age.
 */
async function guardValues(
  db: Kysely<DB>,
  school: PrefillSchool,
  period: PrefillPeriod,
  zone: string,
  maxAge: number,
): Promise<PrefillValues> {
  const rows = await db
    .selectFrom('role_assignment as ra')
    .innerJoin('app_user as u', 'u.id', 'ra.user_id')
    .leftJoin('guard_profile as g', 'g.user_id', 'ra.user_id')
    .select(['ra.user_id', 'g.licensed', 'g.birth_year'])
    .distinct()
    .where('ra.role', '=', 'guard')
    .where('ra.org_path', 'like', `${escapeLike(school.path)}%`)
    .where('u.disabled', '=', false)
    .execute();
  const year = Number(formatDate(new Date(period.to.getTime() - 1), zone).slice(0, 4));
  const total = rows.length;
  const licensed = rows.filter((row) => row.licensed === true).length;
  const unknownAge = rows.filter((row) => row.birth_year === null).length;
  const overAge = rows.filter((row) => row.birth_year !== null && year - row.birth_year > maxAge).length;
  const noProfile = rows.filter((row) => row.licensed === null).length;
  const source = `保安员名册：本校启用的保安员账号 ${total} 人`;
  return {
    'guards.total': { value: total, basis: source },
    'guards.licensed': {
      value: licensed,
      basis: `${source}，登记持证 ${licensed} 人${noProfile > 0 ? `，${noProfile} 人未登记持证情况（按未持证计）` : ''}`,
    },
    'guards.overAge': {
      value: overAge,
      basis: `${source}，按出生年份计至 ${year} 年年龄超过 ${maxAge} 岁的 ${overAge} 人${
        unknownAge > 0 ? `，${unknownAge} 人未登记出生年份` : ''
      }`,
    },
  };
}

// ------------------------------------------------------------------------------------------------ devices

/** Passive barriers are told apart by name, as dormitories are: the ledger has one kind for them. */
const FENCE_NAME = /隔离栏|隔离护栏|护栏|隔离墩/;
const BOLLARD_NAME = /升降柱|升降桩|升降式/;

/**
 * The technical-defence fields from the device ledger (enabled devices of the school) and its places, as they
 * stand now: devices are not historised, so the values are the state when the form is opened.
 */
async function deviceValues(
  db: Kysely<DB>,
  school: PrefillSchool,
  now: Date,
  offlineAfterSeconds: number,
): Promise<PrefillValues> {
  const [devices, places] = await Promise.all([
    db
      .selectFrom('device')
      .select(['id', 'place_id', 'kind', 'zone', 'name', 'retention_days', 'last_seen_at', 'fault_since'])
      .where('school_id', '=', school.id)
      .where('disabled', '=', false)
      .execute(),
    db
      .selectFrom('place')
      .select(['id', 'parent_id', 'code', 'name', 'kind'])
      .where('org_id', '=', school.id)
      .execute(),
  ]);
  const byId = new Map(places.map((place) => [place.id, place]));
  /** Places a device counts for: its own and every place above it (as in the coverage view). */
  const placesOf = (placeId: number | null): Set<number> => {
    const seen = new Set<number>();
    for (let id = placeId; id !== null && !seen.has(id); id = byId.get(id)?.parent_id ?? null) seen.add(id);
    return seen;
  };
  const of = (kind: DeviceKind) => devices.filter((device) => device.kind === kind);
  const out: PrefillValues = {};

  const cameras = of('camera');
  out['cameras.count'] = { value: cameras.length, basis: `设备台账：在用摄像机 ${cameras.length} 台` };

  const short = cameras.filter(
    (camera) => camera.retention_days !== null && camera.retention_days < MIN_RETENTION_DAYS,
  );
  const unknown = cameras.filter((camera) => camera.retention_days === null);
  out['video.retention30'] =
    cameras.length === 0
      ? { value: false, basis: '设备台账：无在用摄像机' }
      : short.length > 0
        ? {
            value: false,
            basis: `设备台账：摄像机 ${cameras.length} 台，其中 ${short.length} 台录像保存不足 ${MIN_RETENTION_DAYS} 天（最短 ${Math.min(...short.map((c) => c.retention_days ?? 0))} 天）`,
          }
        : unknown.length > 0
          ? {
              value: null,
              basis: `设备台账：摄像机 ${cameras.length} 台，${unknown.length} 台未登记录像保存天数，其余均不少于 ${MIN_RETENTION_DAYS} 天`,
            }
          : { value: true, basis: `设备台账：摄像机 ${cameras.length} 台，录像保存均不少于 ${MIN_RETENTION_DAYS} 天` };

  const detectors = of('intrusion_detector');
  const perimeter = detectors.filter((device) => device.zone === 'perimeter');
  const keyParts = detectors.filter((device) => device.zone === 'key_part');
  out['intrusion.perimeter'] = {
    value: perimeter.length > 0,
    basis: `设备台账：周界入侵探测器 ${perimeter.length} 台`,
  };
  out['intrusion.keyParts'] = {
    value: keyParts.length > 0,
    basis: `设备台账：重点部位入侵探测器 ${keyParts.length} 台`,
  };

  const alarmPlaces = new Set<number>();
  for (const device of of('one_key_alarm')) for (const id of placesOf(device.place_id)) alarmPlaces.add(id);
  const gates = places.filter((place) => place.kind === 'gate');
  const gatesWithout = gates.filter((gate) => !alarmPlaces.has(gate.id));
  out['oneKeyAlarm.gate'] =
    gates.length === 0
      ? { value: false, basis: '场所台账：未登记校门，无法确认门卫一键报警' }
      : {
          value: gatesWithout.length === 0,
          basis:
            gatesWithout.length === 0
              ? gates.length === 1
                ? `设备台账：校门（${gates[0]!.name}）装有一键报警`
                : `设备台账：${gates.length} 个校门均装有一键报警`
              : `设备台账：校门 ${gates.length} 个，${gatesWithout.map((gate) => gate.name).join('、')}无一键报警`,
        };
  const dorms = places.filter((place) => isDormitory(place));
  const dormsWithout = dorms.filter((dorm) => !alarmPlaces.has(dorm.id));
  out['oneKeyAlarm.dormitory'] =
    dorms.length === 0
      ? { value: 'n/a', basis: '场所台账：本校未登记学生宿舍（无宿舍填“/”）' }
      : {
          value: dormsWithout.length === 0,
          basis:
            dormsWithout.length === 0
              ? `设备台账：${dorms.length} 处宿舍均装有一键报警`
              : `设备台账：宿舍 ${dorms.length} 处，${dormsWithout.map((dorm) => dorm.name).join('、')}无一键报警`,
        };

  const statuses = devices.map((device) =>
    deviceStatus(
      { kind: device.kind as DeviceKind, lastSeenAt: device.last_seen_at, faultSince: device.fault_since },
      now,
      offlineAfterSeconds,
    ),
  );
  const count = (status: string) => statuses.filter((value) => value === status).length;
  const online = count('online');
  const down = { offline: count('offline'), fault: count('fault'), unknown: count('unknown') };
  const problems = [
    down.offline > 0 ? `离线 ${down.offline} 台` : '',
    down.fault > 0 ? `故障 ${down.fault} 台` : '',
    down.unknown > 0 ? `从未上线 ${down.unknown} 台` : '',
  ].filter(Boolean);
  out['tech.allRunning'] =
    devices.length === 0
      ? { value: false, basis: '设备台账：未登记技防设备' }
      : {
          value: problems.length === 0,
          basis: `设备台账：联网设备 ${devices.length - count('passive')} 台，当前在线 ${online} 台${
            problems.length > 0 ? `，${problems.join('，')}` : '，全部正常'
          }`,
        };

  const passive = of('bollard');
  const fences = devices.filter((device) => FENCE_NAME.test(device.name));
  const antiRam = passive.filter((device) => !FENCE_NAME.test(device.name));
  const bollards = antiRam.filter((device) => BOLLARD_NAME.test(device.name));
  out['barrier.fence'] = {
    value: fences.length > 0,
    basis: `设备台账：名称含“隔离栏/护栏”的设施 ${fences.length} 处`,
  };
  out['barrier.antiRam'] = {
    value: antiRam.length > 0,
    basis: `设备台账：防冲撞设施 ${antiRam.length} 处${bollards.length > 0 ? `（其中升降柱 ${bollards.length} 处）` : ''}`,
  };
  out['barrier.bollard'] = {
    value: bollards.length > 0,
    basis: `设备台账：名称含“升降柱”的防冲撞设施 ${bollards.length} 处`,
  };
  return out;
}

// ------------------------------------------------------------------------------------------------ hazards

/**
 * 排查出的总隐患数 / 整改数 / 未整改数, with the definitions of the hazard statistics: hazards of the school reported
 * in the period (hazard(school_id, reported_at) index); found = not rejected, rectified = closed (now).
 */
async function hazardValues(db: Kysely<DB>, school: PrefillSchool, period: PrefillPeriod): Promise<PrefillValues> {
  const row = await db
    .selectFrom('hazard')
    .select([
      sql<number>`count(*) FILTER (WHERE state <> 'rejected')::int`.as('found'),
      sql<number>`count(*) FILTER (WHERE state = 'closed')::int`.as('rectified'),
    ])
    .where('school_id', '=', school.id)
    .where('reported_at', '>=', period.from)
    .where('reported_at', '<', period.to)
    .executeTakeFirstOrThrow();
  const found = Number(row.found);
  const rectified = Number(row.rectified);
  const basis = `隐患台账：报告期内上报的隐患（不含核实为非隐患的）${found} 条，已整改销号 ${rectified} 条`;
  return {
    'hazards.found': { value: found, basis },
    'hazards.rectified': { value: rectified, basis },
    'hazards.unrectified': { value: found - rectified, basis: `${basis}，未销号 ${found - rectified} 条` },
  };
}
