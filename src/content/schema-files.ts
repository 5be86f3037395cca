/**
 * The content schemas as JSON, for editors (`schemas/<kind>.schema.json`, mapped to the content files in
 * .vscode/settings.json). `npm run schemas` rewrites them; a unit test fails while they are stale.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { AttackTableSchema } from './attack.js';
import { ConfigSchema } from './config.js';
import { PipelineFileSchema, TemplateFileSchema } from './pipelines.js';
import { RuleExamplesSchema, RuleFileSchema } from './rules.js';
import { RecordTemplatesSchema, ScenarioSchema } from './scenarios.js';

export const SCHEMAS_DIR = 'schemas';

export const CONTENT_SCHEMAS: readonly TSchema[] = [
  RuleFileSchema,
  RuleExamplesSchema,
  AttackTableSchema,
  ScenarioSchema,
  RecordTemplatesSchema,
  PipelineFileSchema,
  TemplateFileSchema,
  ConfigSchema,
];

/** `schemas/<kind>.schema.json`, the kind being the last part of the schema's `$id`. */
export function schemaFile(schema: TSchema): string {
  return join(SCHEMAS_DIR, `${String(schema.$id).split(':').at(-1)}.schema.json`);
}

/** The file's text: the schema as ajv uses it (TypeBox's symbol keys do not survive JSON). */
export function schemaJson(schema: TSchema): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

if (process.argv[1]?.endsWith('schema-files.ts')) {
  mkdirSync(SCHEMAS_DIR, { recursive: true });
  for (const schema of CONTENT_SCHEMAS) writeFileSync(schemaFile(schema), schemaJson(schema));
}
