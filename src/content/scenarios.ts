import { readdirSync, statSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { Type, type TProperties } from '@sinclair/typebox';
import { ContentError } from '../errors.js';
import { SOURCE_IDS } from '../sources/index.js';
import { Defaulted, documentOptions, Duration, Offset, Pattern, StringEnum, type Filled } from './schema.js';
import { compileSchema, loadValidated, readEach, type Loaded } from './yaml.js';

const ScenarioTechniqueSchema = Type.Object(
  {
    technique: Pattern('^T\\d{4}(\\.\\d{3})?$', 'is not a technique id like T1136 or T1136.003'),
    name: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);
export type ScenarioTechnique = Filled<typeof ScenarioTechniqueSchema>;

const Parameters = (description: string) => Type.Record(Type.String(), Type.Unknown(), { description });
const Count = () => Type.Optional(Type.Integer({ minimum: 0 }));

export const ScenarioSchema = Type.Object(
  {
    name: Pattern('^[a-z0-9][a-z0-9-]*$', 'is not a name like aws-user-created-then-key', {
      description: 'Unique in the library.',
    }),
    description: Type.String({ minLength: 1 }),
    kind: StringEnum(['attack', 'benign'], {
      description: '`attack` proves a rule fires; `benign` is a look-alike that must stay quiet.',
    }),
    attack: Type.Array(ScenarioTechniqueSchema, {
      description: 'The ATT&CK techniques the scenario exercises.',
    }),
    seed: Type.Optional(
      Type.Union([Type.String(), Type.Integer()], {
        description: 'Same seed → same event ids, key ids and principal ids (default: the name).',
      }),
    ),
    start: Defaulted(
      Type.String({
        format: 'date-time',
        description:
          'The time of +0s before any replay shift; its weekday and hour matter to change-window rules.',
      }),
      '2026-01-05T10:00:00Z',
    ),
    identities: Defaulted(
      Type.Record(
        Type.String(),
        Type.Object(
          { template: Type.String({ description: 'An identity template from scenarios/templates.' }) },
          { description: 'An identity template and its parameters.' },
        ),
        { description: 'Who acts in the scenario.' },
      ),
      {},
    ),
    events: Defaulted(
      Type.Array(
        Type.Object(
          {
            at: Offset({
              description: 'Offset from start: +0s, 90s, +5m, -3d. Events before +0s are history.',
            }),
            template: Type.String({
              description: 'An event template from scenarios/templates, e.g. aws.iam.CreateUser.',
            }),
            actor: Type.String({ description: 'The identity making the call.' }),
            with: Type.Optional(Parameters('Template parameters; strings may use ${...} like templates do.')),
            repeat: Type.Optional(Type.Integer({ minimum: 1, maximum: 100000 })),
            every: Type.Optional(Duration({ description: 'The gap between repeats (default 1s).' })),
          },
          { additionalProperties: false },
        ),
      ),
      [],
    ),
    raw: Type.Optional(
      Type.Object(
        {
          files: Type.Array(Type.String(), {
            minItems: 1,
            description: 'Raw log files, relative to the scenario file: any format firedrill replay reads.',
          }),
          source: Type.Optional(
            StringEnum([...SOURCE_IDS, 'auto'], {
              description: 'The log source of every record (default auto).',
            }),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    expect: Type.Object(
      {
        must_fire: Defaulted(
          Type.Array(
            Type.Object(
              {
                rule: Type.String(),
                count: Type.Optional(
                  Type.Integer({
                    minimum: 1,
                    description: 'Exactly this many alerts (default: at least one).',
                  }),
                ),
                fields: Type.Optional(
                  Type.Record(Type.String(), Type.Union([Type.String(), Type.Number(), Type.Boolean()]), {
                    description: "Values every one of the rule's alerts must carry, by dotted field name.",
                  }),
                ),
              },
              { additionalProperties: false },
            ),
          ),
          [],
        ),
        must_not_fire: Type.Union([Type.Literal('none'), Type.Array(Type.String())], {
          description: 'Rule ids that must stay silent, or none: no alert other than must_fire ones.',
        }),
        ingest: Type.Optional(
          Type.Object(
            { read: Count(), indexed: Count(), duplicates: Count(), dead_lettered: Count() },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  {
    ...documentOptions(
      'scenario',
      'firedrill scenario',
      'What happened and what the detections must make of it: scenarios/<pack>/*.yaml (docs/scenarios.md).',
    ),
    additionalProperties: false,
  },
);

type ScenarioFile = Filled<typeof ScenarioSchema>;

export type ScenarioEvent = ScenarioFile['events'][number];
export type AlertExpectation = ScenarioFile['expect']['must_fire'][number];

/** A loaded scenario: the file's content with defaults, its seed as text, and where it came from. */
export type Scenario = Omit<ScenarioFile, 'seed' | 'identities'> & {
  seed: string;
  /** Each identity: its template and that template's parameters (the schema leaves the object open). */
  identities: Record<string, ScenarioFile['identities'][string] & Record<string, unknown>>;
  /** Where it came from (filled by the loader). */
  file: string;
  /** Line of each event and identity in the file, for messages about them (filled by the loader). */
  lines?: { events: (number | undefined)[]; identities: Record<string, number | undefined> };
};

const validateScenario = compileSchema(ScenarioSchema);

/** Reads one scenario file: schema-checked, defaults filled in, with the lines of its events and identities. */
export function readScenario(file: string): Loaded<Scenario> {
  const { value, source } = loadValidated(file, validateScenario);
  const scenario = { ...value, seed: String(value.seed ?? value.name), file: resolve(file) } as Scenario;
  scenario.lines = {
    events: scenario.events.map((_e, i) => source.lineOf(['events', i])),
    identities: Object.fromEntries(
      Object.keys(scenario.identities).map((k) => [k, source.lineOf(['identities', k])]),
    ),
  };
  return { value: scenario, source };
}

/** Scenario files under the given files or folders (recursively), skipping `templates/` and raw-log folders. */
export function findScenarioFiles(paths: string[]): string[] {
  const files: string[] = [];
  const visit = (path: string): void => {
    const st = statSync(path, { throwIfNoEntry: false });
    if (!st) throw new ContentError(path, 'no such file or folder');
    if (st.isFile()) {
      files.push(resolve(path));
      return;
    }
    for (const entry of readdirSync(path).sort()) {
      const child = join(path, entry);
      const cst = statSync(child);
      if (cst.isDirectory()) {
        if (entry !== 'templates' && entry !== 'raw') visit(child);
      } else if (['.yaml', '.yml'].includes(extname(entry))) files.push(resolve(child));
    }
  };
  paths.forEach(visit);
  return files;
}

// --- templates ---

/** A template: parameter defaults, and what it renders (`${...}` placeholders filled from them). */
const Template = <P extends TProperties>(rendered: P) =>
  Type.Object(
    { defaults: Defaulted(Parameters('Parameter values used when a scenario gives none.'), {}), ...rendered },
    { additionalProperties: false },
  );

const EventTemplateSchema = Template({
  record: Parameters("The log source's real record schema with ${...} placeholders (docs/scenarios.md)."),
});
const IdentityTemplateSchema = Template({
  fields: Parameters('Fields event templates read as ${actor.*}, e.g. CloudTrail userIdentity.'),
});

export const RecordTemplatesSchema = Type.Object(
  {
    source: StringEnum(SOURCE_IDS, { description: 'The log source of the records (src/sources/).' }),
    identities: Defaulted(Type.Record(Type.String(), IdentityTemplateSchema), {}),
    events: Type.Record(Type.String(), EventTemplateSchema),
  },
  {
    ...documentOptions(
      'record-templates',
      'firedrill record templates',
      'Event and identity templates of one log source: scenarios/templates/*.yaml (docs/scenarios.md).',
    ),
    additionalProperties: false,
  },
);

/** A record template: `record` is the log source's real schema with `${...}` placeholders. */
export type EventTemplate = Filled<typeof EventTemplateSchema>;
/** An identity template: renders fields (e.g. CloudTrail `userIdentity`) event templates use as `actor.*`. */
export type IdentityTemplate = Filled<typeof IdentityTemplateSchema>;
export type TemplateFile = Filled<typeof RecordTemplatesSchema>;

export interface TemplateLibrary {
  events: Map<string, EventTemplate & { source: string; file: string }>;
  identities: Map<string, IdentityTemplate & { source: string; file: string }>;
}

const validateTemplates = compileSchema(RecordTemplatesSchema);

/** Reads every record-template file in a folder, schema-checked: what loaded, and every problem of the rest. */
export function readTemplateFiles(dir: string): { values: Loaded<TemplateFile>[]; errors: ContentError[] } {
  const files = readdirSync(dir)
    .sort()
    .filter((entry) => ['.yaml', '.yml', '.json'].includes(extname(entry)));
  return readEach(files, (entry) => loadValidated(resolve(dir, entry), validateTemplates));
}
