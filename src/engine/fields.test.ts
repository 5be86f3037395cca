import { describe, expect, it } from 'vitest';
import { distinctValues, fieldValues, firstString, oneOrMany } from './fields.js';

describe('fieldValues', () => {
  it('reads nested, dotted and mixed paths, flattening arrays', () => {
    const doc = {
      user: { name: 'a', target: [{ name: 'x' }, { name: 'y' }] },
      'source.ip': '192.0.2.1',
      firedrill: { 'actor.ids': ['p', 'q'] },
    };
    expect(fieldValues(doc, 'user.name')).toEqual(['a']);
    expect(fieldValues(doc, 'user.target.name')).toEqual(['x', 'y']);
    expect(fieldValues(doc, 'source.ip')).toEqual(['192.0.2.1']);
    expect(fieldValues(doc, 'firedrill.actor.ids')).toEqual(['p', 'q']);
    expect(fieldValues(doc, 'missing.field')).toEqual([]);
  });

  it('renders first values as strings and keeps distinct scalars in order', () => {
    expect(firstString({ n: { port: 443 } }, 'n.port')).toBe('443');
    expect(firstString({}, 'n.port')).toBeUndefined();
    expect(distinctValues([{ a: ['x', 'y'] }, { a: 'x' }, { a: 'z' }, { a: { deep: 1 } }], 'a')).toEqual([
      'x',
      'y',
      'z',
    ]);
  });
});

describe('ECS shaping', () => {
  it('keeps one value scalar, several as an array, none absent', () => {
    expect(oneOrMany(['a'])).toBe('a');
    expect(oneOrMany(['a', 'b'])).toEqual(['a', 'b']);
    expect(oneOrMany([])).toBeUndefined();
  });
});
