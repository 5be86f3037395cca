import { isDuration, parseDuration } from './duration.js';

/** An ISO 8601 date (its UTC midnight) or date-time with a zone; `Date.parse` alone would take far more. */
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * A point in time as flags take it (`--from`, `--to`, `--since`, `--shift-to`): `now`, an ISO 8601 time, or a
 * duration meaning that long before `now`. Returns epoch milliseconds.
 */
export function parseTime(text: string, now = Date.now()): number {
  if (text === 'now') return now;
  if (isDuration(text)) return now - parseDuration(text);
  const time = ISO_TIME.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(time))
    throw new Error(
      `'${text}' is not 'now', an ISO 8601 time like 2026-01-05T10:00:00Z or a duration ago like 2h`,
    );
  return time;
}
