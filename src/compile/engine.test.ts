import { describe, expect, it } from 'vitest';
import { compileEngineResources } from './engine.js';
import type { CompiledRule, Resource } from './types.js';
import { forDeployment } from './index.js';

const eventTemplates: Resource[] = [
  {
    kind: 'component_template',
    id: 'ecs',
    body: { template: { mappings: { properties: { user: { properties: { name: { type: 'keyword' } } } } } } },
  },
  {
    kind: 'index_template',
    id: 'aws',
    body: {
      template: {
        mappings: {
          properties: {
            user: { properties: { target: { properties: { name: { type: 'keyword' } } } } },
            source: { properties: { ip: { type: 'ip' } } },
          },
        },
      },
    },
  },
  { kind: 'pipeline', id: 'p', body: { processors: [] } },
];
const rules = [
  { id: 'q', type: 'query', enabled: true, hash: 'h1', query: { term: { 'user.name': 'root' } } },
  { id: 't', type: 'threshold', enabled: false, hash: 'h2', query: { match_all: {} } },
] as unknown as CompiledRule[];

describe('compileEngineResources', () => {
  const resources = compileEngineResources(rules, eventTemplates);
  const byId = new Map(resources.map((r) => [`${r.kind}:${r.id}`, r]));

  it('defines the alerts template, the rules index with every event field mapped, and the state index', () => {
    expect(byId.get('index_template:firedrill-alerts')?.body.index_patterns).toEqual(['firedrill-alerts*']);
    const rulesIndex = byId.get('index:firedrill-rules')!.body as {
      mappings: { properties: Record<string, unknown> };
    };
    expect(rulesIndex.mappings.properties).toMatchObject({
      user: {
        properties: { name: { type: 'keyword' }, target: { properties: { name: { type: 'keyword' } } } },
      },
      source: { properties: { ip: { type: 'ip' } } },
      firedrill_percolator: { type: 'percolator' },
    });
    expect(byId.has('index:firedrill-engine-state')).toBe(true);
  });

  it('stores each rule in the rules index; only query rules carry a percolator query', () => {
    expect(byId.get('rule:q')).toMatchObject({
      index: 'firedrill-rules',
      body: {
        firedrill_rule_id: 'q',
        firedrill_rule_enabled: true,
        firedrill_percolator: { term: { 'user.name': 'root' } },
      },
    });
    expect(byId.get('rule:t')!.body).not.toHaveProperty('firedrill_percolator');
    expect(byId.get('rule:t')!.body.firedrill_rule_enabled).toBe(false);
  });

  it('names every index after the deployment', () => {
    const named = forDeployment(compileEngineResources(rules, eventTemplates), 'tenant-a');
    expect(named.map((r) => r.index ?? r.id)).toEqual([
      'tenant-a-firedrill-alerts',
      'tenant-a-firedrill-rules',
      'tenant-a-firedrill-engine-state',
      'tenant-a-firedrill-rules',
      'tenant-a-firedrill-rules',
    ]);
  });
});
