import type { Resource } from '../../src/compile/types.js';

/**
 * A small content set of every resource kind under one name prefix, so each test owns its
 * names on the shared cluster: component template → index template → pipelines → indices → rules.
 */
export function contentSet(prefix: string): Resource[] {
  const rulesIndex = `${prefix}-rules`;
  return [
    {
      kind: 'component_template',
      id: `${prefix}-ecs`,
      body: {
        template: { mappings: { properties: { 'event.action': { type: 'keyword' } } } },
        _meta: { description: 'ECS fields' },
      },
    },
    {
      kind: 'index_template',
      id: `${prefix}-logs`,
      body: {
        index_patterns: [`${prefix}-logs-*`],
        composed_of: [`${prefix}-ecs`],
        priority: 200,
        template: { settings: { number_of_shards: 1, number_of_replicas: 0 } },
      },
    },
    {
      kind: 'pipeline',
      id: `${prefix}-router`,
      body: {
        description: 'routes raw records',
        processors: [{ set: { field: 'event.kind', value: 'event' } }],
      },
    },
    {
      kind: 'pipeline',
      id: `${prefix}-aws`,
      body: { processors: [{ set: { field: 'cloud.provider', value: 'aws' } }] },
    },
    {
      kind: 'index',
      id: rulesIndex,
      body: {
        settings: { number_of_shards: 1, number_of_replicas: 0 },
        mappings: { properties: { query: { type: 'percolator' }, 'event.action': { type: 'keyword' } } },
      },
    },
    rule(prefix, 'user-created', 'CreateUser'),
    rule(prefix, 'key-created', 'CreateAccessKey'),
  ];
}

export function rule(prefix: string, name: string, action: string): Resource {
  return {
    kind: 'rule',
    id: `${prefix}-${name}`,
    index: `${prefix}-rules`,
    body: { name, enabled: true, query: { term: { 'event.action': action } } },
  };
}

/** The same set with one resource's body replaced. */
export function withBody(resources: Resource[], id: string, body: Record<string, unknown>): Resource[] {
  return resources.map((r) => (r.id === id ? { ...r, body } : r));
}
