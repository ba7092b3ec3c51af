/** Offset of `timeZone` from UTC at `at`, in milliseconds (Asia/Shanghai: +8 h). */
export function timeZoneOffsetMs(at: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(at);
  const value = (type: string) => Number(parts.find((part) => part.type === type)?.value);
  const local = Date.UTC(
    value('year'),
    value('month') - 1,
    value('day'),
    value('hour'),
    value('minute'),
    value('second'),
  );
  return local - Math.floor(at.getTime() / 1000) * 1000;
}

/** The instant a calendar day (`2026-11-23`) starts in `timeZone`. */
export function startOfDay(day: string, timeZone: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const utcMidnight = Date.UTC(year, month - 1, date);
  const offset = timeZoneOffsetMs(new Date(utcMidnight), timeZone);
  return new Date(utcMidnight - offset);
}

/** The instant the day after `day` starts: the exclusive end of a period ending on `day`. */
export function endOfDay(day: string, timeZone: string): Date {
  const [year, month, date] = day.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(year, month - 1, date + 1)).toISOString().slice(0, 10);
  return startOfDay(next, timeZone);
}

/** `2026-11-23 14:05` in `timeZone`, for ledgers. */
export function formatDateTime(at: Date | null, timeZone: string): string {
  if (!at) return '';
  // One formatter per zone: a new Intl.DateTimeFormat per cell made a 50,000-row ledger take gigabytes.
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('sv-SE', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
    });
    formats.set(timeZone, format);
  }
  return format.format(at);
}
const formats = new Map<string, Intl.DateTimeFormat>();

export function formatDate(at: Date | null, timeZone: string): string {
  return formatDateTime(at, timeZone).slice(0, 10);
}
