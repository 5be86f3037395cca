import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Severity } from '../compile/types.js';
import { ContentError, ContentErrors } from '../errors.js';
import { DURATION_PATTERN } from '../time/index.js';
import type { ThreatRef } from './attack.js';
import { compileSchema, loadValidated, type SourceFile } from './yaml.js';

/** A condition in the rule language (docs/rules.md); checked and compiled by src/compile/rules/condition.ts. */
export type Condition = Record<string, unknown>;

export type RuleType = 'query' | 'threshold' | 'sequence' | 'new_terms';

/** A rule file as written (snake_case, durations as text). */
export interface RuleFile {
  id: string;
  name: string;
  description: string;
  author: string[];
  references: string[];
  threat: ThreatRef[];
  severity: Severity;
  risk_score: number;
  false_positives: string[];
  investigation: string[];
  tags: string[];
  index: string[];
  schedule: { interval: string; lookback: string };
  max_alerts: number;
  suppression: { window: string; group_by?: string[] };
  enabled: boolean;
  /** Approved provisioners are exempt unless a rule turns this off (the seed's "tune for approved automation"). */
  exempt_approved_provisioners: boolean;
  /** Attach the created account's first activity within this long to each alert. */
  include_first_activity?: string;
  /** Fields the rule needs that the event mappings do not declare (rare; validate checks the rest). */
  required_fields?: string[];
  type: RuleType;
  where?: Condition;
  threshold?: { group_by: string[]; value: number; window: string; distinct?: string };
  sequence?: { max_span: string; steps: { name: string; join: string; where: Condition }[] };
  new_terms?: { entity: string[]; fields: string[]; history: string };
}

export interface LoadedRule {
  rule: RuleFile;
  source: SourceFile;
}

const DURATION = { type: 'string', pattern: DURATION_PATTERN };
const FIELD = { type: 'string', pattern: '^[@A-Za-z_][A-Za-z0-9_.@-]*$' };
const FIELDS = { type: 'array', minItems: 1, uniqueItems: true, items: FIELD };
const TEXTS = { type: 'array', items: { type: 'string', minLength: 1 } };
const CONDITION = { type: 'object', minProperties: 1 };

const validateRuleFile = compileSchema<RuleFile>({
  type: 'object',
  additionalProperties: false,
  required: [
    'id',
    'name',
    'description',
    'author',
    'threat',
    'severity',
    'risk_score',
    'investigation',
    'index',
    'schedule',
    'type',
  ],
  properties: {
    id: { type: 'string', pattern: '^[a-z0-9]+(-[a-z0-9]+)*$', maxLength: 100 },
    name: { type: 'string', minLength: 1 },
    description: { type: 'string', minLength: 1 },
    author: { ...TEXTS, minItems: 1 },
    references: { type: 'array', items: { type: 'string', format: 'uri' }, default: [] },
    threat: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['tactic', 'technique'],
        properties: {
          tactic: { type: 'string', pattern: '^TA[0-9]{4}$' },
          technique: { type: 'string', pattern: '^T[0-9]{4}$' },
          subtechnique: { type: 'string', pattern: '^T[0-9]{4}\\.[0-9]{3}$' },
          analytic: { type: 'string', pattern: '^AN[0-9]{4}$' },
        },
      },
    },
    severity: { enum: ['low', 'medium', 'high', 'critical'] },
    risk_score: { type: 'integer', minimum: 0, maximum: 100 },
    false_positives: { ...TEXTS, default: [] },
    investigation: { ...TEXTS, minItems: 1 },
    tags: { ...TEXTS, default: [] },
    index: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[^\\s,]+$' } },
    schedule: {
      type: 'object',
      additionalProperties: false,
      required: ['interval', 'lookback'],
      properties: { interval: DURATION, lookback: DURATION },
    },
    max_alerts: { type: 'integer', minimum: 1, maximum: 10000, default: 100 },
    suppression: {
      type: 'object',
      additionalProperties: false,
      required: ['window'],
      properties: { window: DURATION, group_by: FIELDS },
      default: { window: '1h' },
    },
    enabled: { type: 'boolean', default: true },
    exempt_approved_provisioners: { type: 'boolean', default: true },
    include_first_activity: DURATION,
    required_fields: FIELDS,
    type: { enum: ['query', 'threshold', 'sequence', 'new_terms'] },
    where: CONDITION,
    threshold: {
      type: 'object',
      additionalProperties: false,
      required: ['group_by', 'value', 'window'],
      properties: {
        group_by: FIELDS,
        value: { type: 'integer', minimum: 1 },
        window: DURATION,
        distinct: FIELD,
      },
    },
    sequence: {
      type: 'object',
      additionalProperties: false,
      required: ['max_span', 'steps'],
      properties: {
        max_span: DURATION,
        steps: {
          type: 'array',
          minItems: 2,
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['name', 'join', 'where'],
            properties: { name: { type: 'string', minLength: 1 }, join: FIELD, where: CONDITION },
          },
        },
      },
    },
    new_terms: {
      type: 'object',
      additionalProperties: false,
      required: ['entity', 'fields', 'history'],
      properties: { entity: FIELDS, fields: FIELDS, history: DURATION },
    },
  },
});

