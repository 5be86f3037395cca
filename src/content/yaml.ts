import { readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isMap, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { ContentError, ContentErrors, contentErrorsOf } from '../errors.js';
import type { Filled } from './schema.js';

// ajv-formats ships CommonJS; under NodeNext its default export is the module object.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * The ajv every content file is checked with: all errors at once, defaults filled in, formats, and
 * `patternErrorMessage` (the editors' keyword) known. verbose: errors carry their schema, so a pattern's own
 * message can replace ajv's.
 */
export function contentAjv(): Ajv {
  const ajv = addFormats(
    new Ajv({ allErrors: true, strict: true, useDefaults: true, allowUnionTypes: true, verbose: true }),
  );
  return ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
}

const ajv = contentAjv();

/** Compiles a content schema (src/content/schema.ts) once; reuse the result for every file of that kind. */
export function compileSchema<T extends TSchema>(schema: T): ValidateFunction<Filled<T>> {
  return ajv.compile<Filled<T>>(schema);
}

/** A parsed YAML/JSON file that can say on which line a JSON path sits. */
export interface SourceFile {
  file: string;
  data: unknown;
  lineOf(path: (string | number)[]): number | undefined;
}

/** Parses YAML (JSON is YAML too) keeping line positions; syntax errors become one ContentError. */
export function parseSource(file: string, text = readFileSync(file, 'utf8')): SourceFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    // Without prettyErrors the error has only offsets: the line counter turns the first into a line.
    const line = lineCounter.linePos(first.pos[0]).line;
    throw new ContentError(file, first.message.split('\n')[0] ?? 'invalid YAML', line);
  }
  return {
    file,
    data: doc.toJS({ maxAliasCount: 100 }),
    lineOf: (path) => lineOfPath(doc, lineCounter, path),
  };
}

function lineOfPath(doc: Document, lines: LineCounter, path: (string | number)[]): number | undefined {
  // Walk as deep as the path exists; an error on a missing key points at its parent.
  let node: unknown = doc.contents;
  let found = node as YamlNode | undefined;
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find(
        (p) => String((p.key as { value?: unknown })?.value ?? p.key) === String(key),
      );
      if (!pair) break;
      node = pair.value;
      found = (pair.key as YamlNode) ?? found;
    } else if (isSeq(node)) {
      node = node.items[Number(key)];
      if (!node) break;
      found = node as YamlNode;
    } else break;
  }
  const offset = found?.range?.[0];
  return offset === undefined ? undefined : lines.linePos(offset).line;
}

/** Turns ajv errors into ContentErrors with file, line and dotted field. */
export function schemaErrors(source: SourceFile, errors: ErrorObject[] | null | undefined): ContentError[] {
  // An `if` error only says its `then` failed, a `propertyNames` one that a key is bad: the errors beside
  // them say what is wrong (a bad key's error carries `propertyName`).
  return (errors ?? [])
    .filter((e) => e.keyword !== 'if' && e.keyword !== 'propertyNames')
    .map((e) => {
      const key = (e as ErrorObject & { propertyName?: string }).propertyName;
      const path = [...e.instancePath.split('/').slice(1).map(decodePointer), ...(key ? [key] : [])];
      const missing =
        e.keyword === 'required' ? (e.params as { missingProperty: string }).missingProperty : undefined;
      const extra =
        e.keyword === 'additionalProperties'
          ? (e.params as { additionalProperty: string }).additionalProperty
          : undefined;
      const fieldPath = [...path, ...(missing ? [missing] : []), ...(extra ? [extra] : [])];
      const field = fieldPath.length ? fieldPath.join('.') : undefined;
      const allowed =
        e.keyword === 'enum'
          ? ` (one of: ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})`
          : '';
      const own =
        e.keyword === 'pattern' ? (e.parentSchema?.patternErrorMessage as string | undefined) : undefined;
      const problem = extra
        ? 'unknown field'
        : missing
          ? 'is required'
          : (own ?? `${e.message ?? 'is invalid'}${allowed}`);
      return new ContentError(source.file, problem, source.lineOf(extra ? fieldPath : path), field);
    });
}

function decodePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** A file's value with where it came from, for messages that name a line. */
export interface Loaded<T> {
  value: T;
  source: SourceFile;
}

/** Parses a file and validates it against a compiled schema; throws every problem at once. */
export function loadValidated<T>(file: string, validate: ValidateFunction<T>, text?: string): Loaded<T> {
  const source = parseSource(file, text);
  if (!validate(source.data)) {
    throw new ContentErrors(dedupe(schemaErrors(source, validate.errors)));
  }
  return { value: source.data as T, source };
}

/** Reads each item, keeping what it returns and every content problem it throws: all files' problems at once. */
export function readEach<T, R>(
  items: Iterable<T>,
  read: (item: T) => R,
): { values: R[]; errors: ContentError[] } {
  const values: R[] = [];
  const errors: ContentError[] = [];
  for (const item of items) {
    try {
      values.push(read(item));
    } catch (error) {
      errors.push(...contentErrorsOf(error));
    }
  }
  return { values, errors };
}

/** `readEach`, throwing every problem at once. */
export function readAll<T, R>(items: Iterable<T>, read: (item: T) => R): R[] {
  const { values, errors } = readEach(items, read);
  if (errors.length) throw new ContentErrors(errors);
  return values;
}

function dedupe(errors: ContentError[]): ContentError[] {
  const seen = new Set<string>();
  return errors.filter((e) => !seen.has(e.message) && seen.add(e.message));
}
