import type { LogSource } from '../content/scenarios.js';

type Json = Record<string, unknown>;

/** The time fields each source carries; the first is the event time, the rest move with it. */
const TIME_FIELDS: Record<LogSource, string[][]> = {
  'aws-cloudtrail': [['eventTime']],
  'gcp-audit': [['timestamp'], ['receiveTimestamp']],
  'azure-audit': [['time'], ['properties', 'activityDateTime']],
};

/** Which source a parsed record looks like, from its time fields; undefined when none fits. */
export function sourceOf(record: Json): LogSource | undefined {
  if (typeof record.eventTime === 'string' && 'eventSource' in record) return 'aws-cloudtrail';
  if (typeof record.timestamp === 'string' && ('protoPayload' in record || 'logName' in record))
    return 'gcp-audit';
  if (typeof record.time === 'string' && ('operationName' in record || 'properties' in record))
    return 'azure-audit';
  return undefined;
}

/** The record's event time (epoch ms), or undefined when it has none we can read. */
export function eventTimeOf(
  record: Json,
  source: LogSource | undefined = sourceOf(record),
): number | undefined {
  if (!source) return undefined;
  const text = get(record, TIME_FIELDS[source][0]!);
  return typeof text === 'string' ? parseTimestamp(text)?.ms : undefined;
}

/**
 * A copy of the record with every time field moved by `offsetMs`, each keeping its own
 * precision (CloudTrail seconds, GCP nanoseconds, Azure 100 ns ticks).
 */
export function shiftRecord(
  record: Json,
  offsetMs: number,
  source: LogSource | undefined = sourceOf(record),
): Json {
  if (!source || offsetMs === 0) return record;
  const copy = structuredClone(record);
  for (const path of TIME_FIELDS[source]) {
    const text = get(copy, path);
    if (typeof text === 'string') {
      const shifted = shiftTimestamp(text, offsetMs);
      if (shifted) set(copy, path, shifted);
    }
  }
  return copy;
}

/**
 * The one offset that moves the latest of `times` onto `target` (to the second), keeping every gap:
 * whole seconds, so second-precision CloudTrail times move exactly like nanosecond GCP ones.
 */
export function offsetToLand(times: Iterable<number>, target: number): number {
  let latest = -Infinity;
  for (const t of times) if (t > latest) latest = t;
  return Number.isFinite(latest) ? Math.round((target - latest) / 1000) * 1000 : 0;
}

/** Parses `--shift-to`: `now` or an ISO-8601 time. */
export function parseShiftTarget(text: string, now = Date.now()): number {
  if (text === 'now') return now;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`--shift-to: '${text}' is neither 'now' nor an ISO-8601 time`);
  return ms;
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

function get(record: Json, path: string[]): unknown {
  let node: unknown = record;
  for (const key of path) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Json)[key];
  }
  return node;
}

function set(record: Json, path: string[], value: unknown): void {
  let node = record;
  for (const key of path.slice(0, -1)) node = node[key] as Json;
  node[path[path.length - 1]!] = value;
}
