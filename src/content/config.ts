import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { ContentError } from '../errors.js';
import { documentOptions, Pattern, StringEnum } from './schema.js';
import { compileSchema, loadValidated, type SourceFile } from './yaml.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

const StringList = (description?: string) =>
  Type.Array(Type.String({ minLength: 1 }), { uniqueItems: true, description });

const ChangeWindowSchema = Type.Object(
  {
    days: Type.Array(StringEnum(WEEKDAYS), {
      minItems: 1,
      uniqueItems: true,
      description: 'Weekdays, in the timezone (default UTC).',
    }),
    hours: Type.Object(
      {
        start: Type.Integer({ minimum: 0, maximum: 23, description: 'Hour in the timezone, inclusive.' }),
        end: Type.Integer({
          minimum: 1,
          maximum: 24,
          description: 'Hour in the timezone, exclusive; below start is overnight.',
        }),
      },
      { additionalProperties: false },
    ),
    timezone: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          'An IANA time zone such as Europe/Berlin or America/New_York (default UTC): days and hours are local time there, daylight saving included.',
      }),
    ),
  },
  { additionalProperties: false, description: 'Normal change hours, in UTC unless timezone names a zone.' },
);
/** Normal change hours (UTC, or local time in `timezone`); `end` is exclusive and may be smaller than `start` (overnight). */
export type ChangeWindow = Static<typeof ChangeWindowSchema>;

const TargetSchema = Type.Object(
  {
    url: Pattern('^https?://', 'is not an http:// or https:// URL'),
    insecure: Type.Optional(Type.Boolean({ description: 'Skip TLS certificate verification.' })),
    ca: Type.Optional(
      Type.String({ minLength: 1, description: 'A PEM CA bundle, relative to the working directory.' }),
    ),
  },
  { additionalProperties: false },
);
export type TargetConfig = Static<typeof TargetSchema>;

const ParametersSchema = Type.Object(
  {
    approved_provisioners: Type.Optional(
      StringList(
        'Identities allowed to create accounts: ARNs, role or session-issuer names, emails, UPNs, app ids.',
      ),
    ),
    change_window: Type.Optional(ChangeWindowSchema),
  },
  {
    propertyNames: Pattern('^[a-z][a-z0-9_]*$', 'is not a parameter name like corporate_ranges'),
    additionalProperties: StringList('A list parameter for in_param in your own rules.'),
    description: 'Deployment parameters that rules reference by name (in_param, in_window).',
  },
);

const TARGET_NAME = '^[A-Za-z0-9_.-]+$';

export const ConfigSchema = Type.Object(
  {
    targets: Type.Optional(
      Type.Record(Type.String({ pattern: TARGET_NAME }), TargetSchema, {
        additionalProperties: false,
        description: 'Clusters by name, for firedrill deploy --env NAME.',
      }),
    ),
    keep_event_original: Type.Optional(
      Type.Boolean({ description: 'Keep the raw record in event.original (roughly doubles storage).' }),
    ),
    parameters: Type.Optional(ParametersSchema),
    sigma: Type.Optional(
      Type.Object(
        {
          fields: Type.Optional(
            Type.Record(
              Type.String({ pattern: '^[a-z0-9-]+$' }),
              Type.Record(
                Type.String({ minLength: 1 }),
                Pattern('^[@A-Za-z_][A-Za-z0-9_.@-]*$', 'is not a field name'),
                {
                  description: 'Raw provider field name → indexed field.',
                },
              ),
              {
                description:
                  'Extra rows for the Sigma field tables, by log source id (docs/sigma.md); a row here replaces the built-in one.',
              },
            ),
          ),
        },
        { additionalProperties: false, description: 'firedrill sigma import / export (docs/sigma.md).' },
      ),
    ),
  },
  {
    ...documentOptions(
      'config',
      'firedrill deployment config',
      'Targets, pipeline options and the parameters rules are tuned with: firedrill.config.yaml (docs/config.md).',
    ),
    additionalProperties: false,
  },
);

/** Deployment parameters with the defaults filled in: the named ones, and any further list parameters. */
export type Parameters = Required<Static<typeof ParametersSchema>> & Record<string, string[] | ChangeWindow>;

/** The deployment config as the rest of firedrill uses it. */
export interface FiredrillConfig {
  /** The file it came from, if any. */
  file?: string;
  targets: Record<string, TargetConfig>;
  /** Keep the raw record in `event.original` (off by default: it doubles storage). */
  keepEventOriginal: boolean;
  parameters: Parameters;
  /** Extra Sigma field-table rows by log source id: raw provider field name → indexed field. */
  sigmaFields: Record<string, Record<string, string>>;
}

export const DEFAULT_CONFIG_FILE = 'firedrill.config.yaml';

/** The documented defaults (docs/config.md): nobody approved, Monday–Friday 08:00–18:00 UTC. */
export function defaultConfig(): FiredrillConfig {
  return {
    targets: {},
    keepEventOriginal: false,
    sigmaFields: {},
    parameters: {
      approved_provisioners: [],
      change_window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: { start: 8, end: 18 } },
    },
  };
}

const validateConfigFile = compileSchema(ConfigSchema);

/**
 * The config a content directory is compiled with when none is named: `<content>/firedrill.config.yaml`,
 * else the first one from the working directory up to the repository root (the folder holding `.git`).
 * Outside a repository only the working directory counts, so a stray file in a home folder is never used.
 */
export function findConfigFile(contentDir = '.', cwd = process.cwd()): string | undefined {
  const inContent = join(contentDir, DEFAULT_CONFIG_FILE);
  if (existsSync(inContent)) return inContent;
  const dirs: string[] = [];
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    dirs.push(dir);
    if (existsSync(join(dir, '.git'))) break;
    if (dirname(dir) === dir) {
      dirs.splice(1);
      break;
    }
  }
  const found = dirs.map((d) => join(d, DEFAULT_CONFIG_FILE)).find((f) => existsSync(f));
  return found && resolve(cwd) === dirname(found) ? DEFAULT_CONFIG_FILE : found;
}

/**
 * Reads the deployment config, schema-checked, with the defaults filled in. Without a file name it reads
 * the one `findConfigFile()` finds, else returns the defaults; a named file must exist.
 */
export function readConfig(file?: string): { config: FiredrillConfig; source?: SourceFile } {
  const path = file ?? findConfigFile();
  if (!path) return { config: defaultConfig() };
  if (!existsSync(path)) throw new ContentError(path, 'config file not found');
  const { value, source } = loadValidated(path, validateConfigFile);
  const defaults = defaultConfig();
  const config = {
    file: path,
    targets: value.targets ?? {},
    keepEventOriginal: value.keep_event_original ?? defaults.keepEventOriginal,
    parameters: { ...defaults.parameters, ...value.parameters } as Parameters,
    sigmaFields: value.sigma?.fields ?? {},
  };
  return { config, source };
}
