import { existsSync } from 'node:fs';
import { ContentError } from '../errors.js';
import { compileSchema, loadValidated } from './yaml.js';

export const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Normal change hours in UTC; `end` is exclusive and may be smaller than `start` (overnight). */
export interface ChangeWindow {
  days: Weekday[];
  hours: { start: number; end: number };
}

/** Deployment parameters that rules reference by name (`in_param`, `in_window`). */
export interface Parameters {
  /** Identities allowed to create accounts (ARNs, role / session-issuer names, emails, UPNs, app ids). */
  approved_provisioners: string[];
  change_window: ChangeWindow;
  /** Further list parameters a site adds for its own rules. */
  [name: string]: string[] | ChangeWindow;
}

export interface TargetConfig {
  url: string;
  insecure?: boolean;
  /** A PEM CA bundle, relative to the working directory. */
  ca?: string;
}

export interface FiredrillConfig {
  /** The file it came from, if any. */
  file?: string;
  targets: Record<string, TargetConfig>;
  /** Keep the raw record in `event.original` (off by default: it doubles storage). */
  keepEventOriginal: boolean;
  parameters: Parameters;
}

export const DEFAULT_CONFIG_FILE = 'firedrill.config.yaml';

/** The documented defaults (docs/config.md): nobody approved, Monday–Friday 08:00–18:00 UTC. */
export function defaultConfig(): FiredrillConfig {
  return {
    targets: {},
    keepEventOriginal: false,
    parameters: {
      approved_provisioners: [],
      change_window: { days: ['mon', 'tue', 'wed', 'thu', 'fri'], hours: { start: 8, end: 18 } },
    },
  };
}

interface ConfigFile {
  targets?: Record<string, TargetConfig>;
  keep_event_original?: boolean;
  parameters?: Partial<Parameters>;
}

const stringList = { type: 'array', items: { type: 'string', minLength: 1 }, uniqueItems: true };

const validateConfigFile = compileSchema<ConfigFile>({
  type: 'object',
  additionalProperties: false,
  properties: {
    targets: {
      type: 'object',
      propertyNames: { pattern: '^[A-Za-z0-9_.-]+$' },
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: {
          url: { type: 'string', pattern: '^https?://' },
          insecure: { type: 'boolean' },
          ca: { type: 'string', minLength: 1 },
        },
      },
    },
    keep_event_original: { type: 'boolean' },
    parameters: {
      type: 'object',
      propertyNames: { pattern: '^[a-z][a-z0-9_]*$' },
      properties: {
        approved_provisioners: stringList,
        change_window: {
          type: 'object',
          additionalProperties: false,
          required: ['days', 'hours'],
          properties: {
            days: { type: 'array', minItems: 1, uniqueItems: true, items: { enum: [...WEEKDAYS] } },
            hours: {
              type: 'object',
              additionalProperties: false,
              required: ['start', 'end'],
              properties: {
                start: { type: 'integer', minimum: 0, maximum: 23 },
                end: { type: 'integer', minimum: 1, maximum: 24 },
              },
            },
          },
        },
      },
      additionalProperties: stringList,
    },
  },
});

/**
 * Loads the deployment config. Without a file name it reads `firedrill.config.yaml` when present,
 * else returns the defaults; a named file must exist.
 */
export function loadConfig(file?: string): FiredrillConfig {
  const path = file ?? (existsSync(DEFAULT_CONFIG_FILE) ? DEFAULT_CONFIG_FILE : undefined);
  if (!path) return defaultConfig();
  if (!existsSync(path)) throw new ContentError(path, 'config file not found');
  const { value, source } = loadValidated(path, validateConfigFile);
  const window = value.parameters?.change_window;
  if (window && window.hours.start === window.hours.end)
    throw new ContentError(
      path,
      'start and end are the same hour (an empty window); use start 0, end 24 for all day',
      source.lineOf(['parameters', 'change_window', 'hours']),
      'parameters.change_window.hours',
    );
  const defaults = defaultConfig();
  return {
    file: path,
    targets: value.targets ?? {},
    keepEventOriginal: value.keep_event_original ?? defaults.keepEventOriginal,
    parameters: { ...defaults.parameters, ...value.parameters } as Parameters,
  };
}
