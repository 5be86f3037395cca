import { describe, expect, it } from 'vitest';
import type { ResourceKind } from '../compile/types.js';
import { contentHash, managedMeta, readStamp, stamp } from './metadata.js';

const meta = managedMeta('prod', contentHash({ a: 1 }));

describe('stamp / readStamp', () => {
  it.each<[ResourceKind, Record<string, unknown>]>([
    ['component_template', { template: {}, _meta: { description: 'kept' } }],
    ['index_template', { index_patterns: ['x-*'] }],
    ['index', { settings: {}, mappings: { properties: {}, _meta: { description: 'kept' } } }],
    ['pipeline', { description: 'routes records', processors: [] }],
    ['pipeline', { processors: [] }],
    ['rule', { name: 'r' }],
  ])('round-trips the stamp on a %s without losing the body', (kind, body) => {
    const stamped = stamp({ kind, body }, meta);
    expect(readStamp(kind, stamped)).toEqual(meta);
    expect(readStamp(kind, body)).toBeUndefined();
    expect(stamped).toMatchObject(withoutMeta(body));
  });

  it("keeps the content's own _meta beside the stamp", () => {
    expect(
      stamp({ kind: 'component_template', body: { _meta: { description: 'ECS' } } }, meta)._meta,
    ).toEqual({
      description: 'ECS',
      ...meta,
    });
    const index = stamp({ kind: 'index', body: { mappings: { _meta: { owner: 'engine' } } } }, meta);
    expect(index.mappings).toEqual({ _meta: { owner: 'engine', ...meta } });
  });

  it('never puts _meta on a pipeline (OpenSearch rejects it)', () => {
    const stamped = stamp({ kind: 'pipeline', body: { description: 'd', processors: [] } }, meta);
    expect(stamped).not.toHaveProperty('_meta');
    expect(stamped.description).toBe(
      `d [managed_by=firedrill deployment=prod hash=${meta.firedrill_hash} firedrill_version=${meta.firedrill_version}]`,
    );
  });

  it('does not mistake look-alike metadata for its own', () => {
    expect(
      readStamp('index_template', { _meta: { managed_by: 'terraform', firedrill_hash: 'x' } }),
    ).toBeUndefined();
    expect(
      readStamp('pipeline', {
        description: '[managed_by=firedrill deployment=x hash=abc firedrill_version=1]',
      }),
    ).toBeUndefined();
  });
});

describe('contentHash', () => {
  it('ignores key order and sees every value', () => {
    expect(contentHash({ a: 1, b: [1, 2] })).toBe(contentHash({ b: [1, 2], a: 1 }));
    expect(contentHash({ a: 1, b: [1, 2] })).not.toBe(contentHash({ a: 1, b: [2, 1] }));
    expect(contentHash({})).toMatch(/^[0-9a-f]{64}$/);
  });
});

/** The body minus what the stamp rewrites (the pipeline description, the _meta objects). */
function withoutMeta(body: Record<string, unknown>): Record<string, unknown> {
  const { _meta: _ignored, description: _description, mappings, ...rest } = body;
  return mappings
    ? { ...rest, mappings: { properties: (mappings as { properties?: unknown }).properties } }
    : rest;
}
