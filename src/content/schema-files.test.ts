import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CONTENT_SCHEMAS, schemaFile, schemaJson } from './schema-files.js';
import { contentAjv } from './yaml.js';

const updating = process.env.UPDATE_GOLDEN === '1';
const files = CONTENT_SCHEMAS.map((schema) => [schemaFile(schema), schema] as const);
const read = (file: string): Record<string, unknown> => JSON.parse(readFileSync(file, 'utf8'));

describe('schemas/*.schema.json', () => {
  it.each(files)('%s is what `npm run schemas` writes', (file, schema) => {
    if (updating) writeFileSync(file, schemaJson(schema));
    const fresh = existsSync(file) && readFileSync(file, 'utf8') === schemaJson(schema);
    expect(fresh, `${file} is stale: run \`npm run schemas\` (or UPDATE_GOLDEN=1 on this test)`).toBe(true);
  });

  it('are draft-07 JSON Schema with an $id, a title and a description, in ajv strict mode', () => {
    const ajv = contentAjv();
    for (const [file] of files) {
      const json = read(file);
      expect(json.$schema, file).toBe('http://json-schema.org/draft-07/schema#');
      for (const key of ['$id', 'title', 'description'])
        expect(typeof json[key], `${file}: ${key}`).toBe('string');
      expect(ajv.validateSchema(json), `${file}: ${JSON.stringify(ajv.errors)}`).toBe(true);
      expect(() => ajv.compile(json), file).not.toThrow();
    }
  });

  // Reads and validates every content file: room for a busy machine.
  it(
    'accept the shipped content, each file through the one schema .vscode/settings.json maps it to',
    { timeout: 30_000 },
    () => {
      const mapping = read('.vscode/settings.json')['yaml.schemas'] as Record<string, string[]>;
      const matchers = Object.entries(mapping).map(([schema, globs]) => {
        const include = picomatch(globs.filter((g) => !g.startsWith('!')));
        const exclude = picomatch(globs.filter((g) => g.startsWith('!')).map((g) => g.slice(1)));
        return { schema, matches: (f: string) => include(f) && !exclude(f) };
      });
      expect(matchers.map((m) => join(m.schema)).sort()).toEqual(files.map(([file]) => file).sort());
      const ajv = contentAjv();
      const content = [
        'firedrill.config.yaml',
        ...['detections', 'scenarios', 'pipelines'].flatMap((dir) =>
          readdirSync(dir, { recursive: true, encoding: 'utf8' })
            .filter((f) => f.endsWith('.yaml') && !f.includes('samples/'))
            .map((f) => join(dir, f)),
        ),
      ];
      expect(content.length).toBeGreaterThan(80);
      for (const file of content) {
        const schemas = matchers.filter((m) => m.matches(file)).map((m) => m.schema);
        expect(schemas, file).toHaveLength(1);
        const validate = ajv.getSchema(String(read(schemas[0]!).$id)) ?? ajv.compile(read(schemas[0]!));
        expect(validate(parse(readFileSync(file, 'utf8'))) || validate.errors, file).toBe(true);
      }
    },
  );
});
