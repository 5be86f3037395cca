import { Type, type Static } from '@sinclair/typebox';
import type { ValidateFunction } from 'ajv';
import { compileSchema } from '../content/yaml.js';
import { layoutOf } from '../layout/index.js';
import type { CompiledRule, Resource } from './types.js';

import alertsDefinition from './engine-indices/alerts.json' with { type: 'json' };
import rulesDefinition from './engine-indices/rules.json' with { type: 'json' };
import stateDefinition from './engine-indices/state.json' with { type: 'json' };

const Json = () => Type.Record(Type.String(), Type.Unknown());

const MappingsSchema = Type.Object({ properties: Json(), _meta: Type.Optional(Json()) });
type Mappings = Static<typeof MappingsSchema>;

const IndexBodySchema = Type.Object(
  { settings: Json(), mappings: MappingsSchema },
  { additionalProperties: false },
);
type IndexBody = Static<typeof IndexBodySchema>;

const IndexTemplateSchema = Type.Object(
  {
    index_patterns: Type.Array(Type.String(), { minItems: 1 }),
    priority: Type.Optional(Type.Integer()),
    _meta: Type.Optional(Json()),
    template: IndexBodySchema,
  },
  { additionalProperties: false },
);

const validateIndexBody = compileSchema(IndexBodySchema);
const validateIndexTemplate = compileSchema(IndexTemplateSchema);

/** A package-internal definition that does not fit its schema is a firedrill bug: fail loudly. */
function checked<T>(name: string, value: unknown, validate: ValidateFunction<T>): T {
  if (!validate(value))
    throw new Error(`engine index definition ${name} is invalid: ${JSON.stringify(validate.errors)}`);
  return value;
}

/**
 * The engine's cluster resources: the alerts index template, the rules index (event mappings merged in so
 * query rules are storable as percolator queries), the checkpoint index, and one `rule` document per rule
 * (written by the deployer into the rules index with `_id` = rule id). Named for the default deployment;
 * `compileAll` renames them for any other.
 */
export function compileEngineResources(rules: CompiledRule[], eventTemplates: Resource[]): Resource[] {
  const layout = layoutOf();
  const alerts = checked('alerts.json', structuredClone(alertsDefinition), validateIndexTemplate);
  const rulesIndex = checked('rules.json', structuredClone(rulesDefinition), validateIndexBody);
  const state = checked('state.json', structuredClone(stateDefinition), validateIndexBody);

  const eventFields = mergeEventProperties(eventTemplates);
  const rulesBody: IndexBody = {
    ...rulesIndex,
    mappings: {
      ...rulesIndex.mappings,
      properties: { ...eventFields, ...rulesIndex.mappings.properties },
    },
  };
  return [
    {
      kind: 'index_template',
      id: layout.alertsIndex,
      body: { ...alerts, index_patterns: [`${layout.alertsIndex}*`] },
    },
    { kind: 'index', id: layout.rulesIndex, body: { ...rulesBody } },
    { kind: 'index', id: layout.engineStateIndex, body: { ...state } },
    ...rules.map((rule) => ({
      kind: 'rule' as const,
      id: rule.id,
      index: layout.rulesIndex,
      body: ruleDocument(rule),
    })),
  ];
}

/** The document the rules index holds for one rule; query rules carry their percolator query. */
export function ruleDocument(rule: CompiledRule): Record<string, unknown> {
  return {
    firedrill_rule: rule,
    firedrill_rule_id: rule.id,
    firedrill_rule_type: rule.type,
    firedrill_rule_enabled: rule.enabled,
    firedrill_rule_hash: rule.hash,
    ...(rule.type === 'query' ? { firedrill_percolator: rule.query } : {}),
  };
}

/** Deep-merges the field mappings of every event template (component and index templates); first definition wins. */
function mergeEventProperties(templates: Resource[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const resource of templates) {
    if (resource.kind !== 'component_template' && resource.kind !== 'index_template') continue;
    const template = resource.body.template as { mappings?: Mappings } | undefined;
    mergeProperties(merged, template?.mappings?.properties ?? {});
  }
  return merged;
}

function mergeProperties(into: Record<string, unknown>, from: Record<string, unknown>): void {
  for (const [name, definition] of Object.entries(from)) {
    const existing = into[name] as Mappings | undefined;
    const incoming = definition as Mappings;
    if (!existing) into[name] = structuredClone(incoming);
    else if (existing.properties && incoming.properties)
      mergeProperties(existing.properties, incoming.properties);
  }
}
