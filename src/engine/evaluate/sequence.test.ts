import { describe, expect, it } from 'vitest';
import type { CompiledSequenceRule } from '../../compile/types.js';
import type { EventHit } from '../fields.js';
import { chains } from './sequence.js';

const MIN = 60_000;
const hit = (time: number): EventHit => ({ index: 'i', id: `e${time}`, time, source: {} });

describe('chains (sequence join)', () => {
  const rule = { steps: [{}, {}, {}], maxSpanMs: 10 * MIN } as CompiledSequenceRule;

  it('needs every step strictly after the previous one, all within the max span', () => {
    expect(
      chains(rule, [[hit(0)], [hit(1 * MIN)], [hit(2 * MIN)]]).map((c) => c.map((e) => e.time / MIN)),
    ).toEqual([[0, 1, 2]]);
    expect(chains(rule, [[hit(0)], [hit(0)], [hit(2 * MIN)]])).toEqual([]);
    expect(chains(rule, [[hit(5 * MIN)], [hit(1 * MIN)], [hit(6 * MIN)]])).toEqual([]);
    expect(chains(rule, [[hit(0)], [hit(1 * MIN)], [hit(11 * MIN)]])).toEqual([]);
  });

  it('takes the earliest successors and does not reuse events across chains', () => {
    const found = chains(rule, [
      [hit(0), hit(1 * MIN), hit(20 * MIN)],
      [hit(2 * MIN), hit(21 * MIN)],
      [hit(3 * MIN), hit(4 * MIN), hit(22 * MIN)],
    ]);
    expect(found.map((c) => c.map((e) => e.time / MIN))).toEqual([
      [0, 2, 3],
      [20, 21, 22],
    ]);
  });

  describe('ordered: false (Sigma temporal)', () => {
    const anyOrder = { steps: [{}, {}, {}], maxSpanMs: 10 * MIN, ordered: false } as CompiledSequenceRule;
    const at = (step: string, time: number): EventHit => ({
      index: 'i',
      id: `${step}${time}`,
      time,
      source: {},
    });
    const times = (found: EventHit[][]) => found.map((c) => c.map((e) => e.time / MIN));

    it('takes every step in any order, listed by step, all within the max span', () => {
      expect(times(chains(anyOrder, [[at('a', 5 * MIN)], [at('b', 1 * MIN)], [at('c', 3 * MIN)]]))).toEqual([
        [5, 1, 3],
      ]);
      expect(times(chains(anyOrder, [[at('a', 0)], [at('b', 0)], [at('c', 0)]]))).toEqual([[0, 0, 0]]);
      expect(chains(anyOrder, [[at('a', 11 * MIN)], [at('b', 0)], [at('c', 3 * MIN)]])).toEqual([]);
      expect(chains(anyOrder, [[at('a', 0)], [], [at('c', 3 * MIN)]])).toEqual([]);
    });

    it('does not reuse events, and sets do not overlap', () => {
      const found = chains(anyOrder, [
        [at('a', 2 * MIN), at('a', 21 * MIN)],
        [at('b', 0), at('b', 1 * MIN), at('b', 20 * MIN)],
        [at('c', 3 * MIN), at('c', 22 * MIN)],
      ]);
      expect(times(found)).toEqual([
        [2, 0, 3],
        [21, 20, 22],
      ]);
    });
  });
});
