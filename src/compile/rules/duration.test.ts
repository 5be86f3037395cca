import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.js';

describe('parseDuration', () => {
  it('reads seconds, minutes, hours and days', () => {
    expect([parseDuration('30s'), parseDuration('5m'), parseDuration('1h'), parseDuration('14d')]).toEqual([
      30_000, 300_000, 3_600_000, 1_209_600_000,
    ]);
  });
  it.each(['0m', '5', '1w', '1.5h', ' 5m'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(/is not a duration/);
  });
});
