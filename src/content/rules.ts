import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { Type, type ArrayOptions, type TProperties } from '@sinclair/typebox';
import { ContentError } from '../errors.js';
import { readAttackTable, ThreatRefSchema, type AttackTable } from './attack.js';
import { Defaulted, documentOptions, Duration, Pattern, StringEnum, type Filled } from './schema.js';
import { compileSchema, loadValidated, readAll, readEach, type SourceFile } from './yaml.js';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const RULE_TYPES = ['query', 'threshold', 'sequence', 'new_terms'] as const;
export type RuleType = (typeof RULE_TYPES)[number];

const Field = (description?: string) =>
  Pattern('^[@A-Za-z_][A-Za-z0-9_.@-]*$', 'is not a field name like user.name', { description });
const Fields = (description?: string) => Type.Array(Field(), { minItems: 1, uniqueItems: true, description });
const Texts = (options: ArrayOptions = {}) => Type.Array(Type.String({ minLength: 1 }), options);

/** A condition in the rule language (docs/rules.md); checked and compiled by src/compile/rules/condition.ts. */
const ConditionSchema = (description: string) =>
  Type.Record(Type.String(), Type.Unknown(), { minProperties: 1, description });

export const RuleFileSchema = Type.Object(
  {
    id: Pattern('^[a-z0-9]+(-[a-z0-9]+)*$', 'is not a slug like an1608-aws-user-created', {
      maxLength: 100,
      description: 'Stable slug, equal to the file name.',
    }),
    name: Type.String({ minLength: 1 }),
    description: Type.String({ minLength: 1, description: 'Why this matters, in two or three sentences.' }),
    author: Texts({ minItems: 1 }),
    references: Defaulted(Type.Array(Type.String({ format: 'uri' })), []),
    threat: Type.Array(ThreatRefSchema, {
      minItems: 1,
      description: 'ATT&CK ids only; names come from detections/attack/techniques.yaml.',
    }),
    severity: StringEnum(SEVERITIES),
    risk_score: Type.Integer({
      minimum: 0,
      maximum: 100,
      description: 'Must fit the severity: low 0–21, medium 22–47, high 48–73, critical 74–100.',
    }),
    false_positives: Defaulted(Texts(), []),
    investigation: Texts({ minItems: 1, description: 'Triage steps, copied onto every alert.' }),
    tags: Defaulted(Texts(), []),
    index: Type.Array(Pattern('^[^\\s,]+$', 'is not one index pattern'), {
      minItems: 1,
      description: 'Index patterns the rule searches.',
    }),
    schedule: Type.Object(
      {
        interval: Duration({ description: 'How often the rule runs.' }),
        lookback: Duration({ description: 'How far back each run looks; at least the interval.' }),
      },
      { additionalProperties: false },
    ),
    max_alerts: Defaulted(Type.Integer({ minimum: 1, maximum: 10000, description: 'Per run.' }), 100),
    suppression: Defaulted(
      Type.Object(
        {
          window: Duration({
            description: 'Alerts for the same group key within this window are suppressed.',
          }),
          group_by: Type.Optional(Fields('The group key (default per rule type).')),
        },
        { additionalProperties: false },
      ),
      { window: '1h' },
    ),
    enabled: Defaulted(Type.Boolean(), true),
    exempt_approved_provisioners: Defaulted(
      Type.Boolean({
        description: 'Approved provisioners are exempt unless a rule turns this off (docs/rules.md).',
      }),
      true,
    ),
    include_first_activity: Type.Optional(
      Duration({
        description: "Attach the created account's first activity within this long to each alert.",
      }),
    ),
    required_fields: Type.Optional(
      Fields('Fields the rule needs that its conditions do not name (validate checks they are mapped).'),
    ),
    type: StringEnum(RULE_TYPES),
    where: Type.Optional(ConditionSchema('The condition events must meet (docs/rules.md).')),
    threshold: Type.Optional(
      Type.Object(
        {
          group_by: Fields("The group; also the alert's group key."),
          value: Type.Integer({ minimum: 1, description: 'Alert when the count reaches this.' }),
          window: Duration({ description: 'Must fit in schedule.lookback.' }),
          distinct: Type.Optional(Field('Count distinct values of this field instead of events.')),
        },
        { additionalProperties: false },
      ),
    ),
    sequence: Type.Optional(
      Type.Object(
        {
          max_span: Duration({ description: 'Every step within this long; must fit in schedule.lookback.' }),
          ordered: Type.Optional(
            Type.Boolean({
              description:
                'false: every step within max_span in any order (Sigma temporal); default true: in the order listed.',
            }),
          ),
          steps: Type.Array(
            Type.Object(
              {
                name: Type.String({ minLength: 1 }),
                join: Type.Union([Field(), Fields()], {
                  description:
                    'The field, or fields, joining this step to the others: every step names the same number, in the same order (e.g. [cloud.account.id, user.target.name]).',
                }),
                where: ConditionSchema("What the step's event must meet."),
              },
              { additionalProperties: false },
            ),
            { minItems: 2 },
          ),
        },
        { additionalProperties: false },
      ),
    ),
    new_terms: Type.Optional(
      Type.Object(
        {
          entity: Fields('Whose baseline.'),
          fields: Fields('The combination that must be new for that entity.'),
          history: Duration({ description: 'How far back to look; longer than schedule.lookback.' }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  {
    ...documentOptions(
      'rule',
      'firedrill rule',
      'A detection rule: detections/<pack>/<rule-id>.yaml (docs/rules.md).',
    ),
    additionalProperties: false,
  },
);

/** A rule file as loaded (snake_case, durations as text, defaults filled in). */
export type RuleFile = Filled<typeof RuleFileSchema>;

export interface LoadedRule {
  rule: RuleFile;
  source: SourceFile;
}

const validateRuleFile = compileSchema(RuleFileSchema);

/** Rule files of every pack: `<dir>/<pack>/*.yaml` (not `examples/`, `attack/` or `templates/`). */
export function ruleFiles(dir = 'detections'): string[] {
  if (!existsSync(dir)) throw new ContentError(dir, 'detections folder not found');
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

/** The rule a rule or example file is for: its file name. */
export function ruleIdOf(file: string): string {
  return basename(file).replace(/\.ya?ml$/, '');
}

/** A detections folder as the rule compiler takes it: the rules and the ATT&CK table they name. */
export interface Detections {
  rules: LoadedRule[];
  attack: AttackTable;
}

/** Reads a detections folder, schema-checked; throws every problem of every file at once. */
export function readDetections(dir = 'detections'): Detections {
  return { rules: readRules(dir), attack: readAttackTable(dir) };
}

/** Reads and schema-checks every rule file; throws every problem of every file at once. */
export function readRules(dir = 'detections'): LoadedRule[] {
  return readAll(ruleFiles(dir), readRule);
}

/** Reads and schema-checks one rule file. */
export function readRule(file: string): LoadedRule {
  const { value, source } = loadValidated(file, validateRuleFile);
  return { rule: value, source };
}

const Records = (options: ArrayOptions) => Type.Array(Type.Record(Type.String(), Type.Unknown()), options);

const exampleCase = <E extends TProperties>(extra: E) =>
  Type.Object(
    {
      name: Type.String({ minLength: 1 }),
      history: Type.Optional(
        Records({
          description:
            'Baseline records ingested first (new_terms history); alerts they would raise do not count.',
        }),
      ),
      events: Records({
        minItems: 1,
        description: 'Raw cloud log records, exactly as the provider writes them.',
      }),
      ...extra,
    },
    { additionalProperties: false },
  );

const PositiveCaseSchema = exampleCase({
  expect: Type.Optional(
    Type.Object(
      {
        alerts: Type.Optional(Type.Integer({ minimum: 1, description: 'Exactly this many alerts.' })),
        fields: Type.Optional(
          Type.Record(Type.String(), Type.Unknown(), {
            propertyNames: Field(),
            description: 'Values an alert (and its source events) must carry, by dotted field name.',
          }),
        ),
      },
      { additionalProperties: false },
    ),
  ),
});

export const RuleExamplesSchema = Type.Object(
  {
    positive: Type.Array(PositiveCaseSchema, { minItems: 1, description: 'Cases the rule must alert on.' }),
    negative: Type.Array(exampleCase({}), { minItems: 1, description: 'Look-alikes it must not alert on.' }),
  },
  {
    ...documentOptions(
      'rule-examples',
      'firedrill rule examples',
      'Cases a rule must and must not alert on: detections/<pack>/examples/<rule-id>.yaml (docs/rules.md).',
    ),
    additionalProperties: false,
  },
);

/** One example case: raw cloud log records, and for positives what the alert must show. */
export type ExampleCase = Filled<typeof PositiveCaseSchema>;

export type RuleExamples = Filled<typeof RuleExamplesSchema> & {
  file: string;
  /** The rule the file belongs to: its file name. */
  ruleId: string;
};

const validateExamples = compileSchema(RuleExamplesSchema);

/** Reads `<dir>/<pack>/examples/*.yaml` of every pack, schema-checked: what loaded, and every problem of the rest. */
export function readExamples(dir = 'detections'): { values: RuleExamples[]; errors: ContentError[] } {
  const files = [...new Set(ruleFiles(dir).map((f) => join(f, '..', 'examples')))].flatMap((examples) =>
    existsSync(examples)
      ? readdirSync(examples)
          .filter((f) => /\.ya?ml$/.test(f))
          .sort()
          .map((f) => join(examples, f))
      : [],
  );
  return readEach(files, (file) => ({
    file,
    ruleId: ruleIdOf(file),
    ...loadValidated(file, validateExamples).value,
  }));
}