/** Rule files of every pack: `<dir>/<pack>/*.yaml` (not `examples/`, `attack/` or `templates/`). */
export function ruleFiles(dir = 'detections'): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !NOT_PACKS.has(d.name))
    .flatMap((pack) =>
      readdirSync(join(dir, pack.name))
        .filter((f) => /\.ya?ml$/.test(f))
        .sort()
        .map((f) => join(dir, pack.name, f)),
    );
}

const NOT_PACKS = new Set(['attack', 'templates']);

/** Loads and schema-checks every rule file; throws every problem of every file at once. */
export function loadRules(dir = 'detections'): LoadedRule[] {
  const loaded: LoadedRule[] = [];
  const errors: ContentError[] = [];
  for (const file of ruleFiles(dir)) {
    try {
      const { value, source } = loadValidated(file, validateRuleFile);
      loaded.push({ rule: value, source });
    } catch (error) {
      errors.push(...contentErrorsOf(error));
    }
  }
  if (errors.length) throw new ContentErrors(errors);
  return loaded;
}

/** The content problems an error carries; anything else is a bug and is rethrown. */
export function contentErrorsOf(error: unknown): ContentError[] {
  if (error instanceof ContentErrors) return error.errors;
  if (error instanceof ContentError) return [error];
  throw error;
}

/** One example case: raw cloud log records, and for positives what the alert must show. */
export interface ExampleCase {
  name: string;
  /** Baseline records ingested first (new_terms history); alerts they would raise do not count. */
  history?: Record<string, unknown>[];
  events: Record<string, unknown>[];
  expect?: { alerts?: number; fields?: Record<string, unknown> };
}

export interface RuleExamples {
  file: string;
  /** The rule the file belongs to: its file name. */
  ruleId: string;
  positive: ExampleCase[];
  negative: ExampleCase[];
}

const RECORDS = { type: 'array', items: { type: 'object' } };
const exampleCase = (withExpect: boolean): object => ({
  type: 'object',
  additionalProperties: false,
  required: ['name', 'events'],
  properties: {
    name: { type: 'string', minLength: 1 },
    history: RECORDS,
    events: { ...RECORDS, minItems: 1 },
    ...(withExpect && {
      expect: {
        type: 'object',
        additionalProperties: false,
        properties: {
          alerts: { type: 'integer', minimum: 1 },
          fields: { type: 'object', propertyNames: FIELD },
        },
      },
    }),
  },
});

const validateExamples = compileSchema<Omit<RuleExamples, 'file' | 'ruleId'>>({
  type: 'object',
  additionalProperties: false,
  required: ['positive', 'negative'],
  properties: {
    positive: { type: 'array', minItems: 1, items: exampleCase(true) },
    negative: { type: 'array', minItems: 1, items: exampleCase(false) },
  },
});

/** Loads `<dir>/<pack>/examples/<rule-id>.yaml` for every pack; each must name a rule in `ruleIds`. */
export function loadExamples(dir = 'detections', ruleIds?: Set<string>): RuleExamples[] {
  const loaded: RuleExamples[] = [];
  const errors: ContentError[] = [];
  for (const pack of new Set(ruleFiles(dir).map((f) => join(f, '..')))) {
    const examplesDir = join(pack, 'examples');
    const files = existsSync(examplesDir) ? readdirSync(examplesDir).filter((f) => /\.ya?ml$/.test(f)) : [];
    for (const name of files.sort()) {
      const file = join(examplesDir, name);
      const ruleId = name.replace(/\.ya?ml$/, '');
      try {
        const { value } = loadValidated(file, validateExamples);
        if (ruleIds && !ruleIds.has(ruleId))
          throw new ContentError(
            file,
            `no rule '${ruleId}' for these examples (the file name is the rule id)`,
          );
        loaded.push({ file, ruleId, ...value });
      } catch (error) {
        errors.push(...contentErrorsOf(error));
      }
    }
  }
  if (errors.length) throw new ContentErrors(errors);
  return loaded;
}
