import { readdirSync, statSync } from 'node:fs';
import { dirname, extname, join, resolve } from 'node:path';
import { ContentError, ContentErrors } from '../errors.js';
import { SOURCE_IDS } from '../sources/index.js';
import { DURATION_PATTERN, OFFSET_PATTERN } from '../time/index.js';
import { compileSchema, loadValidated, type SourceFile } from './yaml.js';

export interface ScenarioTechnique {
  /** e.g. T1136.003 */
  technique: string;
  name?: string;
}

/** One generated event (or `repeat` of them) placed at a time relative to the scenario start. */
export interface ScenarioEvent {
  /** Offset from `start`: `+0s`, `+90s`, `+5m`, `+2h`, `-3d`. */
  at: string;
  /** A template name from scenarios/templates, e.g. `aws.iam.CreateUser`. */
  template: string;
  /** The scenario identity making the call. */
  actor: string;
  /** Template parameters; strings may use `${...}` like templates do. */
  with?: Record<string, unknown>;
  repeat?: number;
  /** Gap between repeats, e.g. `1s`. */
  every?: string;
}

export interface ScenarioRawLogs {
  /** Files relative to the scenario file: CloudTrail delivery files, JSON lines, arrays, gzip. */
  files: string[];
  /** A log source id (src/sources/), or `auto` (the default): the router recognises each record. */
  source?: string;
}

export interface AlertExpectation {
  rule: string;
  /** Exactly this many alerts (default: at least one). */
  count?: number;
  /** Fields every one of the rule's alerts must carry, by dotted name. */
  fields?: Record<string, string | number | boolean>;
}

export interface IngestExpectation {
  read?: number;
  indexed?: number;
  duplicates?: number;
  dead_lettered?: number;
}

export interface Scenario {
  name: string;
  description: string;
  /** `attack` proves a rule fires; `benign` is a look-alike that must stay quiet. */
  kind: 'attack' | 'benign';
  attack: ScenarioTechnique[];
  /** Same seed → same event ids, key ids and principal ids (default: the scenario name; unique per library). */
  seed: string;
  /** Absolute time of `+0s` before any replay shift (its weekday and hour matter to change-window rules). */
  start: string;
  identities: Record<string, { template: string } & Record<string, unknown>>;
  events: ScenarioEvent[];
  raw?: ScenarioRawLogs;
  expect: {
    must_fire: AlertExpectation[];
    /** Rule ids that must stay silent, or `none`: no alert other than `must_fire` ones. */
    must_not_fire: string[] | 'none';
    ingest?: IngestExpectation;
  };
  /** Where it came from (filled by the loader). */
  file: string;
  /** Line of each event and identity in the file, for messages about them (filled by the loader). */
  lines?: { events: (number | undefined)[]; identities: Record<string, number | undefined> };
}

const scenarioSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'description', 'kind', 'attack', 'expect'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9][a-z0-9-]*$' },
    description: { type: 'string', minLength: 1 },
    kind: { enum: ['attack', 'benign'] },
    attack: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['technique'],
        properties: {
          technique: { type: 'string', pattern: '^T\\d{4}(\\.\\d{3})?$' },
          name: { type: 'string' },
        },
      },
    },
    seed: { type: ['string', 'integer'] },
    start: { type: 'string', format: 'date-time', default: '2026-01-05T10:00:00Z' },
    identities: {
      type: 'object',
      default: {},
      additionalProperties: {
        type: 'object',
        required: ['template'],
        properties: { template: { type: 'string' } },
      },
    },
    events: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['at', 'template', 'actor'],
        properties: {
          at: { type: 'string', pattern: OFFSET_PATTERN },
          template: { type: 'string' },
          actor: { type: 'string' },
          with: { type: 'object' },
          repeat: { type: 'integer', minimum: 1, maximum: 100000 },
          every: { type: 'string', pattern: DURATION_PATTERN },
        },
      },
    },
    raw: {
      type: 'object',
      additionalProperties: false,
      required: ['files'],
      properties: {
        files: { type: 'array', minItems: 1, items: { type: 'string' } },
        source: { enum: [...SOURCE_IDS, 'auto'] },
      },
    },
    expect: {
      type: 'object',
      additionalProperties: false,
      required: ['must_not_fire'],
      properties: {
        must_fire: {
          type: 'array',
          default: [],
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['rule'],
            properties: {
              rule: { type: 'string' },
              count: { type: 'integer', minimum: 1 },
              fields: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean'] } },
            },
          },
        },
        must_not_fire: {
          oneOf: [{ const: 'none' }, { type: 'array', items: { type: 'string' } }],
        },
        ingest: {
          type: 'object',
          additionalProperties: false,
          properties: {
            read: { type: 'integer', minimum: 0 },
            indexed: { type: 'integer', minimum: 0 },
            duplicates: { type: 'integer', minimum: 0 },
            dead_lettered: { type: 'integer', minimum: 0 },
          },
        },
      },
    },
  },
} as const;

const validateScenario = compileSchema<Omit<Scenario, 'file' | 'lines'>>(scenarioSchema);

