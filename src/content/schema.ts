/**
 * TypeBox building blocks for the content schemas. Each content kind has one schema: ajv validates files
 * with it (src/content/yaml.ts), its TypeScript type is derived from it, and `npm run schemas` writes it to
 * `schemas/<kind>.schema.json` for editors. So everything here must stay plain draft-07 JSON Schema.
 */
import {
  CloneType,
  Type,
  type Evaluate,
  type ObjectOptions,
  type SchemaOptions,
  type Static,
  type TArray,
  type TObject,
  type TOptional,
  type TProperties,
  type TRecord,
  type TSchema,
  type TUnsafe,
} from '@sinclair/typebox';
import { DURATION_PATTERN, OFFSET_PATTERN } from '../time/index.js';

const DRAFT_07 = 'http://json-schema.org/draft-07/schema#';

/** The root options of a shipped schema: `$id` names its file in `schemas/`. */
export function documentOptions(kind: string, title: string, description: string): ObjectOptions {
  return { $schema: DRAFT_07, $id: schemaId(kind), title, description };
}

/** The `$id` of `schemas/<kind>.schema.json`. */
export function schemaId(kind: string): string {
  return `urn:firedrill:schema:${kind}`;
}

/** A string from a fixed list: `enum` (one error naming the allowed values), not TypeBox's union of literals. */
export function StringEnum<const T extends readonly string[]>(
  values: T,
  options: SchemaOptions = {},
): TUnsafe<T[number]> {
  return Type.Unsafe<T[number]>({ ...options, type: 'string', enum: [...values] });
}

/**
 * A string matching `pattern`; `message` replaces ajv's "must match pattern …" in `file:line: field: problem`
 * lines, and editors show it too (`patternErrorMessage` is the YAML/JSON language servers' keyword).
 */
export function Pattern(pattern: string, message: string, options: SchemaOptions = {}) {
  return Type.String({ ...options, pattern, patternErrorMessage: message });
}

export const Duration = (options: SchemaOptions = {}) =>
  Pattern(DURATION_PATTERN, 'is not a duration like 90s, 5m, 1h30m or 14d', options);

export const Offset = (options: SchemaOptions = {}) =>
  Pattern(OFFSET_PATTERN, 'is not an offset like +5m, -3d or +1.5s', options);

/** A property a file may leave out: ajv (`useDefaults`) fills in `value`, so the loaded value always has it. */
export function Defaulted<T extends TSchema>(schema: T, value: Static<T>): TDefaulted<T> {
  return Type.Optional(CloneType(schema, { default: value })) as TDefaulted<T>;
}

/** A `Defaulted` property: optional in the file, with the value that fills it. */
export type TDefaulted<T extends TSchema> = TOptional<T> & { default: Static<T> };

/** Optional in the file and in the loaded value (no default). */
type IsOmittable<T> = T extends TOptional<TSchema> ? (T extends { default: unknown } ? false : true) : false;

/** A file's value as loaded: like `Static`, but properties with a default (`Defaulted`) are always there. */
export type Filled<T extends TSchema> =
  T extends TObject<infer P>
    ? FilledObject<P>
    : T extends TArray<infer I>
      ? Filled<I>[]
      : T extends TRecord<TSchema, infer V>
        ? Record<string, Filled<V>>
        : Static<T>;

type FilledObject<P extends TProperties> = Evaluate<
  { [K in keyof P as IsOmittable<P[K]> extends true ? never : K]: Filled<P[K]> } & {
    [K in keyof P as IsOmittable<P[K]> extends true ? K : never]?: Filled<P[K]>;
  }
>;
