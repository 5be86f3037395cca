import { describe, expect, it } from 'vitest';
import type { CompiledThresholdRule } from '../../compile/types.js';
import type { EventHit } from '../fields.js';
import { crossings } from './threshold.js';

const MIN = 60_000;
const hit = (time: number, source: Record<string, unknown> = {}): EventHit => ({
  index: 'i',
  id: `e${time}`,
  time,
  source,
});

describe('crossings (threshold sliding window)', () => {
  const rule = (threshold: CompiledThresholdRule['threshold']) => ({ threshold }) as CompiledThresholdRule;

  it('finds the first window reaching the count and starts afresh after it', () => {
    const events = [0, 1, 2, 3, 4, 5].map((m) => hit(m * MIN));
    const found = crossings(rule({ value: 3, windowMs: 5 * MIN }), events);
    expect(found.map((w) => w.map((e) => e.time / MIN))).toEqual([
      [0, 1, 2],
      [3, 4, 5],
    ]);
  });

  it('slides: events farther apart than the window never count together', () => {
    const events = [0, 6, 12, 13].map((m) => hit(m * MIN));
    expect(crossings(rule({ value: 3, windowMs: 5 * MIN }), events)).toEqual([]);
    expect(crossings(rule({ value: 2, windowMs: 5 * MIN }), events).map((w) => w.length)).toEqual([2]);
  });

  it('counts distinct values of the cardinality field', () => {
    const events = ['a', 'a', 'b', 'a', 'c'].map((t, i) => hit(i * MIN, { user: { target: { name: t } } }));
    const found = crossings(
      rule({ value: 3, windowMs: 10 * MIN, cardinalityField: 'user.target.name' }),
      events,
    );
    expect(found.map((w) => w.length)).toEqual([5]);
  });
});
