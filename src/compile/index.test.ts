import { describe, expect, it } from 'vitest';
import { compileAll } from './index.js';

describe('compileAll', () => {
  const plain = compileAll();

  it('compiles every kind of resource, in apply order', () => {
    const kinds = plain.map((r) => r.kind);
    expect(new Set(kinds)).toEqual(
      new Set(['component_template', 'index_template', 'pipeline', 'index', 'rule']),
    );
    const order = ['component_template', 'index_template', 'pipeline', 'index', 'rule'];
    expect(kinds).toEqual([...kinds].sort((a, b) => order.indexOf(a) - order.indexOf(b)));
    expect(new Set(plain.map((r) => `${r.kind}:${r.id}`)).size).toBe(plain.length);
  });

  it('namespaces every owned name and reference consistently, and nothing else', () => {
    const spaced = compileAll({ deployment: 't1' });
    expect(spaced.map((r) => r.id)).toEqual(plain.map((r) => (r.kind === 'rule' ? r.id : `t1-${r.id}`)));
    const text = JSON.stringify(spaced.map((r) => ({ ...r, sourceFile: undefined })));
    expect(text).not.toMatch(/[^A-Za-z0-9_.-](firedrill-|logs-)/);
    expect(text).toContain('"t1-logs-aws.cloudtrail-*"');
    expect(spaced.filter((r) => r.kind === 'rule').every((r) => r.index === 't1-firedrill-rules')).toBe(true);
    // Field names are not names of things in the cluster.
    expect(text).toContain('firedrill.actor.ids');
  });
});
