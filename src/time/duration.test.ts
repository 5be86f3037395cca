import { describe, expect, it } from 'vitest';
import { DURATION_PATTERN, parseDuration, parseOffset } from './duration.js';

describe('parseDuration', () => {
  it('reads every unit, compound durations and fractions', () => {
    expect(
      ['500ms', '90s', '5m', '1h', '1h30m', '14d', '1.5s', '0s', '2d3h4m5s6ms'].map(parseDuration),
    ).toEqual([500, 90_000, 300_000, 3_600_000, 5_400_000, 1_209_600_000, 1_500, 0, 183_845_006]);
  });

  it.each(['', '5', '1w', ' 5m', '5m ', '+5m', '30m1h', '1h1h', '1.s', 'm'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(`'${text}' is not a duration like 90s, 5m, 1h30m or 14d`);
  });

  it('is the grammar the JSON schemas check', () => {
    const schema = new RegExp(DURATION_PATTERN, 'u');
    for (const text of ['1h30m', '500ms', '14d']) expect(schema.test(text)).toBe(true);
    for (const text of ['5', '-5m', '1w']) expect(schema.test(text)).toBe(false);
  });
});

describe('parseOffset', () => {
  it('reads signed offsets', () => {
    expect(['+5m', '-3d', '+1.5s', '90s', '+0s', '-1h30m'].map(parseOffset)).toEqual([
      300_000, -259_200_000, 1_500, 90_000, 0, -5_400_000,
    ]);
  });

  it.each(['soon', '+', '--5m', '+-5m'])('rejects %j', (text) => {
    expect(() => parseOffset(text)).toThrow(`'${text}' is not an offset like +5m, -3d or +1.5s`);
  });
});
