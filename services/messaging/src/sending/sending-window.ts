/**
 * The sending window (SPEC H5 "socially acceptable sending"): days and [start, end) hours in the
 * account timezone. Outside it a send is scheduled for the next allowed minute (SPEC M2).
 */
export interface SendingWindow {
  days: string[];
  start: string;
  end: string;
}

const WEEKDAYS = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];

interface LocalTime {
  year: number;
  month: number;
  day: number;
  minutes: number;
  weekday: string;
}

// Making a DateTimeFormat costs a hundred times more than using one (it was the send path's largest
// function in the messaging profile): one per timezone, kept (a few hundred IANA zones at most).
const formats = new Map<string, Intl.DateTimeFormat>();
function formatIn(timeZone: string): Intl.DateTimeFormat {
  let format = formats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' });
    formats.set(timeZone, format);
  }
  return format;
}

// Every instant of a UTC minute has the same local minute wherever the offset is whole minutes,
// which every zone's has been since 1972 (the last offset with seconds, Monrovia's, ended then).
// A send asks for the local time of `now` five times (window, day, each account's counters): the
// last minute asked is kept per timezone.
const WHOLE_MINUTE_OFFSETS_SINCE = Date.UTC(1973, 0, 1);
const lastMinute = new Map<string, { minute: number; time: Readonly<LocalTime> }>();

function localTime(instant: Date, timeZone: string): Readonly<LocalTime> {
  const at = instant.getTime();
  if (!(at >= WHOLE_MINUTE_OFFSETS_SINCE)) return formattedLocalTime(instant, timeZone);
  const minute = Math.floor(at / 60_000);
  const kept = lastMinute.get(timeZone);
  if (kept?.minute === minute) return kept.time;
  const time = Object.freeze(formattedLocalTime(instant, timeZone));
  lastMinute.set(timeZone, { minute, time });
  return time;
}

function formattedLocalTime(instant: Date, timeZone: string): LocalTime {
  const parts = Object.fromEntries(
    formatIn(timeZone)
      .formatToParts(instant)
      .map((p) => [p.type, p.value]),
  );
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  return { year, month, day, minutes: Number(parts.hour) * 60 + Number(parts.minute), weekday: WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()] };
}

/** The local date YYYY-MM-DD of an instant in a timezone. */
export function localDate(instant: Date, timeZone: string): string {
  const t = localTime(instant, timeZone);
  return `${t.year}-${String(t.month).padStart(2, '0')}-${String(t.day).padStart(2, '0')}`;
}

const offsetMs = (instant: number, timeZone: string): number => {
  const t = localTime(new Date(instant), timeZone);
  return Date.UTC(t.year, t.month - 1, t.day, 0, t.minutes) - Math.floor(instant / 60_000) * 60_000;
};

/**
 * The first instant whose local wall time is at or after the given local date and minute. In a DST
 * gap (the wall time does not exist) that is the first minute after the gap.
 */
export function instantOfLocal(year: number, month: number, day: number, minutes: number, timeZone: string): Date {
  const wall = Date.UTC(year, month - 1, day, 0, minutes);
  // Two candidates around the transition; take the earliest whose wall time is not before the target.
  const candidates = [wall - offsetMs(wall, timeZone), wall - offsetMs(wall - offsetMs(wall, timeZone), timeZone)];
  const valid = candidates.filter((c) => {
    const t = localTime(new Date(c), timeZone);
    return Date.UTC(t.year, t.month - 1, t.day, 0, t.minutes) >= wall;
  });
  let result = Math.min(...(valid.length ? valid : candidates));
  // Inside a gap the wall time jumps past the target: walk back to the first minute after the gap.
  for (let step = 0; step < 180; step++) {
    const t = localTime(new Date(result - 60_000), timeZone);
    if (Date.UTC(t.year, t.month - 1, t.day, 0, t.minutes) < wall) break;
    result -= 60_000;
  }
  return new Date(result);
}

const toMinutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** `instant` itself when it is inside the window, else the start of the next allowed day's window. */
export function nextAllowedInstant(instant: Date, window: SendingWindow | null, timeZone: string): Date {
  if (!window || window.days.length === 0) return instant;
  const start = toMinutes(window.start);
  const end = toMinutes(window.end);
  const now = localTime(instant, timeZone);
  if (window.days.includes(now.weekday) && now.minutes >= start && now.minutes < end) return instant;
  for (let offset = 0; offset <= 7; offset++) {
    const date = new Date(Date.UTC(now.year, now.month - 1, now.day + offset));
    const weekday = WEEKDAYS[date.getUTCDay()];
    if (!window.days.includes(weekday)) continue;
    if (offset === 0 && now.minutes >= start) continue;
    const candidate = instantOfLocal(date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate(), start, timeZone);
    if (candidate.getTime() > instant.getTime()) return candidate;
  }
  return instant;
}
