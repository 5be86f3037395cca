import { describe, expect, it } from 'vitest';
import { compilePipelines } from './index.js';
import { SOURCE_IDS } from '../sources/index.js';
import { goldenCases, readExpected } from './fixtures/golden.js';

interface Mapping {
  type?: string;
  enabled?: boolean;
  properties?: Record<string, Mapping>;
}

const resources = compilePipelines();

/** The mapping an index gets: its index template's component templates merged in order. */
function mappingFor(index: string): Mapping {
  const template = resources.find(
    (r) =>
      r.kind === 'index_template' &&
      (r.body.index_patterns as string[]).some((p) => index.startsWith(p.replace('*', ''))),
  );
  if (!template) throw new Error(`no index template matches ${index}`);
  const merged: Mapping = { properties: {} };
  for (const name of template.body.composed_of as string[]) {
    const component = resources.find((r) => r.kind === 'component_template' && r.id === name)!;
    merge(merged, (component.body.template as { mappings: Mapping }).mappings);
  }
  return merged;
}

function merge(into: Mapping, from: Mapping): void {
  for (const [key, value] of Object.entries(from.properties ?? {})) {
    const existing = into.properties![key];
    if (existing?.properties && value.properties) merge(existing, value);
    else into.properties![key] = structuredClone(value);
  }
}

/** Dotted paths of values the mapping does not cover (neither mapped nor under an `enabled: false` object). */
function unmapped(value: unknown, mapping: Mapping | undefined, path: string): string[] {
  if (mapping?.enabled === false) return [];
  if (Array.isArray(value)) return value.flatMap((v) => unmapped(v, mapping, path));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) =>
      unmapped(v, mapping?.properties?.[k], path ? `${path}.${k}` : k),
    );
  }
  return mapping?.type ? [] : [path];
}

describe('index templates', () => {
  it.each(SOURCE_IDS)('map every field the %s pipeline writes (golden outputs)', (source) => {
    const missing = new Set<string>();
    for (const c of goldenCases(source)) {
      for (const doc of readExpected(c)) {
        for (const path of unmapped(doc._source, mappingFor(doc._index), ''))
          missing.add(`${doc._index}: ${path}`);
      }
    }
    expect([...missing]).toEqual([]);
  });
});
