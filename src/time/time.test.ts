import { describe, expect, it } from 'vitest';
import { parseTime } from './time.js';

const NOW = Date.parse('2026-01-05T10:00:00Z');

describe('parseTime', () => {
  it('reads now, ISO 8601 times and dates, and durations ago', () => {
    expect(parseTime('now', NOW)).toBe(NOW);
    expect(parseTime('2h', NOW)).toBe(NOW - 7_200_000);
    expect(parseTime('1h30m', NOW)).toBe(NOW - 5_400_000);
    expect(parseTime('2026-01-01T00:00:00Z', NOW)).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(parseTime('2026-01-01T01:30:00.250+01:00', NOW)).toBe(Date.parse('2026-01-01T00:30:00.250Z'));
    expect(parseTime('2026-01-01', NOW)).toBe(Date.parse('2026-01-01T00:00:00Z'));
  });

  it.each(['yesterday', '2026-01-01T00:00:00', 'Jan 1 2026', '2026-13-01', '-2h', ''])(
    'rejects %j',
    (text) => {
      expect(() => parseTime(text, NOW)).toThrow(
        `'${text}' is not 'now', an ISO 8601 time like 2026-01-05T10:00:00Z or a duration ago like 2h`,
      );
    },
  );
});
