import { fieldAt, recogniseRecord, type LogSource } from '../sources/index.js';

type Json = Record<string, unknown>;

/** The record's event time (epoch ms), or undefined when it has none we can read. */
export function eventTimeOf(
  record: Json,
  source: LogSource | undefined = recogniseRecord(record),
): number | undefined {
  if (!source) return undefined;
  const text = fieldAt(record, source.timeFields[0]!);
  return typeof text === 'string' ? parseTimestamp(text)?.ms : undefined;
}

/**
 * A copy of the record with every time field moved by `offsetMs`, each keeping its own
 * precision (CloudTrail seconds, GCP nanoseconds, Azure 100 ns ticks).
 */
export function shiftRecord(
  record: Json,
  offsetMs: number,
  source: LogSource | undefined = recogniseRecord(record),
): Json {
  if (!source || offsetMs === 0) return record;
  let copy = record;
  for (const path of source.timeFields) {
    const text = fieldAt(copy, path);
    if (typeof text === 'string') {
      const shifted = shiftTimestamp(text, offsetMs);
      if (shifted) copy = withValue(copy, path.split('.'), shifted);
    }
  }
  return copy;
}

const WEEK = 7 * 86_400_000;

/**
 * The one offset that moves the latest of `times` onto `target`, keeping every gap: to the nearest whole
 * second (so second-precision CloudTrail times move exactly like nanosecond GCP ones), or by whole weeks
 * to at or before `target` (so each event keeps its weekday and hour: change windows still mean the same).
 */
export function offsetToLand(
  times: Iterable<number>,
  target: number,
  by: 'second' | 'week' = 'second',
): number {
  let latest = -Infinity;
  for (const t of times) if (t > latest) latest = t;
  if (!Number.isFinite(latest)) return 0;
  return by === 'week'
    ? Math.floor((target - latest) / WEEK) * WEEK
    : Math.round((target - latest) / 1000) * 1000;
}

const TIMESTAMP = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})$/;

function parseTimestamp(text: string): { ms: number; fraction: string } | undefined {
  const m = TIMESTAMP.exec(text);
  if (!m) return undefined;
  const fraction = m[2] ?? '';
  const whole = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(whole)) return undefined;
  return { ms: whole + Number((fraction + '000').slice(0, 3)), fraction };
}

function shiftTimestamp(text: string, offsetMs: number): string | undefined {
  const parsed = parseTimestamp(text);
  if (!parsed) return undefined;
  const iso = new Date(parsed.ms + offsetMs).toISOString();
  const { fraction } = parsed;
  if (!fraction) return iso.replace(/\.\d{3}Z$/, 'Z');
  const millis = iso.slice(20, 23);
  const digits = fraction.length <= 3 ? millis.slice(0, fraction.length) : millis + fraction.slice(3);
  return `${iso.slice(0, 19)}.${digits}Z`;
}

/**
 * A copy of the record with one value replaced, copying only the objects on its path: everything else is
 * shared as it is (values a deep clone would not keep, such as lossless numbers, stay intact).
 */
function withValue(record: Json, path: string[], value: unknown): Json {
  const [key, ...rest] = path as [string, ...string[]];
  return { ...record, [key]: rest.length ? withValue(record[key] as Json, rest, value) : value };
}
