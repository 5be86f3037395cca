import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import stringify from 'fast-json-stable-stringify';
import { compileSchema, loadValidated } from '../../src/content/yaml.js';
import { DEAD_LETTER_INDEX, readRecords, type RawRecord } from '../../src/ingest/index.js';

/** One indexed document as the golden files hold it. */
export interface GoldenDoc {
  _index: string;
  _id: string;
  _source: Record<string, unknown>;
}

export interface GoldenCase {
  source: string;
  name: string;
  input: string;
  expectedFile: string;
}

interface GoldenConfig {
  volatile: string[];
  dead_letter_volatile: string[];
}

export const SOURCES = ['aws-cloudtrail', 'gcp-audit', 'azure-audit'];
export const VOLATILE = '<volatile>';
export const updating = process.env.UPDATE_GOLDEN === '1';

const validateConfig = compileSchema<GoldenConfig>({
  type: 'object',
  required: ['volatile', 'dead_letter_volatile'],
  additionalProperties: false,
  properties: {
    volatile: { type: 'array', items: { type: 'string' } },
    dead_letter_volatile: { type: 'array', items: { type: 'string' } },
  },
});

/** Every `samples/<name>.<ext>` input of a source with its `<name>.expected.json`. */
export function goldenCases(source: string, dir = 'pipelines'): GoldenCase[] {
  const samples = join(dir, source, 'samples');
  return readdirSync(samples)
    .filter((f) => !f.endsWith('.expected.json') && f !== 'config.yaml')
    .sort()
    .map((f) => {
      const name = f.replace(/\.[^.]+$/, '');
      return { source, name, input: join(samples, f), expectedFile: join(samples, `${name}.expected.json`) };
    });
}

export function goldenConfig(source: string, dir = 'pipelines'): GoldenConfig {
  return loadValidated(join(dir, source, 'samples', 'config.yaml'), validateConfig).value;
}

export async function recordsOf(file: string): Promise<RawRecord[]> {
  const out: RawRecord[] = [];
  for await (const record of readRecords(file)) out.push(record);
  return out;
}

/** Replaces volatile values (when present) so documents compare across runs. */
export function normalise(doc: GoldenDoc, config: GoldenConfig): GoldenDoc {
  const copy = structuredClone(doc);
  const deadLetter = copy._index === DEAD_LETTER_INDEX;
  const paths = [...config.volatile, ...(deadLetter ? config.dead_letter_volatile : [])];
  for (const path of paths) {
    if (path === '_id') copy._id = VOLATILE;
    else replaceAt(copy._source, path.split('.'));
  }
  return copy;
}

function replaceAt(target: Record<string, unknown>, keys: string[]): void {
  const [key, ...rest] = keys as [string, ...string[]];
  if (!(key in target)) return;
  if (rest.length === 0) target[key] = VOLATILE;
  else if (typeof target[key] === 'object' && target[key] !== null)
    replaceAt(target[key] as Record<string, unknown>, rest);
}

/** Sorted so that documents read back from an index compare with the golden file regardless of order. */
export function sortDocs(docs: GoldenDoc[]): GoldenDoc[] {
  return [...docs].sort((a, b) => stringify(a).localeCompare(stringify(b)));
}

export function readExpected(c: GoldenCase): GoldenDoc[] {
  if (!existsSync(c.expectedFile)) throw new Error(`${c.expectedFile} is missing: run with UPDATE_GOLDEN=1`);
  return JSON.parse(readFileSync(c.expectedFile, 'utf8')) as GoldenDoc[];
}

export function writeExpected(c: GoldenCase, docs: GoldenDoc[]): void {
  writeFileSync(c.expectedFile, `${JSON.stringify(docs, null, 2)}\n`);
}