/** Loads and validates one scenario file; cross-field problems also name the line. */
export function loadScenario(file: string): Scenario {
  const { value, source } = loadValidated(file, validateScenario);
  const scenario = { ...value, seed: String(value.seed ?? value.name), file: resolve(file) } as Scenario;
  scenario.lines = {
    events: scenario.events.map((_e, i) => source.lineOf(['events', i])),
    identities: Object.fromEntries(
      Object.keys(scenario.identities).map((k) => [k, source.lineOf(['identities', k])]),
    ),
  };
  const problems = crossCheck(scenario, source);
  if (problems.length) throw new ContentErrors(problems);
  return scenario;
}

function crossCheck(s: Scenario, source: SourceFile): ContentError[] {
  const problems: ContentError[] = [];
  s.events.forEach((e, i) => {
    if (!s.identities[e.actor])
      problems.push(
        new ContentError(
          s.file,
          `unknown identity '${e.actor}' (declared: ${Object.keys(s.identities).join(', ') || 'none'})`,
          source.lineOf(['events', i, 'actor']),
          `events.${i}.actor`,
        ),
      );
    if (e.every && !e.repeat)
      problems.push(
        new ContentError(s.file, 'needs repeat', source.lineOf(['events', i, 'every']), `events.${i}.every`),
      );
  });
  if (s.events.length === 0 && !s.raw)
    problems.push(new ContentError(s.file, 'a scenario needs events or raw files', 1, 'events'));
  if (s.kind === 'attack' && s.expect.must_fire.length === 0)
    problems.push(
      new ContentError(
        s.file,
        'an attack scenario must expect at least one alert',
        source.lineOf(['expect']),
        'expect.must_fire',
      ),
    );
  for (const [i, f] of (s.raw?.files ?? []).entries()) {
    const path = resolve(dirname(s.file), f);
    if (!isFile(path))
      problems.push(
        new ContentError(
          s.file,
          `file not found: ${path}`,
          source.lineOf(['raw', 'files', i]),
          `raw.files.${i}`,
        ),
      );
  }
  return problems;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
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

/** Loads every scenario, collecting every file's problems before failing; names must be unique. */
export function loadScenarios(paths: string[]): Scenario[] {
  const scenarios: Scenario[] = [];
  const problems: ContentError[] = [];
  for (const file of findScenarioFiles(paths)) {
    try {
      scenarios.push(loadScenario(file));
    } catch (error) {
      if (error instanceof ContentErrors) problems.push(...error.errors);
      else if (error instanceof ContentError) problems.push(error);
      else throw error;
    }
  }
  const seen = new Map<string, string>();
  for (const s of scenarios) {
    const other = seen.get(s.name);
    if (other)
      problems.push(
        new ContentError(s.file, `scenario name '${s.name}' is also used by ${other}`, 1, 'name'),
      );
    seen.set(s.name, s.file);
  }
  if (problems.length) throw new ContentErrors(problems);
  return scenarios;
}

// --- templates ---

/** A record template: `record` is the log source's real schema with `${...}` placeholders. */
export interface EventTemplate {
  defaults: Record<string, unknown>;
  record: Record<string, unknown>;
}

/** An identity template: renders fields (e.g. CloudTrail `userIdentity`) event templates use as `actor.*`. */
export interface IdentityTemplate {
  defaults: Record<string, unknown>;
  fields: Record<string, unknown>;
}

export interface TemplateFile {
  /** The log source id of the records (src/sources/). */
  source: string;
  identities: Record<string, IdentityTemplate>;
  events: Record<string, EventTemplate>;
}

export interface TemplateLibrary {
  events: Map<string, EventTemplate & { source: string; file: string }>;
  identities: Map<string, IdentityTemplate & { source: string; file: string }>;
}

const templateSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['source', 'events'],
  properties: {
    source: { enum: [...SOURCE_IDS] },
    identities: {
      type: 'object',
      default: {},
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['fields'],
        properties: { defaults: { type: 'object', default: {} }, fields: { type: 'object' } },
      },
    },
    events: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['record'],
        properties: { defaults: { type: 'object', default: {} }, record: { type: 'object' } },
      },
    },
  },
} as const;

const validateTemplates = compileSchema<TemplateFile>(templateSchema);

/** Loads every template file in a folder into one library; a name defined twice is an error. */
export function loadTemplates(dir: string): TemplateLibrary {
  const library: TemplateLibrary = { events: new Map(), identities: new Map() };
  const problems: ContentError[] = [];
  for (const entry of readdirSync(dir).sort()) {
    if (!['.yaml', '.yml', '.json'].includes(extname(entry))) continue;
    const file = resolve(dir, entry);
    try {
      const { value, source } = loadValidated(file, validateTemplates);
      for (const [kind, map] of [
        ['events', library.events],
        ['identities', library.identities],
      ] as const) {
        for (const [name, t] of Object.entries(value[kind])) {
          const existing = map.get(name);
          if (existing)
            problems.push(
              new ContentError(
                file,
                `template '${name}' is also defined in ${existing.file}`,
                source.lineOf([kind, name]),
                `${kind}.${name}`,
              ),
            );
          (map as Map<string, unknown>).set(name, { ...t, source: value.source, file });
        }
      }
    } catch (error) {
      if (error instanceof ContentErrors) problems.push(...error.errors);
      else if (error instanceof ContentError) problems.push(error);
      else throw error;
    }
  }
  if (problems.length) throw new ContentErrors(problems);
  return library;
}
