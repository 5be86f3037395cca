import { describe, expect, it } from 'vitest';
import type { CompiledQueryRule } from '../../compile/types.js';
import type { EventHit } from '../fields.js';
import { candidatesOf } from './query.js';

const HOUR = 3_600_000;
const hit = (id: string, time: number, source: Record<string, unknown>): EventHit => ({
  index: 'i',
  id,
  time,
  source,
});
const rule = { id: 'r', groupBy: ['user.target.name'], suppressionMs: HOUR } as CompiledQueryRule;

describe('candidatesOf (query rules)', () => {
  it('folds matches of one group within a suppression window into one candidate', () => {
    const found = candidatesOf(rule, [
      hit('a', 0, { user: { target: { name: 'backdoor' } } }),
      hit('b', 60_000, { user: { target: { name: 'backdoor' } } }),
      hit('c', 2 * HOUR, { user: { target: { name: 'backdoor' } } }),
    ]);
    expect(found.map((c) => c.events.map((e) => e.id))).toEqual([['a', 'b'], ['c']]);
  });

  it('still alerts on a match that lacks the group-by field, on its own', () => {
    const found = candidatesOf(rule, [hit('hidden-1', 0, {}), hit('hidden-2', 1, {})]);
    expect(found.map((c) => c.group)).toEqual([
      { _index: 'i', _id: 'hidden-1' },
      { _index: 'i', _id: 'hidden-2' },
    ]);
  });
});
